"""The first-run page, `/welcome`: new members land here after registering."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from forum.accounts.models import User
from forum.chat.direct import DM_POLICY_LABELS
from forum.errors import AppError, Invalid
from forum.i18n import _
from forum.review.regions import region_names
from forum.web import Ctx, endpoint
from forum.welcome import service
from moderation.content_warnings import WARNINGS, full_prefs


async def _page(
    ctx: Ctx, user: User, chosen: service.Choices | None = None, status: int = 200, **extra: object
) -> Response:
    prefs = {
        **full_prefs(user.content_warning_prefs),
        **(chosen.content_warnings if chosen else {}),
    }
    return ctx.render(
        "welcome.html",
        status_code=status,
        offered=await service.circles_to_offer(ctx.db, user),
        regions=region_names(),
        dm_policy_labels=DM_POLICY_LABELS,
        cw_prefs=prefs,
        chosen=chosen,
        **extra,
    )


async def _choices(ctx: Ctx) -> service.Choices:
    form = await ctx.request.form()
    ctx.check_csrf(str(form.get("csrf_token") or ""))
    fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    joins = []
    for slug in form.getlist("circle"):
        version = str(form.get(f"rules_{slug}") or "")
        if not isinstance(slug, str) or not version.isdigit():
            raise Invalid(_("Choose circles from the list on this page."), field="circles")
        joins.append((slug, int(version)))
    return service.Choices(
        region=fields.get("region", ""),
        dm_policy=fields.get("dm_policy", ""),
        muted_text=fields.get("muted_words", "")[:5000],
        content_warnings={key: fields[f"cw_{key}"] for key in WARNINGS if fields.get(f"cw_{key}")},
        joins=joins,
    )


@endpoint
async def welcome_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    if ctx.request.method == "GET":
        return await _page(ctx, user)
    choices = await _choices(ctx)
    try:
        joined = await service.settle_in(ctx.db, user, choices)
    except AppError as exc:
        ctx.failed = True  # nothing of this form is kept; the page shows what was chosen
        return await _page(ctx, user, choices, exc.status, error=exc.message)
    ctx.forget_user(user.id)
    for view in joined:
        ctx.forget_membership(view.circle.id, user.id)
    return ctx.redirect(
        f"/c/{joined[0].circle.slug}?joined=1" if len(joined) == 1 else "/?welcome=1"
    )


routes = [Route("/welcome", welcome_page, methods=["GET", "POST"])]
