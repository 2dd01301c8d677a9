"""Check-ins over HTTP: a moderator checks in; the member (and the team) read and close."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.accounts.models import User
from forum.accounts.schemas import Empty
from forum.chat import service as chat
from forum.chat import team
from forum.chat.team import TeamRoom
from forum.checkins import service
from forum.checkins.schemas import CheckInIn
from forum.errors import NotFound
from forum.i18n import _
from forum.review import resources, wording
from forum.review.regions import choose_region
from forum.web import Ctx, endpoint


async def _check_in_or_404(ctx: Ctx, user: User) -> TeamRoom:
    found = await chat.find_room_or_404(ctx.db, int(ctx.request.path_params["room_id"]), user)
    if not isinstance(found, TeamRoom):
        raise NotFound(_("There is no check-in here."))
    return found


async def _support(ctx: Ctx, found: TeamRoom, user: User) -> dict[str, Any] | None:
    """Crisis lines for the member's region (profile, else browser language, else everywhere)."""
    if not found.is_member:
        return None
    region = choose_region(user.region, ctx.request.headers.get("accept-language"))
    found_resources = await resources.resources_for(ctx.db, region)
    return {"region": region, "resources": [resources.resource_json(r) for r in found_resources]}


def remember(ctx: Ctx, outcome: service.CheckInOutcome) -> None:
    """Hand the live fan-out its copy of the team's message, so it needs no query."""
    event = chat.message_event(outcome.message, None)
    ctx.app.live.remember(outcome.message.id, event)


@endpoint
async def api_check_in(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(CheckInIn)
    await ctx.limit_writes(user)
    outcome = await service.check_in(
        ctx.db, user, int(ctx.request.path_params["item_id"]), data.body
    )
    remember(ctx, outcome)
    body = {
        "room_id": outcome.room.id,
        "new_room": outcome.new_room,
        "message_id": outcome.message.id,
        "url": f"/check-ins/{outcome.room.id}",
    }
    return JSONResponse(body, status_code=201)


@endpoint
async def api_get_check_in(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    found = await _check_in_or_404(ctx, user)
    # In the shape of a room list, so the chat panel loads it like any other.
    return JSONResponse(
        {"rooms": [chat.conversation_json(found)], "support": await _support(ctx, found, user)}
    )


@endpoint
async def api_close_check_in(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await ctx.json_body(Empty)
    found = await team.close(ctx.db, await _check_in_or_404(ctx, user))
    return JSONResponse({"room_id": found.room.id, "closed": True})


@endpoint
async def check_in_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    found = await _check_in_or_404(ctx, user)
    support = await _support(ctx, found, user)
    return ctx.render(
        "check_in.html",
        found=found,
        support=support["resources"] if support else [],
        words=wording,
    )


@endpoint
async def close_check_in_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await ctx.form(Empty)
    found = await team.close(ctx.db, await _check_in_or_404(ctx, user))
    return ctx.redirect(f"/check-ins/{found.room.id}?closed=1")


routes = [
    Route("/api/v1/moderation/items/{item_id:id}/check-in", api_check_in, methods=["POST"]),
    Route("/api/v1/check-ins/{room_id:id}", api_get_check_in, methods=["GET"]),
    Route("/api/v1/check-ins/{room_id:id}/close", api_close_check_in, methods=["POST"]),
    Route("/check-ins/{room_id:id}", check_in_page, methods=["GET"]),
    Route("/check-ins/{room_id:id}/close", close_check_in_page, methods=["POST"]),
]
