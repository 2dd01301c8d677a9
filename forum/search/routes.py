"""Search routes: the JSON API and the page."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.accounts.boundaries import viewer_boundaries
from forum.errors import AppError
from forum.search import service
from forum.search.repository import Terms
from forum.search.service import Hit
from forum.web import Ctx, endpoint


async def _search(ctx: Ctx, terms: Terms) -> list[Hit]:
    user = await ctx.user()
    # The reader's muted words and blocks (remembered briefly, as for thread pages).
    boundaries = None if user is None else await viewer_boundaries(ctx.db, ctx.app.read_cache, user)
    return await service.search(ctx.db, terms, user, boundaries)


@endpoint
async def api_search(ctx: Ctx) -> Response:
    terms = service.parse_query(ctx.request.query_params.get("q", ""))
    hits = await _search(ctx, terms)
    return JSONResponse({"items": [service.hit_json(hit) for hit in hits]})


@endpoint
async def search_page(ctx: Ctx) -> Response:
    q = ctx.request.query_params.get("q", "")
    await ctx.user()  # the header names who is signed in
    limit = service.MAX_QUERY
    if not q.strip():  # the form, before anything was asked
        return ctx.render("search.html", q="", hits=None, error=None, max_length=limit)
    try:
        terms = service.parse_query(q)
    except AppError as exc:
        return ctx.form_error("search.html", exc, q=q, hits=None, max_length=limit)
    hits = await _search(ctx, terms)
    return ctx.render("search.html", q=q, hits=hits, error=None, max_length=limit)


routes = [
    Route("/api/v1/search", api_search, methods=["GET"]),
    Route("/search", search_page, methods=["GET"]),
]
