"""Moderation pages: the queue, an item, the log, queue health, crisis support, admin, reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from forum.accounts import credentials
from forum.accounts import repository as accounts_repository
from forum.accounts.models import User
from forum.accounts.schemas import Empty, RoleForm
from forum.checkins import service as checkins
from forum.checkins.routes import remember
from forum.checkins.schemas import CheckInForm
from forum.circles import service as circles
from forum.circles.models import CircleRole
from forum.db import utcnow
from forum.errors import AppError, Invalid
from forum.fields import MAX_ID, parse_id
from forum.i18n import N_, gettext
from forum.review import escalation, reports, resources, service
from forum.review.health import WaitStats, queue_health
from forum.review.regions import REGIONS, choose_region, region_names
from forum.review.routes import announce
from forum.review.schemas import DecisionForm, EscalationForm, ReportForm, ResourceIn
from forum.review.service import QueueRow, Verdict
from forum.threads import content as threads_content
from forum.web import Ctx, endpoint
from moderation.crisis_model import SIGNS
from moderation.decision import Priority

# The words below are English (msgids); pages show them in the reader's language.
PRIORITY_WORDS = [
    (Priority.URGENT_CRISIS, N_("Urgent crisis")),
    (Priority.CRISIS, N_("Crisis")),
    (Priority.DISTRESS, N_("Distress")),
    (Priority.HELD, N_("Held")),
    (Priority.FLAGGED, N_("Flagged")),
    (Priority.REPORT, N_("Reported")),
    (Priority.SUPPORT, N_("Support")),
]
QUEUED = N_("Queued")
REASON_KINDS = {
    "crisis": N_("Crisis language"),
    "toxicity": N_("May be hurtful"),
    "self_directed": N_("Sounds painful (support)"),
    "classifier_unavailable": N_("Automatic check couldn't run"),
    "report": N_("Reported by a member"),
    # The circle's own watched words (forum/circle_moderation).
    "watched_word": N_("Watched word"),
    "watched_replaced": N_("Words replaced"),
    "content_warning": N_("Content warning added"),
}
ACTION_WORDS = {
    "approve": N_("Approved"),
    "reject": N_("Not published"),
    "remove": N_("Removed"),
    "escalate": N_("Passed to the admins"),
    "warn": N_("Warned the author"),
    "mute": N_("Paused the author's posting"),
    "check_in": N_("Checked in with the author"),
}


def priority_words(priority: int) -> str:
    """In English, as pages also make a CSS class of it: show it as `_(priority_words(p))`."""
    return next((words for level, words in PRIORITY_WORDS if priority >= level), QUEUED)


def translated(words: Mapping[str, str]) -> dict[str, str]:
    """One of the tables above in the reader's language."""
    return {key: gettext(text) for key, text in words.items()}


