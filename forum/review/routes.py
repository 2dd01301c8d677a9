"""Moderation JSON API: the queue, claims, decisions, reports, crisis resources."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.accounts.schemas import Empty
from forum.fields import parse_id
from forum.i18n import gettext, reasons_said
from forum.review import escalation, reports, resources, service
from forum.review.content import ContentInfo
from forum.review.health import queue_health
from forum.review.models import LogEntry, ReviewItem
from forum.review.regions import choose_region
from forum.review.schemas import DecisionIn, EscalationIn, ReportIn
from forum.review.service import QueueRow, Verdict
from forum.web import Ctx, endpoint


def item_json(item: ReviewItem, claimed_by: str | None = None) -> dict[str, Any]:
    return {
        "id": item.id,
        "content_type": item.content_type,
        "content_id": item.content_id,
        "circle_id": item.circle_id,
        "priority": item.priority,
        "crisis_level": item.crisis_level,
        "held": item.held,
        "sensitive": item.sensitive,
        "reasons": reasons_said(item.reasons),
        "scores": item.scores,
        "pipeline_version": item.pipeline_version,
        "status": item.status,
        "resolution": item.resolution,
        "claimed_by": claimed_by,
        "claim_expires_at": item.claim_expires_at.isoformat() if item.claim_expires_at else None,
        "version": item.version,
        "created_at": item.created_at.isoformat(),
    }


def row_json(row: QueueRow) -> dict[str, Any]:
    data = item_json(row.item, row.claimed_by_name)
    data.update(
        circle=row.circle_name,
        author={"display_name": row.author_name},
        waiting_seconds=int(row.waiting.total_seconds()),
    )
    return data


def content_json(content: ContentInfo | None) -> dict[str, Any] | None:
    if content is None:
        return None
    return {
        "content_type": content.content_type,
        "id": content.content_id,
        "status": content.status,
        "title": content.title,
        "body_html": content.body_html,
        "thread_id": content.thread_id,
        "link": content.link,
    }


def entry_json(entry: LogEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "item_id": entry.item_id,
        "actor": entry.actor_name,
        "action": entry.action,
        "content_type": entry.content_type,
        "content_id": entry.content_id,
        "rule": None
        if entry.rule_id is None
        else {
            "id": entry.rule_id,
            "title": entry.rule_title,
            "text": entry.rule_text,
            "version": entry.rules_version,
        },
        "note": entry.note,
        "created_at": entry.created_at.isoformat(),
    }


def _item_id(ctx: Ctx) -> int:
    return int(ctx.request.path_params["item_id"])


@endpoint
async def api_queue_counts(ctx: Ctx) -> Response:
    return JSONResponse(await service.queue_counts(ctx.db, await ctx.require_user()))


@endpoint
async def api_queue(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    query = ctx.request.query_params
    circle = query.get("circle_id")
    rows, counts = await service.queue_view(
        ctx.db,
        user,
        circle_id=parse_id(circle),
        reason=query.get("reason") or None,
        urgent_only=query.get("urgent") in ("1", "true"),
        escalated_only=query.get("escalated") in ("1", "true"),
    )
    state = await service.wellbeing(ctx.db, user, ctx.app.shift_rules)
    return JSONResponse(
        {
            "items": [row_json(row) for row in rows],
            "counts": counts,
            "wellbeing": {
                "decisions_this_shift": state.decisions_this_shift,
                "shift_limit": state.shift_limit,
                "take_a_break": state.take_a_break,
            },
        }
    )


@endpoint
async def api_item(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    item, content, reports, history = await service.item_detail(ctx.db, user, _item_id(ctx))
    return JSONResponse(
        {
            "item": item_json(item),
            "content": content_json(content),
            "reports": [
                {
                    "reason": r.reason,
                    "rule_id": r.rule_id,
                    "rules_version": r.rules_version,
                    "reporter": name,
                    "created_at": r.created_at.isoformat(),
                }
                for r, name in reports
            ],
            "history": [entry_json(e) for e in history],
        }
    )


@endpoint
async def api_claim(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await ctx.json_body(Empty)
    item = await service.claim_item(ctx.db, user, _item_id(ctx), ctx.app.shift_rules)
    return JSONResponse(item_json(item, user.display_name))


@endpoint
async def api_decide(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(DecisionIn)
    outcome = await service.decide_item(
        ctx.db,
        user,
        _item_id(ctx),
        Verdict(data.action),
        rule_id=data.rule_id,
        rules_version=data.rules_version,
        note=data.note,
        version=data.version,
        mute_hours=data.mute_hours,
        rules=ctx.app.shift_rules,
    )
    announce(ctx, outcome.content)
    return JSONResponse(
        {
            "item": item_json(outcome.item),
            "content": content_json(outcome.content),
            "log": entry_json(outcome.entry),
        }
    )


def announce(ctx: Ctx, content: ContentInfo | None) -> None:
    """After the decision commits, drop cached pages that showed (or hid) the content."""
    if content is not None and content.thread_id is not None:
        ctx.forget_thread(content.thread_id)


@endpoint
async def api_log(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    entries = await service.moderation_log(ctx.db, user)
    return JSONResponse({"entries": [entry_json(e) for e in entries]})


@endpoint
async def api_escalation(ctx: Ctx) -> Response:
    """GET: the admin's setting; PUT: change it (admins only, 1 to 240 minutes)."""
    user = await ctx.require_user()
    resources.require_admin(user)
    if ctx.request.method == "PUT":
        data = await ctx.json_body(EscalationIn)
        await escalation.set_escalate_after(ctx.db, user, data.escalate_after_minutes)
    minutes = await escalation.escalate_after(ctx.db)
    return JSONResponse({"escalate_after_minutes": minutes})


