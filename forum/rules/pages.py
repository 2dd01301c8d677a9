"""Ground rules pages: versions and proposals, members' stances, owners' decisions and edits."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from forum.circles import service as circles
from forum.circles.models import RuleItem
from forum.circles.service import CircleView
from forum.errors import AppError, Invalid
from forum.fields import parse_id
from forum.i18n import N_, _
from forum.rules import proposals, service
from forum.rules.changes import (
    COMMENT_MAX,
    MAX_RULES,
    RATIONALE_MAX,
    REASON_MAX,
    SUMMARY_MAX,
    TEXT_MAX,
    TITLE_MAX,
    worded_summary,
)
from forum.rules.schemas import DeclineIn, ProposalForm, RatifyIn, RulesEditForm, StanceIn
from forum.web import Ctx, endpoint

LIMITS = {
    "title": TITLE_MAX,
    "text": TEXT_MAX,
    "rationale": RATIONALE_MAX,
    "comment": COMMENT_MAX,
    "reason": REASON_MAX,
    "summary": SUMMARY_MAX,
    "rules": MAX_RULES,
}
KIND_WORDS = {"add": N_("Add a rule"), "change": N_("Change a rule"), "remove": N_("Remove a rule")}
EDIT_FIELD = re.compile(r"^rule-(\d{1,3})-(id|title|text|position|remove)$")


async def _view(ctx: Ctx) -> CircleView:
    return await circles.get_circle_view_or_404(
        ctx.db, ctx.request.path_params["slug"], await ctx.user()
    )


def _number(text: str, field: str) -> int | None:
    if not text.strip():
        return None
    value = parse_id(text.strip())
    if value is None:
        raise Invalid(_("'%(field)s' must be a number.") % {"field": field}, field=field)
    return value


async def _rules_page(
    ctx: Ctx, view: CircleView, error: AppError | None = None, **extra: Any
) -> Response:
    """The rules page; with `error`, shown again after a refused form (nothing is kept)."""
    version = service.requested_version(ctx.request.query_params.get("version"))
    shown = await service.version_view(ctx.db, view.circle, version, with_history=True)
    user = await ctx.user()
    found = (
        await proposals.proposal_views(ctx.db, user, view)
        if user is not None and view.is_member
        else []
    )
    open_ones, closed = proposals.split(found)
    context = {
        "view": view,
        "shown": shown,
        "open_proposals": open_ones,
        "closed_proposals": closed,
        "is_owner": view.is_owner,
        "limits": LIMITS,
        "kinds": {kind: _(words) for kind, words in KIND_WORDS.items()},
        "summary_of": worded_summary,
        **extra,
    }
    if error is not None:
        return ctx.form_error("rules.html", error, **context)
    return ctx.render("rules.html", **context)


@endpoint
async def rules_page(ctx: Ctx) -> Response:
    return await _rules_page(ctx, await _view(ctx))


@endpoint
async def propose_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await _view(ctx)
    data = await ctx.form(ProposalForm)
    try:
        await ctx.limit_writes(user)
        proposal = await proposals.propose(
            ctx.db,
            user,
            view,
            data.kind,
            _number(data.rule_id, "rule_id"),
            data.title,
            data.text,
            data.rationale,
            _number(data.rules_version, "rules_version"),
        )
    except AppError as exc:
        return await _rules_page(ctx, view, exc, form=data.model_dump())
    return ctx.redirect(f"/c/{view.circle.slug}/rules?proposed=1#proposal-{proposal.id}")


async def _after(ctx: Ctx, user_action: str) -> Response:
    """Run one action on a proposal from its form; back to the rules page either way."""
    user = await ctx.require_user()
    proposal_id = int(ctx.request.path_params["proposal_id"])
    _proposal, view = await proposals.get_proposal_or_404(ctx.db, user, proposal_id)
    try:
        if user_action == "endorse":
            stance = await ctx.form(StanceIn)
            await ctx.limit_writes(user)
            await proposals.take_stance(ctx.db, user, proposal_id, stance.stance, stance.comment)
        elif user_action == "ratify":
            ratify = await ctx.form(RatifyIn)
            await proposals.ratify(ctx.db, user, proposal_id, ratify.summary)
            ctx.forget_membership(view.circle.id, user.id)
        elif user_action == "decline":
            decline = await ctx.form(DeclineIn)
            await proposals.decline(ctx.db, user, proposal_id, decline.reason)
        else:
            await ctx.form(RatifyIn)
            await proposals.withdraw(ctx.db, user, proposal_id)
    except AppError as exc:
        return await _rules_page(ctx, view, exc)
    return ctx.redirect(f"/c/{view.circle.slug}/rules?done={user_action}#proposal-{proposal_id}")


@endpoint
async def stance_page(ctx: Ctx) -> Response:
    return await _after(ctx, "endorse")


@endpoint
async def ratify_page(ctx: Ctx) -> Response:
    return await _after(ctx, "ratify")


@endpoint
async def decline_page(ctx: Ctx) -> Response:
    return await _after(ctx, "decline")


@endpoint
async def withdraw_page(ctx: Ctx) -> Response:
    return await _after(ctx, "withdraw")


def edit_rows(fields: Mapping[str, Any]) -> list[dict[str, str]]:
    """The edit form's rows as sent, in the page's order."""
    rows: dict[int, dict[str, str]] = {}
    for name, value in fields.items():
        if (match := EDIT_FIELD.match(name)) and isinstance(value, str):
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [rows[index] for index in sorted(rows)]


def edit_entries(rows: list[dict[str, str]]) -> list[tuple[int | None, str, str]]:
    """The rules in their chosen order, without those marked for removal or left empty."""
    ordered = []
    for index, row in enumerate(rows):
        if row.get("remove") or not (row.get("id") or row.get("title") or row.get("text")):
            continue
        position = _number(row.get("position", ""), "position")
        ordered.append((position if position is not None else index + 1, index, row))
    ordered.sort(key=lambda entry: (entry[0], entry[1]))
    return [
        (_number(row.get("id", ""), "id"), row.get("title", ""), row.get("text", ""))
        for _, _, row in ordered
    ]


def _rows_of(items: Sequence[RuleItem]) -> list[dict[str, str]]:
    return [
        {"id": str(item.rule_id), "title": item.title, "text": item.text, "position": str(n)}
        for n, item in enumerate(items, start=1)
    ]


@endpoint
async def edit_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await _view(ctx)
    service.require_owner(view, N_("edit the ground rules"))
    if ctx.request.method == "GET":
        items = await service.current_items(ctx.db, view.circle)
        return ctx.render("rules_edit.html", view=view, rows=_rows_of(items), limits=LIMITS)
    data = await ctx.form(RulesEditForm)
    rows = edit_rows(data.model_extra or {})
    try:
        drafts = service.drafts_from(edit_entries(rows))
        await service.edit_rules(ctx.db, view, drafts, data.summary)
        ctx.forget_membership(view.circle.id, user.id)
    except AppError as exc:
        shown = [row for row in rows if row.get("id") or row.get("title") or row.get("text")]
        return ctx.form_error(
            "rules_edit.html", exc, view=view, rows=shown, limits=LIMITS, summary=data.summary
        )
    return ctx.redirect(f"/c/{view.circle.slug}?rules=updated#rules-heading")


PROPOSAL = "/rules/proposals/{proposal_id:id}"

routes = [
    Route("/c/{slug}/rules", rules_page, methods=["GET"]),
    Route("/c/{slug}/rules/edit", edit_page, methods=["GET", "POST"]),
    Route("/c/{slug}/rules/proposals", propose_page, methods=["POST"]),
    Route(PROPOSAL + "/endorse", stance_page, methods=["POST"]),
    Route(PROPOSAL + "/ratify", ratify_page, methods=["POST"]),
    Route(PROPOSAL + "/decline", decline_page, methods=["POST"]),
    Route(PROPOSAL + "/withdraw", withdraw_page, methods=["POST"]),
]
