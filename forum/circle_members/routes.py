"""A circle's members: the list, removing and banning (JSON API and the members page)."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.accounts.schemas import Empty
from forum.circle_members import service
from forum.circle_members.schemas import BanForm, BanIn
from forum.circles.service import CircleView
from forum.errors import AppError
from forum.web import Ctx, endpoint


async def _view(ctx: Ctx) -> CircleView:
    user = await ctx.require_user()
    return await service.view_or_404(ctx.db, ctx.request.path_params["slug"], user)


def _username(ctx: Ctx) -> str:
    return str(ctx.request.path_params["username"])


@endpoint
async def api_members(ctx: Ctx) -> Response:
    view = await _view(ctx)
    user = await ctx.require_user()
    rows = await service.list_members(ctx.db, user, view)
    manager = service.manages(user, view)
    return JSONResponse({"slug": view.circle.slug, "members": service.members_json(rows, manager)})


@endpoint
async def api_remove(ctx: Ctx) -> Response:
    view = await _view(ctx)
    await ctx.json_body(Empty)
    target = await service.remove_member(ctx.db, await ctx.require_user(), view, _username(ctx))
    ctx.forget_membership(view.circle.id, target.id)
    return JSONResponse({"slug": view.circle.slug, "username": target.username, "removed": True})


@endpoint
async def api_bans(ctx: Ctx) -> Response:
    view = await _view(ctx)
    rows = await service.list_bans(ctx.db, await ctx.require_user(), view)
    return JSONResponse({"slug": view.circle.slug, "bans": [service.ban_json(r) for r in rows]})


@endpoint
async def api_ban(ctx: Ctx) -> Response:
    view = await _view(ctx)
    data = await ctx.json_body(BanIn)
    user = await ctx.require_user()
    target, ban = await service.ban_member(ctx.db, user, view, data.username, data.reason)
    ctx.forget_membership(view.circle.id, target.id)
    return JSONResponse(
        {
            "slug": view.circle.slug,
            "username": target.username,
            "display_name": target.display_name,
            "reason": ban.reason,
            "banned": True,
        },
        status_code=201,
    )


@endpoint
async def api_lift_ban(ctx: Ctx) -> Response:
    view = await _view(ctx)
    await ctx.json_body(Empty)
    target = await service.lift_ban(ctx.db, await ctx.require_user(), view, _username(ctx))
    return JSONResponse({"slug": view.circle.slug, "username": target.username, "banned": False})


async def _page(ctx: Ctx, view: CircleView, error: AppError | None = None) -> Response:
    user = await ctx.require_user()
    rows = await service.list_members(ctx.db, user, view)
    manager = service.manages(user, view)
    bans = await service.list_bans(ctx.db, user, view) if manager else []
    if error is not None:
        ctx.failed = True
    return ctx.render(
        "circle_members.html",
        status_code=200 if error is None else error.status,
        view=view,
        members=rows,
        bans=bans,
        manager=manager,
        error=None if error is None else error.message,
    )


@endpoint
async def members_page(ctx: Ctx) -> Response:
    return await _page(ctx, await _view(ctx))


@endpoint
async def remove_page(ctx: Ctx) -> Response:
    view = await _view(ctx)
    await ctx.form(Empty)
    try:
        target = await service.remove_member(ctx.db, await ctx.require_user(), view, _username(ctx))
    except AppError as exc:
        return await _page(ctx, view, exc)
    ctx.forget_membership(view.circle.id, target.id)
    return ctx.redirect(f"/c/{view.circle.slug}/members?done=removed")


async def _ban(ctx: Ctx, view: CircleView, username: str, reason: str) -> Response:
    user = await ctx.require_user()
    try:
        target, _ = await service.ban_member(ctx.db, user, view, username, reason)
    except AppError as exc:
        return await _page(ctx, view, exc)
    ctx.forget_membership(view.circle.id, target.id)
    return ctx.redirect(f"/c/{view.circle.slug}/members?done=banned")


@endpoint
async def ban_page(ctx: Ctx) -> Response:
    view = await _view(ctx)
    data = await ctx.form(BanForm)
    return await _ban(ctx, view, _username(ctx), data.reason)


@endpoint
async def ban_by_name_page(ctx: Ctx) -> Response:
    view = await _view(ctx)
    data = await ctx.form(BanForm)
    return await _ban(ctx, view, data.username, data.reason)


@endpoint
async def lift_page(ctx: Ctx) -> Response:
    view = await _view(ctx)
    await ctx.form(Empty)
    try:
        await service.lift_ban(ctx.db, await ctx.require_user(), view, _username(ctx))
    except AppError as exc:
        return await _page(ctx, view, exc)
    return ctx.redirect(f"/c/{view.circle.slug}/members?done=lifted")


routes = [
    Route("/api/v1/circles/{slug}/members", api_members, methods=["GET"]),
    Route("/api/v1/circles/{slug}/members/{username}", api_remove, methods=["DELETE"]),
    Route("/api/v1/circles/{slug}/bans", api_bans, methods=["GET"]),
    Route("/api/v1/circles/{slug}/bans", api_ban, methods=["POST"]),
    Route("/api/v1/circles/{slug}/bans/{username}", api_lift_ban, methods=["DELETE"]),
    Route("/c/{slug}/members", members_page, methods=["GET"]),
    Route("/c/{slug}/members/{username}/remove", remove_page, methods=["POST"]),
    Route("/c/{slug}/members/{username}/ban", ban_page, methods=["POST"]),
    Route("/c/{slug}/bans", ban_by_name_page, methods=["POST"]),
    Route("/c/{slug}/bans/{username}/lift", lift_page, methods=["POST"]),
]
