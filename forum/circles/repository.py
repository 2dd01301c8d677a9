"""All SQL about circles, their ground rules and memberships."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from forum.circles.models import Circle, Membership, RuleItem, RuleVersion, Visibility


async def get_by_slug(db: AsyncSession, slug: str) -> Circle | None:
    return await db.scalar(select(Circle).where(Circle.slug == slug))


async def get_by_id(db: AsyncSession, circle_id: int) -> Circle | None:
    return await db.get(Circle, circle_id)


async def get_membership(db: AsyncSession, circle_id: int, user_id: int) -> Membership | None:
    return await db.get(Membership, (circle_id, user_id))


async def get_rules(db: AsyncSession, circle_id: int, version: int) -> Sequence[RuleItem]:
    result = await db.scalars(
        select(RuleItem)
        .join(RuleVersion, RuleVersion.id == RuleItem.rule_version_id)
        .where(RuleVersion.circle_id == circle_id, RuleVersion.version == version)
        .order_by(RuleItem.position)
    )
    return result.all()


async def visible_circles(
    db: AsyncSession, user_id: int | None
) -> Sequence[tuple[Circle, Membership | None]]:
    """Public circles and the private ones the member belongs to, with their membership."""
    if user_id is None:
        circles = await db.scalars(
            select(Circle).where(Circle.visibility == Visibility.PUBLIC).order_by(Circle.name)
        )
        return [(circle, None) for circle in circles]
    result = await db.execute(
        select(Circle, Membership)
        .outerjoin(
            Membership, (Membership.circle_id == Circle.id) & (Membership.user_id == user_id)
        )
        .where(or_(Circle.visibility == Visibility.PUBLIC, Membership.user_id.is_not(None)))
        .order_by(Circle.name)
    )
    return [(circle, membership) for circle, membership in result]