@endpoint
async def api_health(ctx: Ctx) -> Response:
    health = await queue_health(ctx.db, await ctx.require_user())
    return JSONResponse(
        {
            "days": [{"day": d.isoformat(), "items": n, "crisis": c} for d, n, c in health.days],
            "time_to_first_decision_minutes": {
                name: {"decided": w.decided, "median": w.median_minutes, "p90": w.p90_minutes}
                for name, w in (("crisis", health.crisis_wait), ("other", health.other_wait))
            },
            "waiting_for_first_look": health.open_items,
            "escalate_after_minutes": health.escalate_after,
            "overdue": [
                {"item_id": o.item_id, "waited_minutes": o.waited_minutes, "escalated": o.escalated}
                for o in health.overdue
            ],
        }
    )


@endpoint
async def api_report(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(ReportIn)
    await ctx.limit_writes(user, ctx.app.limits.reports)
    await reports.report_content(
        ctx.db, user, data.content_type, data.content_id, data.reason, data.rule_id
    )
    return JSONResponse(
        {"status": "received", "message": gettext("Thank you. A moderator will take a look.")},
        status_code=201,
    )


@endpoint
async def api_my_decisions(ctx: Ctx) -> Response:
    entries = await service.decisions_about(ctx.db, await ctx.require_user())
    # Authors learn what was decided and why, not which volunteer decided it.
    decisions = [{k: v for k, v in entry_json(e).items() if k != "actor"} for e in entries]
    return JSONResponse({"decisions": decisions})


@endpoint
async def api_crisis_resources(ctx: Ctx) -> Response:
    user = await ctx.user()
    region = ctx.request.query_params.get("region") or choose_region(
        user.region if user else None, ctx.request.headers.get("accept-language")
    )
    region = resources.check_region(region)
    found = await resources.resources_for(ctx.db, region)
    return JSONResponse(
        {"region": region, "resources": [resources.resource_json(r) for r in found]}
    )


routes = [
    Route("/api/v1/moderation/queue", api_queue, methods=["GET"]),
    Route("/api/v1/moderation/queue/counts", api_queue_counts, methods=["GET"]),
    Route("/api/v1/moderation/items/{item_id:id}", api_item, methods=["GET"]),
    Route("/api/v1/moderation/items/{item_id:id}/claim", api_claim, methods=["POST"]),
    Route("/api/v1/moderation/items/{item_id:id}/decision", api_decide, methods=["POST"]),
    Route("/api/v1/moderation/log", api_log, methods=["GET"]),
    Route("/api/v1/moderation/health", api_health, methods=["GET"]),
    Route("/api/v1/admin/escalation", api_escalation, methods=["GET", "PUT"]),
    Route("/api/v1/reports", api_report, methods=["POST"]),
    Route("/api/v1/me/moderation", api_my_decisions, methods=["GET"]),
    Route("/api/v1/crisis-resources", api_crisis_resources, methods=["GET"]),
]
