"""What a circle's members are told about its ground rules: proposals, and new versions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from forum.circles import repository as circles_repository
from forum.circles.models import Circle
from forum.notifications.service import notify_many


async def tell_members(
    db: AsyncSession, circle: Circle, by_user_id: int, change: str, member: str = ""
) -> None:
    """Tell everyone in `circle` but `by_user_id`: a "proposal" (by `member`) or a new
    "version" they are asked to accept."""
    members = [m for m in await circles_repository.member_ids(db, circle.id) if m != by_user_id]
    data = {"circle_slug": circle.slug, "circle_name": circle.name, "change": change}
    if member:
        data["member"] = member
    await notify_many(db, members, "rules", data)
