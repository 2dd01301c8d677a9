"""Queue health: items per day and how long people wait for a first human look."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.db import utcnow
from forum.review import repository
from forum.review.escalation import escalate_after
from forum.review.service import moderation_scope


@dataclass(frozen=True)
class WaitStats:
    decided: int
    median_minutes: float | None
    p90_minutes: float | None


@dataclass(frozen=True)
class Overdue:
    item_id: int
    waited_minutes: float
    escalated: bool  # the background task has escalated it (pushed again, author told)


@dataclass(frozen=True)
class Health:
    days: list[tuple[date, int, int]]  # day, items created, items of them about crisis
    crisis_wait: WaitStats
    other_wait: WaitStats
    open_items: int
    escalate_after: int  # minutes an urgent item may wait unclaimed
    overdue: list[Overdue]  # urgent items nobody holds that waited longer than that


async def _overdue(
    db: AsyncSession, scope: list[int] | None, now: datetime, limit: int
) -> list[Overdue]:
    found = []
    for item in await repository.waiting_urgent(db, scope, now):
        waited = (now - item.created_at).total_seconds() / 60
        if waited >= limit:
            found.append(Overdue(item.id, round(waited, 1), item.overdue_at is not None))
    return found


def _percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _wait_stats(minutes: list[float]) -> WaitStats:
    if not minutes:
        return WaitStats(0, None, None)
    return WaitStats(len(minutes), statistics.median(minutes), _percentile(minutes, 0.9))


async def queue_health(
    db: AsyncSession, moderator: User, days: int = 14, now: datetime | None = None
) -> Health:
    scope = await moderation_scope(db, moderator)
    now = now or utcnow()
    limit = await escalate_after(db)
    today = now.date()
    start = today - timedelta(days=days - 1)
    since = utcnow() - timedelta(days=days)
    items = await repository.items_since(db, since, scope)
    per_day = {start + timedelta(days=i): [0, 0] for i in range(days)}
    crisis: list[float] = []
    other: list[float] = []
    open_items = 0
    for item in items:
        day = item.created_at.date()
        if day in per_day:
            per_day[day][0] += 1
            per_day[day][1] += item.crisis_level != "none"
        if item.first_decision_at is None:
            open_items += item.status != "resolved"
            continue
        wait = (item.first_decision_at - item.created_at).total_seconds() / 60
        (crisis if item.crisis_level != "none" else other).append(wait)
    return Health(
        days=[(day, counts[0], counts[1]) for day, counts in sorted(per_day.items())],
        crisis_wait=_wait_stats(crisis),
        other_wait=_wait_stats(other),
        open_items=open_items,
        escalate_after=limit,
        overdue=await _overdue(db, scope, now, limit),
    )
