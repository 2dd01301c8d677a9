"""Notifications: the JSON API, the page, and the socket that lights up the bell."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from forum.accounts.models import User
from forum.accounts.schemas import Empty
from forum.errors import AppError
from forum.notifications import service
from forum.notifications.kinds import OPTIONAL, optional_labels
from forum.notifications.models import Notification
from forum.notifications.schemas import MarkRead, SettingsChanges, SettingsForm
from forum.notifications.settings import checked
from forum.sockets import accept_live, authenticate, guarded, refuse, until_either_ends, write
from forum.state import AppState
from forum.web import Ctx, endpoint
from realtime.hub import Event, Subscriber


@endpoint
async def api_notifications(ctx: Ctx) -> Response:
    found = await service.newest(ctx.db, await ctx.require_user())
    return JSONResponse({"items": [service.notification_json(n) for n in found]})


@endpoint
async def api_mark_read(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(MarkRead)
    unread = await service.mark_read(ctx.db, user, data.ids)
    ctx.forget_user(user.id)
    return JSONResponse({"unread": unread})


@endpoint
async def api_settings(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    return JSONResponse(service.settings_of(user).as_json())


@endpoint
async def api_change_settings(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(SettingsChanges)
    current = service.settings_of(user)
    kinds = {kind: kind not in current.off for kind in OPTIONAL} | (data.kinds or {})
    if "quiet_hours" in data.model_fields_set:
        quiet = data.quiet_hours.model_dump() if data.quiet_hours else None
    else:
        quiet = current.as_json()["quiet_hours"]
    changed = await service.change_settings(ctx.db, user, checked(kinds, quiet))
    ctx.forget_user(user.id)
    return JSONResponse(changed.as_json())


def _context(ctx: Ctx, user: User, found: list[Notification]) -> dict[str, Any]:
    return {
        "notifications": [service.notification_json(n) for n in found],
        "settings": service.settings_of(user).as_json(),
        "kinds": optional_labels(),
        "form": {},
        "error": "",
        "saved": ctx.request.query_params.get("saved") == "settings",
    }


@endpoint
async def notifications_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    found = await service.newest(ctx.db, user)
    return ctx.render("notifications.html", **_context(ctx, user, found))


@endpoint
async def settings_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(SettingsForm)
    extra = data.model_extra or {}
    kinds = {kind: bool(extra.get(f"kind_{kind}")) for kind in OPTIONAL}
    quiet = (
        {"start": data.quiet_start, "end": data.quiet_end, "time_zone": data.time_zone}
        if data.quiet
        else None
    )
    try:
        await service.change_settings(ctx.db, user, checked(kinds, quiet))
    except AppError as exc:
        found = await service.newest(ctx.db, user)
        context = {**_context(ctx, user, found), "form": data.model_dump()}
        del context["error"]
        return ctx.form_error("notifications.html", exc, **context)
    ctx.forget_user(user.id)
    return ctx.redirect("/notifications?saved=settings#settings-heading")


@endpoint
async def mark_read_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await ctx.form(Empty)
    await service.mark_read(ctx.db, user, None)
    ctx.forget_user(user.id)
    return ctx.redirect("/notifications")


async def notifications_socket(websocket: WebSocket) -> None:
    """Sends {"type": "unread", "count"} now and on every change, and each new notification."""
    state: AppState = websocket.app.state.circles
    try:
        async with state.sessions() as db:
            user = await authenticate(db, websocket)
    except AppError as exc:
        await refuse(websocket, exc)
        return
    if not await accept_live(websocket, state.live.ready):
        return
    subscriber = Subscriber(
        user.id, user.display_name, presence_hidden=True, maxsize=state.settings.chat_outbox
    )
    # Subscribe before counting, so nothing committed in between is missed.
    state.live.user_hub.subscribe(user.id, subscriber)
    try:
        async with state.sessions() as db:
            subscriber.offer({"type": "unread", "count": await service.unread_count(db, user)})
        with guarded(state.live, state.sessions, websocket, subscriber, _signed_in):
            await until_either_ends(write(websocket, _events(subscriber)), _until_closed(websocket))
    finally:
        state.live.user_hub.unsubscribe(user.id, subscriber)


async def _signed_in(db: object, user: object) -> None:
    """Being signed in is all this socket needs (checked by `guarded` itself)."""


async def _events(subscriber: Subscriber) -> AsyncIterator[Event]:
    while True:
        yield await subscriber.next_event()


async def _until_closed(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass  # this socket only speaks


routes = [
    Route("/api/v1/me/notifications", api_notifications, methods=["GET"]),
    Route("/api/v1/me/notifications/read", api_mark_read, methods=["POST"]),
    Route("/notifications", notifications_page, methods=["GET"]),
    Route("/notifications/read", mark_read_page, methods=["POST"]),
    Route("/api/v1/me/notification-settings", api_settings, methods=["GET"]),
    Route("/api/v1/me/notification-settings", api_change_settings, methods=["PATCH"]),
    Route("/notifications/settings", settings_page, methods=["POST"]),
    WebSocketRoute("/ws/notifications", notifications_socket),
]
