"""Your safety plan: the JSON API, the page and a plain-text download. Only ever your own."""

from __future__ import annotations

from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from forum.accounts.models import User
from forum.errors import AppError
from forum.review.regions import choose_region
from forum.safety import service
from forum.safety.schemas import PlanIn
from forum.web import Ctx, endpoint

PRIVATE = {"Cache-Control": "no-store"}


def _region(ctx: Ctx, user: User) -> str:
    return choose_region(user.region, ctx.request.headers.get("accept-language"))


@endpoint
async def api_get_plan(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await service.read_plan(ctx.db, user, _region(ctx, user))
    return JSONResponse(service.plan_json(view), headers=PRIVATE)


@endpoint
async def api_put_plan(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(PlanIn)
    view = await service.save_plan(ctx.db, user, data.model_dump())
    return JSONResponse(service.plan_json(view), headers=PRIVATE)


@endpoint
async def plan_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    if ctx.request.method == "GET":
        view = await service.read_plan(ctx.db, user, _region(ctx, user))
        saved = ctx.request.query_params.get("saved") == "1"
        return ctx.render("safety_plan.html", plan=view, sections=service.SECTIONS, saved=saved)
    form = await ctx.request.form()
    token = form.get("csrf_token")
    ctx.check_csrf(token if isinstance(token, str) else None)
    # One line of a box is one line of the plan.
    lines = {key: str(form.get(key) or "").splitlines() for key in service.KEYS if key in form}
    try:
        await service.save_plan(ctx.db, user, lines)
    except AppError as exc:
        unsaved = service.PlanView({k: lines.get(k, []) for k in service.KEYS}, False, None)
        return ctx.form_error(
            "safety_plan.html", exc, plan=unsaved, sections=service.SECTIONS, saved=False
        )
    return ctx.redirect("/me/safety-plan?saved=1")


@endpoint
async def plan_download(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await service.read_plan(ctx.db, user, _region(ctx, user))
    return PlainTextResponse(
        service.plan_text(view, user.display_name),
        headers={
            **PRIVATE,
            "Content-Disposition": 'attachment; filename="my-safety-plan.txt"',
        },
    )


routes = [
    Route("/api/v1/me/safety-plan", api_get_plan, methods=["GET"]),
    Route("/api/v1/me/safety-plan", api_put_plan, methods=["PUT"]),
    Route("/me/safety-plan", plan_page, methods=["GET", "POST"]),
    Route("/me/safety-plan.txt", plan_download, methods=["GET"]),
]
