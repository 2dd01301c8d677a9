"""Reading and writing reactions; the same queries serve posts and chat messages."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, case, delete, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from forum.accounts.models import Block, User
from forum.reactions.kinds import Counts
from forum.reactions.models import MessageReaction, PostReaction

Reaction = type[PostReaction] | type[MessageReaction]


def _target(model: Reaction) -> InstrumentedAttribute[int]:
    return model.post_id if model is PostReaction else model.message_id  # type: ignore[union-attr]


async def add(db: AsyncSession, model: Reaction, target_id: int, user_id: int, kind: str) -> None:
    """Give a reaction; giving it twice (two tabs, a double click) keeps one."""
    values = {_target(model).key: target_id, "user_id": user_id, "kind": kind}
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    await db.execute(dialect.insert(model).values(**values).on_conflict_do_nothing())


async def remove(
    db: AsyncSession, model: Reaction, target_id: int, user_id: int, kind: str
) -> None:
    await db.execute(
        delete(model).where(
            _target(model) == target_id, model.user_id == user_id, model.kind == kind
        )
    )


async def counts(db: AsyncSession, model: Reaction, ids: Sequence[int]) -> dict[int, Counts]:
    """How many of each kind every one of these posts or messages has (only those with any)."""
    if not ids:
        return {}
    target = _target(model)
    rows = await db.execute(
        select(target, model.kind, func.count()).where(target.in_(ids)).group_by(target, model.kind)
    )
    found: dict[int, Counts] = {}
    for target_id, kind, count in rows:
        found.setdefault(target_id, {})[kind] = count
    return found


async def given_by(
    db: AsyncSession, model: Reaction, ids: Sequence[int], user_id: int
) -> dict[int, set[str]]:
    """The kinds this member gave to each of these posts or messages."""
    if not ids:
        return {}
    target = _target(model)
    rows = await db.execute(
        select(target, model.kind).where(target.in_(ids), model.user_id == user_id)
    )
    found: dict[int, set[str]] = {}
    for target_id, kind in rows:
        found.setdefault(target_id, set()).add(kind)
    return found


async def summary(
    db: AsyncSession, model: Reaction, ids: Sequence[int], user_id: int | None
) -> tuple[dict[int, Counts], dict[int, set[str]]]:
    """`counts` and `given_by` in one query: for a page of chat history."""
    if not ids:
        return {}, {}
    target = _target(model)
    given = func.sum(case((model.user_id == (user_id or 0), 1), else_=0))
    rows = await db.execute(
        select(target, model.kind, func.count(), given)
        .where(target.in_(ids))
        .group_by(target, model.kind)
    )
    counts: dict[int, Counts] = {}
    mine: dict[int, set[str]] = {}
    for target_id, kind, count, by_user in rows:
        counts.setdefault(target_id, {})[kind] = count
        if by_user:
            mine.setdefault(target_id, set()).add(kind)
    return counts, mine


async def who(
    db: AsyncSession, model: Reaction, target_id: int, viewer_id: int
) -> list[tuple[str, str]]:
    """(kind, display name) for every reaction, oldest first, leaving out members who
    blocked the viewer or whom the viewer blocked."""
    blocked = exists().where(
        or_(
            and_(Block.blocker_id == viewer_id, Block.blocked_id == model.user_id),
            and_(Block.blocker_id == model.user_id, Block.blocked_id == viewer_id),
        )
    )
    rows = await db.execute(
        select(model.kind, User.display_name)
        .join(User, User.id == model.user_id)
        .where(_target(model) == target_id, ~blocked)
        .order_by(model.created_at, User.id)
    )
    return [(kind, name) for kind, name in rows]
