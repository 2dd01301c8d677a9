"""SQL for notifications and the unread count kept on the member's row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.notifications.models import Notification


async def add_many(
    db: AsyncSession, user_ids: Sequence[int], kind: str, data: dict[str, Any]
) -> list[Notification]:
    """One notification for each member, their unread counts raised in one statement."""
    if not user_ids:
        return []
    # The counts first: their row locks order this against a concurrent "mark read", which
    # recounts only once it holds the same lock (see `mark_read`).
    await db.execute(
        update(User)
        .where(User.id.in_(user_ids))
        .values(unread_notifications=User.unread_notifications + 1)
        .execution_options(synchronize_session=False)
    )
    told = [Notification(user_id=user_id, kind=kind, data=data) for user_id in user_ids]
    db.add_all(told)
    await db.flush()
    return told


async def preferences(
    db: AsyncSession, user_ids: Sequence[int]
) -> Sequence[tuple[int, dict[str, Any] | None]]:
    rows = await db.execute(select(User.id, User.notification_prefs).where(User.id.in_(user_ids)))
    return [(int(user_id), prefs) for user_id, prefs in rows]


async def newest(db: AsyncSession, user_id: int, limit: int) -> Sequence[Notification]:
    result = await db.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return result.all()


async def mark_read(db: AsyncSession, user_id: int, ids: list[int] | None, now: datetime) -> int:
    """Mark these (or all) of the member's notifications read; the unread count after."""
    # Lock the member's row before recounting: on PostgreSQL each later statement then
    # sees any notification committed by a concurrent `add`, so the count never drifts.
    await db.execute(select(User.id).where(User.id == user_id).with_for_update())
    query = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    await db.execute(query.values(read_at=now).execution_options(synchronize_session=False))
    unread = (
        select(func.count())
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    count = await db.scalar(
        update(User)
        .where(User.id == user_id)
        .values(unread_notifications=unread)
        .returning(User.unread_notifications)
        .execution_options(synchronize_session=False)
    )
    return int(count or 0)


async def with_unread_counts(
    db: AsyncSession, ids: list[int]
) -> Sequence[tuple[Notification, int, str | None]]:
    """The notifications, their member's unread count and language, for the live push."""
    rows = await db.execute(
        select(Notification, User.unread_notifications, User.locale)
        .join(User, User.id == Notification.user_id)
        .where(Notification.id.in_(ids))
    )
    return [(notification, int(unread), locale) for notification, unread, locale in rows]


async def unread_count(db: AsyncSession, user_id: int) -> int:
    count = await db.scalar(select(User.unread_notifications).where(User.id == user_id))
    return int(count or 0)


async def unread_counts(db: AsyncSession, user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = await db.execute(select(User.id, User.unread_notifications).where(User.id.in_(user_ids)))
    return {int(user_id): int(count or 0) for user_id, count in rows}


async def unread_of_kind(
    db: AsyncSession, user_ids: list[int], kind: str
) -> Sequence[Notification]:
    if not user_ids:
        return []
    result = await db.scalars(
        select(Notification).where(
            Notification.user_id.in_(user_ids),
            Notification.kind == kind,
            Notification.read_at.is_(None),
        )
    )
    return result.all()
