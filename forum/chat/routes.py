"""The chat JSON API (rooms, history pages) and the room websocket route."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from forum.chat import service
from forum.chat.ws import room_socket
from forum.errors import BadRequest
from forum.fields import parse_id
from forum.web import Ctx, endpoint


def _before(ctx: Ctx) -> int | None:
    text = ctx.request.query_params.get("before")
    if text is None or text == "":
        return None
    before = parse_id(text)
    if before is None:
        raise BadRequest("'before' must be a message seq (a whole number).", code="bad_cursor")
    return before


@endpoint
async def api_rooms(ctx: Ctx) -> Response:
    rooms = await service.list_rooms(ctx.db, ctx.request.path_params["slug"], await ctx.user())
    return JSONResponse({"rooms": [service.room_json(room) for room in rooms]})


@endpoint
async def api_messages(ctx: Ctx) -> Response:
    found = await service.get_room_or_404(
        ctx.db, ctx.request.path_params["room_id"], await ctx.user()
    )
    messages, next_before = await service.history_page(ctx.db, found.room, _before(ctx))
    return JSONResponse({"messages": messages, "before": next_before})


routes = [
    Route("/api/v1/circles/{slug}/rooms", api_rooms, methods=["GET"]),
    Route("/api/v1/rooms/{room_id:id}/messages", api_messages, methods=["GET"]),
    WebSocketRoute("/ws/rooms/{room_id:id}", room_socket),
]