def duration_words(delta: timedelta | float | None) -> str:
    """Short words for a wait: "12 min", "3 h 5 min", "2 days"; a float counts minutes."""
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds() // 60 if isinstance(delta, timedelta) else delta)
    if minutes < 1:
        return gettext("under a minute")
    if minutes < 60:
        return gettext("%(minutes)d min") % {"minutes": minutes}
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        if rest:
            return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
        return gettext("%(hours)d h") % {"hours": hours}
    return gettext("%(days)d days") % {"days": minutes // 1440}


HELPERS: dict[str, Any] = {
    "priority_words": priority_words,
    "duration_words": duration_words,
    "check_in_text": checkins.DEFAULT_TEXT,
}


def _page(ctx: Ctx, template: str, **context: Any) -> Response:
    return ctx.render(template, **HELPERS, **context)


def _error_page(ctx: Ctx, template: str, exc: AppError, **context: Any) -> Response:
    return ctx.form_error(template, exc, **HELPERS, **context)


def _item_id(ctx: Ctx) -> int:
    return int(ctx.request.path_params["item_id"])


def _number(text: str, field: str, kind: Callable[[str], Any] = int) -> Any:
    try:
        value = kind(text) if text.strip() else None
    except ValueError:
        raise Invalid(
            gettext("'%(field)s' must be a number.") % {"field": field}, field=field
        ) from None
    if isinstance(value, int) and not 0 <= value <= MAX_ID:
        raise Invalid(gettext("'%(field)s' is out of range.") % {"field": field}, field=field)
    return value


def _filters(query: Mapping[str, str]) -> dict[str, Any]:
    circle = query.get("circle", "")
    reason = query.get("reason", "")
    return {
        "circle_id": parse_id(circle),
        "reason": reason if reason in REASON_KINDS else None,
        "urgent_only": query.get("urgent") == "1",
        "escalated_only": query.get("escalated") == "1",
    }


def _circle_choices(
    rows: list[QueueRow], views: list[circles.CircleView], user: User
) -> list[tuple[int, str]]:
    """Circles worth filtering by: those this person moderates, and any in the results."""
    moderates = (CircleRole.OWNER, CircleRole.MODERATOR)
    found = {
        v.circle.id: v.circle.name
        for v in views
        if user.is_staff or (v.membership is not None and v.membership.role in moderates)
    }
    found.update({row.item.circle_id: row.circle_name for row in rows})
    return sorted(found.items(), key=lambda pair: pair[1].casefold())


@endpoint
async def queue_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    filters = _filters(ctx.request.query_params)
    rows, counts = await service.queue_view(ctx.db, user, **filters)
    views = await circles.visible_circles(ctx.db, user)
    state = await service.wellbeing(ctx.db, user, ctx.app.shift_rules)
    return _page(
        ctx,
        "moderation_queue.html",
        rows=rows,
        counts=counts,
        filters=filters,
        now=utcnow(),
        circles=_circle_choices(rows, views, user),
        reasons=translated(REASON_KINDS),
        signs=SIGNS,
        wellbeing=state,
    )


async def _item_page(ctx: Ctx, user: User, error: AppError | None = None) -> Response:
    item, content, reports, history = await service.item_detail(ctx.db, user, _item_id(ctx))
    around = await service.item_context(ctx.db, item)
    nearby = await threads_content.posts_around(ctx.db, content)
    page: dict[str, Any] = {"item": item, "content": content, "reports": reports}
    page.update(history=history, around=around, nearby=nearby, now=utcnow())
    page.update(actions=translated(ACTION_WORDS), reasons=translated(REASON_KINDS), signs=SIGNS)
    if error is not None:
        return _error_page(ctx, "moderation_item.html", error, **page)
    return _page(ctx, "moderation_item.html", **page)


@endpoint
async def item_page(ctx: Ctx) -> Response:
    return await _item_page(ctx, await ctx.require_user())


@endpoint
async def claim_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await ctx.form(Empty)
    try:
        await service.claim_item(ctx.db, user, _item_id(ctx), ctx.app.shift_rules)
    except AppError as exc:
        return await _item_page(ctx, user, exc)
    return ctx.redirect(f"/moderation/items/{_item_id(ctx)}")


@endpoint
async def decide_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(DecisionForm)
    try:
        outcome = await service.decide_item(
            ctx.db,
            user,
            _item_id(ctx),
            Verdict(data.action),
            note=data.note,
            rule_id=_number(data.rule_id, "rule_id"),
            rules_version=_number(data.rules_version, "rules_version"),
            version=_number(data.version, "version"),
            mute_hours=_number(data.mute_hours, "mute_hours", float),
            rules=ctx.app.shift_rules,
        )
    except AppError as exc:
        return await _item_page(ctx, user, exc)
    announce(ctx, outcome.content)
    return ctx.redirect(f"/moderation?decided={outcome.item.id}")


@endpoint
async def check_in_form_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(CheckInForm)
    try:
        await ctx.limit_writes(user)
        outcome = await checkins.check_in(ctx.db, user, _item_id(ctx), data.body)
    except AppError as exc:
        return await _item_page(ctx, user, exc)
    remember(ctx, outcome)
    return ctx.redirect(f"/check-ins/{outcome.room.id}?sent=1")


@endpoint
async def log_page(ctx: Ctx) -> Response:
    entries = await service.moderation_log(ctx.db, await ctx.require_user())
    return _page(ctx, "moderation_log.html", entries=entries, actions=translated(ACTION_WORDS))


def _waits(stats: WaitStats) -> dict[str, Any]:
    return {
        "decided": stats.decided,
        "median": duration_words(stats.median_minutes),
        "p90": duration_words(stats.p90_minutes),
    }


@endpoint
async def health_page(ctx: Ctx) -> Response:
    health = await queue_health(ctx.db, await ctx.require_user())
    peak = max((n for _, n, _ in health.days), default=0) or 1
    return _page(
        ctx,
        "moderation_health.html",
        health=health,
        peak=peak,
        crisis_wait=_waits(health.crisis_wait),
        other_wait=_waits(health.other_wait),
    )


@endpoint
async def support_page(ctx: Ctx) -> Response:
    user = await ctx.user()
    asked = ctx.request.query_params.get("region", "").upper()
    region = (
        asked
        if asked in REGIONS
        else choose_region(
            user.region if user else None, ctx.request.headers.get("accept-language")
        )
    )
    yours = await resources.resources_for(ctx.db, region) if region != "*" else []
    everything = await resources.all_resources(ctx.db)
    ctx.app.crisis_lines.remember(everything)  # what the outage page shows, kept fresh
    return _page(
        ctx,
        "support.html",
        region=region,
        regions=region_names(),
        yours=yours,
        everything=everything,
    )


async def _admin_page(ctx: Ctx, error: AppError | None = None, **form: Any) -> Response:
    user = await ctx.require_user()
    resources.require_admin(user)
    page = {
        "model_name": ctx.app.screener.model_name,
        "pipeline_version": ctx.app.screener.pipeline.version,
        "all_resources": await resources.all_resources(ctx.db),
        "escalate_after": await escalation.escalate_after(ctx.db),
        "regions": region_names(),
        "staff": await accounts_repository.staff(ctx.db),
        "form": form,
    }
    if error is not None:
        return _error_page(ctx, "admin.html", error, **page)
    return _page(ctx, "admin.html", **page)


@endpoint
async def admin_page(ctx: Ctx) -> Response:
    return await _admin_page(ctx)


@endpoint
async def add_resource_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(ResourceIn)
    try:
        fields = data.model_dump(exclude={"position"})
        position = _number(data.position, "position") or 0
        await resources.add_resource(ctx.db, user, position=position, **fields)
    except AppError as exc:
        return await _admin_page(ctx, exc, **data.model_dump())
    return ctx.redirect("/admin?saved=1#resources")


@endpoint
async def escalation_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(EscalationForm)
    try:
        minutes = _number(data.escalate_after_minutes, "escalate_after_minutes")
        await escalation.set_escalate_after(ctx.db, user, -1 if minutes is None else minutes)
    except AppError as exc:
        return await _admin_page(ctx, exc, escalate_after_minutes=data.escalate_after_minutes)
    return ctx.redirect("/admin?saved=escalation#escalation")


@endpoint
async def site_role_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(RoleForm)
    try:
        target = await credentials.set_site_role(ctx.db, user, data.username, data.role)
    except AppError as exc:
        return await _admin_page(ctx, exc, role_username=data.username, role=data.role)
    ctx.forget_user(target.id)
    return ctx.redirect("/admin?saved=roles#roles")


@endpoint
async def delete_resource_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await ctx.form(Empty)
    await resources.delete_resource(ctx.db, user, int(ctx.request.path_params["resource_id"]))
    return ctx.redirect("/admin?deleted=1#resources")


@endpoint
async def my_decisions_page(ctx: Ctx) -> Response:
    entries = await service.decisions_about(ctx.db, await ctx.require_user())
    return _page(ctx, "my_decisions.html", entries=entries, actions=translated(ACTION_WORDS))


@endpoint
async def report_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    post_id = int(ctx.request.path_params["post_id"])
    content, rules = await reports.report_form(ctx.db, user, post_id)
    if ctx.request.method == "GET":
        return ctx.render("report.html", content=content, rules=rules)
    data = await ctx.form(ReportForm)
    try:
        await ctx.limit_writes(user, ctx.app.limits.reports)
        rule_id = _number(data.rule_id, "rule_id")
        await reports.report_content(ctx.db, user, "post", post_id, data.reason, rule_id)
    except AppError as exc:
        return ctx.form_error("report.html", exc, content=content, rules=rules, reason=data.reason)
    return ctx.redirect(f"{content.link.split('#')[0]}?reported=1#post-{post_id}")


routes = [
    Route("/moderation", queue_page, methods=["GET"]),
    Route("/moderation/items/{item_id:id}", item_page, methods=["GET"]),
    Route("/moderation/items/{item_id:id}/claim", claim_page, methods=["POST"]),
    Route("/moderation/items/{item_id:id}/decision", decide_page, methods=["POST"]),
    Route("/moderation/items/{item_id:id}/check-in", check_in_form_page, methods=["POST"]),
    Route("/moderation/log", log_page, methods=["GET"]),
    Route("/moderation/health", health_page, methods=["GET"]),
    Route("/support", support_page, methods=["GET"]),
    Route("/admin", admin_page, methods=["GET"]),
    Route("/admin/resources", add_resource_page, methods=["POST"]),
    Route("/admin/escalation", escalation_page, methods=["POST"]),
    Route("/admin/roles", site_role_page, methods=["POST"]),
    Route("/admin/resources/{resource_id:id}/delete", delete_resource_page, methods=["POST"]),
    Route("/account/moderation", my_decisions_page, methods=["GET"]),
    Route("/posts/{post_id:id}/report", report_page, methods=["GET", "POST"]),
]
