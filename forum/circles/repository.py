"""All SQL about circles, their ground rules and memberships."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from forum.accounts.models import User
from forum.circles.models import (
    Circle,
    CircleBan,
    CircleRole,
    Membership,
    RuleItem,
    RuleVersion,
    Visibility,
)


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


async def get_ban(db: AsyncSession, circle_id: int, user_id: int) -> CircleBan | None:
    return await db.get(CircleBan, (circle_id, user_id))


async def is_banned(db: AsyncSession, circle_id: int, user_id: int) -> bool:
    found = await db.scalar(
        select(CircleBan.user_id).where(
            CircleBan.circle_id == circle_id, CircleBan.user_id == user_id
        )
    )
    return found is not None


async def delete_ban(db: AsyncSession, circle_id: int, user_id: int) -> bool:
    result = await db.execute(
        delete(CircleBan).where(CircleBan.circle_id == circle_id, CircleBan.user_id == user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def list_bans(
    db: AsyncSession, circle_id: int
) -> Sequence[tuple[CircleBan, User, str | None]]:
    """The circle's bans, newest first, with the member and who banned them."""
    banner = aliased(User)
    rows = await db.execute(
        select(CircleBan, User, banner.display_name)
        .join(User, User.id == CircleBan.user_id)
        .outerjoin(banner, banner.id == CircleBan.banned_by)
        .where(CircleBan.circle_id == circle_id)
        .order_by(CircleBan.created_at.desc(), User.id)
    )
    return [(ban, user, by) for ban, user, by in rows]


async def list_members(
    db: AsyncSession, circle_id: int, limit: int
) -> Sequence[tuple[Membership, User]]:
    """Owners first, then moderators, then members, each in the order they joined."""
    rank = case(
        (Membership.role == CircleRole.OWNER, 0),
        (Membership.role == CircleRole.MODERATOR, 1),
        else_=2,
    )
    rows = await db.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.circle_id == circle_id)
        .order_by(rank, Membership.joined_at, User.id)
        .limit(limit)
    )
    return [(membership, user) for membership, user in rows]


async def member_ids(db: AsyncSession, circle_id: int) -> list[int]:
    """Everyone in the circle, invited members too."""
    result = await db.scalars(select(Membership.user_id).where(Membership.circle_id == circle_id))
    return list(result.all())


async def lock_owners(db: AsyncSession, circle_id: int) -> list[int]:
    """The circle's owners, locked to commit: two removals at once can't leave none."""
    result = await db.scalars(
        select(Membership.user_id)
        .where(Membership.circle_id == circle_id, Membership.role == CircleRole.OWNER)
        .with_for_update()
    )
    return list(result)
