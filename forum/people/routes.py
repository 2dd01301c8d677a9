"""The member picker's search: people you share a circle with, by display name (in one
circle, for the suggestions that complete a mention)."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.people import service
from forum.web import Ctx, endpoint


@endpoint
async def api_people(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    params = ctx.request.query_params
    found = await service.find(ctx.db, user, params.get("q", ""), params.get("circle"))
    return JSONResponse({"items": [service.person_json(person) for person in found]})


routes = [Route("/api/v1/me/people", api_people, methods=["GET"])]
