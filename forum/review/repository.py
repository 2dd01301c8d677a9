"""All SQL about the review queue, reports, the moderation log and crisis resources."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.circles.models import Circle, CircleRole, Membership
from forum.review.models import (
    SITE_SETTINGS_ID,
    CrisisResource,
    ItemStatus,
    LogEntry,
    Report,
    ReviewItem,
    SiteSettings,
)


async def get_item(db: AsyncSession, item_id: int) -> ReviewItem | None:
    return await db.get(ReviewItem, item_id)


async def open_item_for(
    db: AsyncSession, content_type: str, content_id: int, *, lock: bool = False
) -> ReviewItem | None:
    query = select(ReviewItem).where(
        ReviewItem.content_type == content_type,
        ReviewItem.content_id == content_id,
        ReviewItem.status != ItemStatus.RESOLVED,
    )
    return await db.scalar(query.with_for_update() if lock else query)


async def moderated_circle_ids(db: AsyncSession, user_id: int) -> list[int]:
    result = await db.scalars(
        select(Membership.circle_id).where(
            Membership.user_id == user_id,
            Membership.role.in_((CircleRole.OWNER, CircleRole.MODERATOR)),
        )
    )
    return list(result)


def _scope(circle_ids: Sequence[int] | None) -> ColumnElement[bool]:
    if circle_ids is None:
        return ReviewItem.id.is_not(None)
    return ReviewItem.circle_id.in_(circle_ids)


async def queue(
    db: AsyncSession,
    circle_ids: Sequence[int] | None,
    *,
    circle_id: int | None = None,
    reason: str | None = None,
    urgent_only: bool = False,
    statuses: Sequence[str] = (ItemStatus.OPEN, ItemStatus.ESCALATED),
    limit: int = 100,
) -> Sequence[tuple[ReviewItem, str, str | None, str | None]]:
    """Unresolved items in queue order, with circle name, author and claimer display names."""
    author = User.__table__.alias("author")
    claimer = User.__table__.alias("claimer")
    query = (
        select(ReviewItem, Circle.name, author.c.display_name, claimer.c.display_name)
        .join(Circle, Circle.id == ReviewItem.circle_id)
        .outerjoin(author, author.c.id == ReviewItem.author_id)
        .outerjoin(claimer, claimer.c.id == ReviewItem.claimed_by)
        .where(ReviewItem.status.in_(statuses), _scope(circle_ids))
        .order_by(ReviewItem.priority.desc(), ReviewItem.top_score.desc(), ReviewItem.created_at)
        .limit(limit)
    )
    if circle_id is not None:
        query = query.where(ReviewItem.circle_id == circle_id)
    if urgent_only:
        query = query.where(ReviewItem.crisis_level != "none")
    if reason:
        # reasons is a JSON list; a LIKE on its text form works on both backends.
        query = query.where(cast(ReviewItem.reasons, Text).like(f'%"kind": "{reason}"%'))
    result = await db.execute(query)
    return [(item, circle, a, c) for item, circle, a, c in result]


async def counts(db: AsyncSession, circle_ids: Sequence[int] | None) -> dict[str, int]:
    result = await db.execute(
        select(ReviewItem.crisis_level, func.count())
        .where(ReviewItem.status.in_((ItemStatus.OPEN, ItemStatus.ESCALATED)), _scope(circle_ids))
        .group_by(ReviewItem.crisis_level)
    )
    return {level: n for level, n in result}


async def claim(
    db: AsyncSession, item_id: int, version: int, user_id: int, expires: datetime
) -> bool:
    result = await db.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item_id, ReviewItem.version == version)
        .values(claimed_by=user_id, claim_expires_at=expires, version=ReviewItem.version + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def resolve(db: AsyncSession, item_id: int, version: int, values: dict[str, Any]) -> bool:
    """Apply a decision only if nobody changed the item since `version` was read."""
    result = await db.execute(
        update(ReviewItem)
        .where(
            ReviewItem.id == item_id,
            ReviewItem.version == version,
            ReviewItem.status != ItemStatus.RESOLVED,
        )
        .values(version=ReviewItem.version + 1, **values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def reporter_ids(db: AsyncSession, item_id: int) -> list[int]:
    result = await db.scalars(
        select(Report.reporter_id)
        .where(Report.item_id == item_id, Report.reporter_id.is_not(None))
        .distinct()
    )
    return [int(r) for r in result.all() if r is not None]


async def reports_for(db: AsyncSession, item_id: int) -> Sequence[tuple[Report, str | None]]:
    result = await db.execute(
        select(Report, User.display_name)
        .outerjoin(User, User.id == Report.reporter_id)
        .where(Report.item_id == item_id)
        .order_by(Report.id)
    )
    return [(report, name) for report, name in result]


async def log_entries(
    db: AsyncSession,
    *,
    circle_ids: Sequence[int] | None = None,
    target_user_id: int | None = None,
    item_id: int | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> Sequence[LogEntry]:
    query = select(LogEntry).order_by(LogEntry.id.desc()).limit(limit)
    if since is not None:
        query = query.where(LogEntry.created_at >= since)
    if circle_ids is not None:
        query = query.where(LogEntry.circle_id.in_(circle_ids))
    if target_user_id is not None:
        query = query.where(LogEntry.target_user_id == target_user_id)
    if item_id is not None:
        query = query.where(LogEntry.item_id == item_id)
    return (await db.scalars(query)).all()


async def decisions_since(db: AsyncSession, actor_id: int, since: datetime) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(LogEntry)
            .where(LogEntry.actor_id == actor_id, LogEntry.created_at >= since)
        )
        or 0
    )


async def items_since(
    db: AsyncSession, since: datetime, circle_ids: Sequence[int] | None
) -> Sequence[ReviewItem]:
    return (
        await db.scalars(
            select(ReviewItem).where(ReviewItem.created_at >= since, _scope(circle_ids))
        )
    ).all()


async def crisis_resources(db: AsyncSession, region: str | None = None) -> Sequence[CrisisResource]:
    query = select(CrisisResource).order_by(CrisisResource.position, CrisisResource.id)
    if region is not None:
        query = query.where(or_(CrisisResource.region == region, CrisisResource.region == "*"))
    return (await db.scalars(query)).all()


async def get_resource(db: AsyncSession, resource_id: int) -> CrisisResource | None:
    return await db.get(CrisisResource, resource_id)


async def site_settings(db: AsyncSession) -> SiteSettings | None:
    return await db.get(SiteSettings, SITE_SETTINGS_ID)


async def overdue_urgent(
    db: AsyncSession, waited_since: datetime, now: datetime, limit: int = 100
) -> Sequence[ReviewItem]:
    """Urgent items nobody holds (never claimed, or the claim ran out) that have waited
    since before `waited_since` and were not escalated for it yet; oldest first."""
    result = await db.scalars(
        select(ReviewItem)
        .where(
            ReviewItem.status != ItemStatus.RESOLVED,
            ReviewItem.crisis_level == "urgent",
            ReviewItem.overdue_at.is_(None),
            ReviewItem.created_at <= waited_since,
            or_(ReviewItem.claimed_by.is_(None), ReviewItem.claim_expires_at <= now),
        )
        .order_by(ReviewItem.created_at)
        .limit(limit)
    )
    return result.all()


async def mark_overdue(db: AsyncSession, item_id: int, now: datetime) -> bool:
    """Record the escalation; False when another process (or pass) recorded it first."""
    result = await db.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item_id, ReviewItem.overdue_at.is_(None))
        .values(overdue_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def waiting_urgent(
    db: AsyncSession, scope: list[int] | None, now: datetime
) -> Sequence[ReviewItem]:
    """Open urgent items nobody holds right now, oldest first (for queue health)."""
    query = select(ReviewItem).where(
        ReviewItem.status != ItemStatus.RESOLVED,
        ReviewItem.crisis_level == "urgent",
        or_(ReviewItem.claimed_by.is_(None), ReviewItem.claim_expires_at <= now),
    )
    if scope is not None:
        query = query.where(ReviewItem.circle_id.in_(scope))
    return (await db.scalars(query.order_by(ReviewItem.created_at).limit(50))).all()
