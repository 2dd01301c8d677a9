"""All SQL for circle moderation settings: the circle row, locked for a change; the log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.circle_moderation.models import SettingsChange
from forum.circles.models import Circle


async def lock_circle(db: AsyncSession, circle_id: int) -> Circle | None:
    """The circle read afresh and locked to commit: two owners' changes never overwrite."""
    return await db.scalar(
        select(Circle)
        .where(Circle.id == circle_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def log_page(
    db: AsyncSession, circle_id: int, before: int | None, limit: int
) -> Sequence[tuple[SettingsChange, str | None]]:
    """Newest first, with who made each change."""
    query = (
        select(SettingsChange, User.display_name)
        .outerjoin(User, User.id == SettingsChange.actor_id)
        .where(SettingsChange.circle_id == circle_id)
        .order_by(SettingsChange.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(SettingsChange.id < before)
    return [(change, name) for change, name in await db.execute(query)]
