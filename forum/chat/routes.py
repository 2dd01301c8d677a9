"""The chat JSON API (rooms, history pages) and the room websocket route."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from forum.accounts.boundaries import viewer_boundaries
from forum.chat import direct, reactions, rooms, service
from forum.chat.schemas import (
    DmPolicyForm,
    NewRoom,
    RoomChanges,
    RoomForm,
    StartConversation,
    StartConversationForm,
)
from forum.chat.ws import room_socket
from forum.circles.service import CircleView, get_circle_view_or_404
from forum.errors import AppError, BadRequest
from forum.fields import parse_id
from forum.i18n import _
from forum.people import service as people
from forum.web import Ctx, endpoint


def _before(ctx: Ctx) -> int | None:
    text = ctx.request.query_params.get("before")
    if text is None or text == "":
        return None
    before = parse_id(text)
    if before is None:
        raise BadRequest(_("'before' must be a message seq (a whole number)."), code="bad_cursor")
    return before


@endpoint
async def api_rooms(ctx: Ctx) -> Response:
    rooms = await service.list_rooms(ctx.db, ctx.request.path_params["slug"], await ctx.user())
    return JSONResponse({"rooms": [service.room_json(room) for room in rooms]})


@endpoint
async def api_messages(ctx: Ctx) -> Response:
    user = await ctx.user()
    found = await service.find_room_or_404(ctx.db, ctx.request.path_params["room_id"], user)
    messages, next_before = await service.history_page(ctx.db, found.room, _before(ctx))
    await reactions.with_reactions(ctx.db, messages, user)
    boundaries = None if user is None else await viewer_boundaries(ctx.db, ctx.app.read_cache, user)
    return JSONResponse(
        {"messages": service.messages_for(messages, boundaries), "before": next_before}
    )


@endpoint
async def api_add_room(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await get_circle_view_or_404(ctx.db, ctx.request.path_params["slug"], user)
    data = await ctx.json_body(NewRoom)
    room = await rooms.add_room(
        ctx.db, user, view, data.name, data.description, data.slow_mode_seconds, data.schedule
    )
    return JSONResponse(service.room_json(room), status_code=201)


@endpoint
async def api_change_room(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    found = await service.get_room_or_404(ctx.db, ctx.request.path_params["room_id"], user)
    data = await ctx.json_body(RoomChanges)
    room = await rooms.change_room(ctx.db, user, found.view, found.room, data.changes())
    return JSONResponse(service.room_json(room))


async def _rooms_page(
    ctx: Ctx, view: CircleView, status_code: int = 200, **extra: object
) -> Response:
    listed = await service.list_rooms(ctx.db, view.circle.slug, await ctx.user())
    return ctx.render(
        "rooms.html",
        status_code=status_code,
        view=view,
        rooms=listed,
        hours_text=rooms.hours_text,
        schedule_lines=rooms.schedule_lines,
        **extra,
    )


@endpoint
async def rooms_page(ctx: Ctx) -> Response:
    """Owners and moderators: the circle's rooms, their slow mode and opening hours."""
    user = await ctx.require_user()
    view = await get_circle_view_or_404(ctx.db, ctx.request.path_params["slug"], user)
    rooms.require_host(user, view)
    if ctx.request.method == "GET":
        return await _rooms_page(ctx, view)
    data = await ctx.form(RoomForm)
    try:
        schedule = rooms.parse_schedule_text(data.hours, data.timezone)
        await rooms.add_room(
            ctx.db, user, view, data.name, data.description, data.slow_mode_seconds, schedule
        )
    except AppError as exc:
        ctx.failed = True
        return await _rooms_page(ctx, view, exc.status, error=exc.message)
    return ctx.redirect(f"/c/{view.circle.slug}/rooms?added=1")


@endpoint
async def room_settings_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    found = await service.get_room_or_404(ctx.db, ctx.request.path_params["room_id"], user)
    data = await ctx.form(RoomForm)
    try:
        changes = {
            "name": data.name,
            "description": data.description,
            "slow_mode_seconds": data.slow_mode_seconds,
            "schedule": rooms.parse_schedule_text(data.hours, data.timezone),
        }
        await rooms.change_room(ctx.db, user, found.view, found.room, changes)
    except AppError as exc:
        ctx.failed = True
        return await _rooms_page(ctx, found.view, exc.status, error=exc.message)
    return ctx.redirect(f"/c/{found.view.circle.slug}/rooms?saved={found.room.id}")


@endpoint
async def api_conversations(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    found = await direct.conversations(ctx.db, user)
    return JSONResponse({"rooms": [service.conversation_json(f) for f in found]})


@endpoint
async def api_start_conversation(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(StartConversation)
    await ctx.limit_writes(user)
    found, new = await direct.start(ctx.db, user, await people.named(ctx.db, user, data))
    return JSONResponse(service.direct_json(found), status_code=201 if new else 200)


@endpoint
async def messages_page(ctx: Ctx) -> Response:
    """Direct conversations: the list, the panel, and a form to start one."""
    user = await ctx.require_user()
    if ctx.request.method == "GET":
        room_id = parse_id(ctx.request.query_params.get("room"))
        return ctx.render("messages.html", room_id=room_id)
    data = await ctx.form(StartConversationForm)
    try:
        await ctx.limit_writes(user)
        found, _created = await direct.start(ctx.db, user, await people.named(ctx.db, user, data))
    except AppError as exc:
        ctx.failed = True
        return ctx.render(
            "messages.html", status_code=exc.status, error=exc.message, username=data.username
        )
    return ctx.redirect(f"/messages?room={found.room.id}")


@endpoint
async def update_dm_policy(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(DmPolicyForm)
    await direct.set_policy(ctx.db, user, data.dm_policy)
    ctx.forget_user(user.id)
    return ctx.redirect("/account?saved=messages")


routes = [
    Route("/account/messages", update_dm_policy, methods=["POST"]),
    Route("/api/v1/me/conversations", api_conversations, methods=["GET"]),
    Route("/api/v1/me/conversations", api_start_conversation, methods=["POST"]),
    Route("/messages", messages_page, methods=["GET", "POST"]),
    Route("/api/v1/circles/{slug}/rooms", api_rooms, methods=["GET"]),
    Route("/api/v1/circles/{slug}/rooms", api_add_room, methods=["POST"]),
    Route("/api/v1/rooms/{room_id:id}", api_change_room, methods=["PATCH"]),
    Route("/api/v1/rooms/{room_id:id}/messages", api_messages, methods=["GET"]),
    Route("/c/{slug}/rooms", rooms_page, methods=["GET", "POST"]),
    Route("/rooms/{room_id:id}/settings", room_settings_page, methods=["POST"]),
    WebSocketRoute("/ws/rooms/{room_id:id}", room_socket),
]
