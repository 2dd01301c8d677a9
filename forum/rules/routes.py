"""The ground rules JSON API: versions, owners' edits, proposals, stances, decisions."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.circles import service as circles
from forum.circles.service import CircleView
from forum.i18n import N_
from forum.rules import proposals, service
from forum.rules.changes import worded_summary
from forum.rules.proposals import ProposalView
from forum.rules.schemas import DeclineIn, ProposalIn, RatifyIn, RulesEdit, StanceIn
from forum.rules.service import VersionView
from forum.web import Ctx, M, endpoint, validate


def version_json(view: VersionView) -> dict[str, object]:
    shown = view.shown
    return {
        "version": shown.version.version,
        "current_version": view.circle.rules_version,
        "summary": worded_summary(shown.version),
        "ratified_at": shown.version.ratified_at.isoformat(),
        "items": [{"id": i.rule_id, "title": i.title, "text": i.text} for i in shown.items],
        "changes": [change.as_json() for change in view.changes],
        "history": [
            {
                "version": v.version,
                "ratified_at": v.ratified_at.isoformat(),
                "summary": worded_summary(v),
            }
            for v in view.history
        ],
    }


def proposal_json(found: ProposalView) -> dict[str, object]:
    p = found.proposal
    data: dict[str, object] = {
        "id": p.id,
        "kind": p.kind,
        "status": p.status,
        "rule_id": p.rule_id,
        "title": p.title,
        "text": p.text,
        "old": None if p.old_title is None else {"title": p.old_title, "text": p.old_text},
        "rationale": p.rationale,
        "base_version": p.base_version,
        "author": None if found.author_name is None else {"display_name": found.author_name},
        "created_at": p.created_at.isoformat(),
        "tally": {"endorse": found.endorsements, "object": found.objections},
        "my_stance": None
        if found.mine is None
        else {"stance": found.mine.stance, "comment": found.mine.comment},
        "decision": None
        if p.decided_at is None
        else {
            "note": p.decision_note,
            "by": found.decider_name,
            "at": p.decided_at.isoformat(),
            "version": p.ratified_version,
        },
    }
    if found.for_owner:
        data["stances"] = [
            {
                "display_name": name,
                "stance": stance.stance,
                "comment": stance.comment,
                "updated_at": stance.updated_at.isoformat(),
            }
            for stance, name in found.stances
        ]
    return data


async def _view(ctx: Ctx) -> CircleView:
    return await circles.get_circle_view_or_404(
        ctx.db, ctx.request.path_params["slug"], await ctx.user()
    )


def _proposal_id(ctx: Ctx) -> int:
    return int(ctx.request.path_params["proposal_id"])


async def optional_body(ctx: Ctx, model: type[M]) -> M:
    """A body whose fields are all optional may be left out entirely."""
    if not (await ctx.request.body()).strip():
        ctx.check_api_csrf()
        return validate(model, {})
    return await ctx.json_body(model)


@endpoint
async def api_rules(ctx: Ctx) -> Response:
    view = await _view(ctx)
    number = service.requested_version(ctx.request.query_params.get("version"))
    found = await service.version_view(ctx.db, view.circle, number, with_history=True)
    return JSONResponse(version_json(found))


@endpoint
async def api_edit_rules(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await _view(ctx)
    data = await ctx.json_body(RulesEdit)
    # Who may edit is settled before what they sent: a member hears 403, not about a title.
    service.require_owner(view, N_("edit the ground rules"))
    drafts = service.drafts_from([(i.id, i.title, i.text) for i in data.items])
    await service.edit_rules(ctx.db, view, drafts, data.summary)
    ctx.forget_membership(view.circle.id, user.id)
    found = await service.version_view(ctx.db, view.circle, with_history=True)
    return JSONResponse(version_json(found))


@endpoint
async def api_list_proposals(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await _view(ctx)
    status = ctx.request.query_params.get("status", "all")
    found = await proposals.proposal_views(ctx.db, user, view, status)
    return JSONResponse(
        {
            "rules_version": view.circle.rules_version,
            "proposals": [proposal_json(p) for p in found],
        }
    )


@endpoint
async def api_propose(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await _view(ctx)
    data = await ctx.json_body(ProposalIn)
    await ctx.limit_writes(user)
    proposal = await proposals.propose(
        ctx.db,
        user,
        view,
        data.kind,
        data.rule_id,
        data.title,
        data.text,
        data.rationale,
        data.rules_version,
    )
    found = await proposals.one_proposal(ctx.db, user, proposal.id)
    return JSONResponse(proposal_json(found), status_code=201)


async def _answer(ctx: Ctx, proposal_id: int) -> Response:
    user = await ctx.require_user()
    found = await proposals.one_proposal(ctx.db, user, proposal_id)
    return JSONResponse(proposal_json(found))


@endpoint
async def api_proposal(ctx: Ctx) -> Response:
    return await _answer(ctx, _proposal_id(ctx))


@endpoint
async def api_stance(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(StanceIn)
    await ctx.limit_writes(user)
    await proposals.take_stance(ctx.db, user, _proposal_id(ctx), data.stance, data.comment)
    return await _answer(ctx, _proposal_id(ctx))


@endpoint
async def api_ratify(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await optional_body(ctx, RatifyIn)
    version = await proposals.ratify(ctx.db, user, _proposal_id(ctx), data.summary)
    ctx.forget_membership(version.circle_id, user.id)
    return JSONResponse({"id": _proposal_id(ctx), "status": "ratified", "version": version.version})


@endpoint
async def api_decline(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(DeclineIn)
    await proposals.decline(ctx.db, user, _proposal_id(ctx), data.reason)
    return await _answer(ctx, _proposal_id(ctx))


@endpoint
async def api_withdraw(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await optional_body(ctx, RatifyIn)
    await proposals.withdraw(ctx.db, user, _proposal_id(ctx))
    return await _answer(ctx, _proposal_id(ctx))


PROPOSAL = "/api/v1/rules/proposals/{proposal_id:id}"

routes = [
    Route("/api/v1/circles/{slug}/rules", api_rules, methods=["GET"]),
    Route("/api/v1/circles/{slug}/rules", api_edit_rules, methods=["PUT"]),
    Route("/api/v1/circles/{slug}/rules/proposals", api_list_proposals, methods=["GET"]),
    Route("/api/v1/circles/{slug}/rules/proposals", api_propose, methods=["POST"]),
    Route(PROPOSAL, api_proposal, methods=["GET"]),
    Route(PROPOSAL + "/endorse", api_stance, methods=["POST"]),
    Route(PROPOSAL + "/ratify", api_ratify, methods=["POST"]),
    Route(PROPOSAL + "/decline", api_decline, methods=["POST"]),
    Route(PROPOSAL + "/withdraw", api_withdraw, methods=["POST"]),
]
