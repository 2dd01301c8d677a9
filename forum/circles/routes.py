"""Circle routes: list, create, read, join and leave (JSON API and pages)."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.accounts.boundaries import viewer_boundaries
from forum.accounts.schemas import Empty
from forum.chat import rooms
from forum.circles import service
from forum.circles.models import RuleItem
from forum.circles.schemas import Invite, Join, NewCircle
from forum.circles.service import CircleView
from forum.errors import AppError
from forum.people import service as people
from forum.rules import service as ground_rules
from forum.threads import service as threads
from forum.threads.service import ThreadSummary
from forum.web import Ctx, endpoint


def rules_json(version: int, items: Sequence[RuleItem]) -> dict[str, object]:
    return {
        "version": version,
        "items": [{"id": i.rule_id, "title": i.title, "text": i.text} for i in items],
    }


def circle_json(view: CircleView, items: Sequence[RuleItem] | None = None) -> dict[str, object]:
    circle, membership = view.circle, view.membership
    data: dict[str, object] = {
        "slug": circle.slug,
        "name": circle.name,
        "description": circle.description,
        "visibility": circle.visibility,
        "rules_version": circle.rules_version,
        "membership": None
        if membership is None
        else {"role": membership.role, "accepted_rules_version": membership.accepted_rules_version},
    }
    if items is not None:
        data["rules"] = rules_json(circle.rules_version, items)
    return data


async def _view(ctx: Ctx) -> CircleView:
    return await service.get_circle_view_or_404(
        ctx.db, ctx.request.path_params["slug"], await ctx.user()
    )


@endpoint
async def api_list_circles(ctx: Ctx) -> Response:
    views = await service.visible_circles(ctx.db, await ctx.user())
    return JSONResponse({"circles": [circle_json(view) for view in views]})


@endpoint
async def api_create_circle(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(NewCircle)
    await ctx.limit_writes(user)
    circle = await rooms.create_circle(
        ctx.db, user, data.slug, data.name, data.description, data.visibility
    )
    view = await service.get_circle_view_or_404(ctx.db, circle.slug, user)
    return JSONResponse(
        circle_json(view, await service.current_rules(ctx.db, circle)), status_code=201
    )


@endpoint
async def api_get_circle(ctx: Ctx) -> Response:
    view = await _view(ctx)
    return JSONResponse(circle_json(view, await service.current_rules(ctx.db, view.circle)))


@endpoint
async def api_join(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await _view(ctx)
    data = await ctx.json_body(Join)
    membership = await service.join_circle(ctx.db, user, view, data.accept_rules_version)
    ctx.forget_membership(view.circle.id, user.id)
    return JSONResponse(
        {
            "slug": view.circle.slug,
            "role": membership.role,
            "accepted_rules_version": membership.accepted_rules_version,
        }
    )


@endpoint
async def api_leave(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await _view(ctx)
    await ctx.json_body(Empty)
    await service.leave_circle(ctx.db, user, view)
    ctx.forget_membership(view.circle.id, user.id)
    return JSONResponse({"slug": view.circle.slug, "left": True})


@endpoint
async def api_invite(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await _view(ctx)
    data = await ctx.json_body(Invite)
    await ctx.limit_writes(user, ctx.app.limits.invitations)
    who = await people.named(ctx.db, user, data)
    membership = await service.invite_member(ctx.db, user, view, who)
    ctx.forget_membership(view.circle.id, membership.user_id)
    return JSONResponse(
        {"slug": view.circle.slug, "user_id": membership.user_id, "role": membership.role},
        status_code=201,
    )


async def _thread_page(ctx: Ctx, view: CircleView) -> tuple[list[ThreadSummary], str | None]:
    """A page of threads as this reader sees them (their blocks and muted words apply)."""
    user = await ctx.user()
    boundaries = None if user is None else await viewer_boundaries(ctx.db, ctx.app.read_cache, user)
    return await threads.list_threads(
        ctx.db, view, ctx.request.query_params.get("cursor"), ctx.app.settings.page_size, boundaries
    )


def _summary_json(summary: ThreadSummary) -> dict[str, object]:
    data: dict[str, object] = {
        "id": summary.thread.id,
        "title": summary.thread.title,
        "author": {"display_name": summary.author_name},
        "reply_count": summary.thread.reply_count,
        "created_at": summary.thread.created_at.isoformat(),
        "last_post_at": summary.thread.last_post_at.isoformat(),
    }
    if summary.muted:
        data["muted"] = True  # the title has one of your muted words: collapse it
    return data


@endpoint
async def api_list_threads(ctx: Ctx) -> Response:
    view = await _view(ctx)
    summaries, next_cursor = await _thread_page(ctx, view)
    return JSONResponse(
        {
            "threads": [_summary_json(s) for s in summaries],
            "next_cursor": next_cursor,
        }
    )


@endpoint
async def home_page(ctx: Ctx) -> Response:
    views = await service.visible_circles(ctx.db, await ctx.user())
    return ctx.render("home.html", circles=views)


@endpoint
async def new_circle_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    if ctx.request.method == "GET":
        return ctx.render("new_circle.html", form={"visibility": "public"})
    data = await ctx.form(NewCircle)
    try:
        await ctx.limit_writes(user)
        circle = await rooms.create_circle(
            ctx.db, user, data.slug, data.name, data.description, data.visibility
        )
    except AppError as exc:
        return ctx.form_error("new_circle.html", exc, form=data.model_dump())
    return ctx.redirect(f"/c/{circle.slug}")


@endpoint
async def circle_page(ctx: Ctx) -> Response:
    view = await _view(ctx)
    rules = await ground_rules.version_view(ctx.db, view.circle)
    summaries, next_cursor = await _thread_page(ctx, view)
    return ctx.render(
        "circle.html",
        view=view,
        rule_changes=rules,
        threads=summaries,
        next_cursor=next_cursor,
    )


@endpoint
async def join_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await _view(ctx)
    data = await ctx.form(Join)
    await service.join_circle(ctx.db, user, view, data.accept_rules_version)
    ctx.forget_membership(view.circle.id, user.id)
    return ctx.redirect(f"/c/{view.circle.slug}?joined=1")


@endpoint
async def leave_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await _view(ctx)
    await ctx.form(Empty)
    await service.leave_circle(ctx.db, user, view)
    ctx.forget_membership(view.circle.id, user.id)
    return ctx.redirect(f"/c/{view.circle.slug}")


@endpoint
async def invite_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await _view(ctx)
    data = await ctx.form(Invite)
    await ctx.limit_writes(user, ctx.app.limits.invitations)
    who = await people.named(ctx.db, user, data)
    invited = await service.invite_member(ctx.db, user, view, who)
    ctx.forget_membership(view.circle.id, invited.user_id)
    return ctx.redirect(f"/c/{view.circle.slug}?invited=1")


routes = [
    Route("/api/v1/circles", api_list_circles, methods=["GET"]),
    Route("/api/v1/circles", api_create_circle, methods=["POST"]),
    Route("/api/v1/circles/{slug}", api_get_circle, methods=["GET"]),
    Route("/api/v1/circles/{slug}/join", api_join, methods=["POST"]),
    Route("/api/v1/circles/{slug}/leave", api_leave, methods=["POST"]),
    Route("/api/v1/circles/{slug}/members", api_invite, methods=["POST"]),
    Route("/api/v1/circles/{slug}/threads", api_list_threads, methods=["GET"]),
    Route("/", home_page, methods=["GET"]),
    Route("/circles/new", new_circle_page, methods=["GET", "POST"]),
    Route("/c/{slug}", circle_page, methods=["GET"]),
    Route("/c/{slug}/join", join_page, methods=["POST"]),
    Route("/c/{slug}/leave", leave_page, methods=["POST"]),
    Route("/c/{slug}/invite", invite_page, methods=["POST"]),
]
