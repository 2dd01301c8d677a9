"""All SQL for rate limits: one conditional upsert per token taken, counted failures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from forum.ratelimit.models import RateLimit

Row = tuple[float, float, float]  # level, at, blocked_until


def _insert(db: AsyncSession) -> Any:
    """INSERT … ON CONFLICT for this session's backend (both speak it, with RETURNING)."""
    dialect = db.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(RateLimit)


def refilled(level: Any, at: Any, now: float, burst: int, seconds: float) -> Any:
    """Tokens in a bucket at `now`: what was left, plus one per `seconds`, at most `burst`."""
    grown = level + (now - at) / seconds
    if isinstance(grown, float):
        return min(float(burst), grown)
    return case((grown > burst, float(burst)), else_=grown)


async def take_token(
    db: AsyncSession, action: str, key: str, now: float, burst: int, seconds: float
) -> Row | None:
    """Take one token in one statement; None if taken, else the bucket as it stands.

    The row is created full (less this token) or updated only WHERE a token is there, so
    two processes taking at once cannot both spend the last one: PostgreSQL locks the
    row for the upsert and SQLite writes one transaction at a time.
    """
    tokens: ColumnElement[float] = refilled(RateLimit.level, RateLimit.at, now, burst, seconds)
    insert = _insert(db).values(
        action=action,
        key=key,
        level=float(burst - 1),
        at=now,
        blocked_until=0.0,
        expires_at=now + burst * seconds,
    )
    statement = insert.on_conflict_do_update(
        index_elements=[RateLimit.action, RateLimit.key],
        set_={"level": tokens - 1, "at": now, "expires_at": now + burst * seconds},
        where=tokens >= 1,
    ).returning(RateLimit.level)
    if (await db.execute(statement)).first() is not None:
        return None
    return await get(db, action, key)


async def get(db: AsyncSession, action: str, key: str) -> Row | None:
    statement = select(RateLimit.level, RateLimit.at, RateLimit.blocked_until).where(
        RateLimit.action == action, RateLimit.key == key
    )
    row = (await db.execute(statement)).first()
    return None if row is None else (row[0], row[1], row[2])


async def add_failure(
    db: AsyncSession, action: str, key: str, now: float, forget_after: float
) -> tuple[int, float]:
    """Count one more failure (starting again after a quiet `forget_after`).

    Returns the new count and the key's `blocked_until` as it stood. On PostgreSQL the
    upsert waits for any other transaction holding the row, so counts never repeat.
    """
    insert = _insert(db).values(
        action=action,
        key=key,
        level=1.0,
        at=now,
        blocked_until=0.0,
        expires_at=now + forget_after,
    )
    statement = insert.on_conflict_do_update(
        index_elements=[RateLimit.action, RateLimit.key],
        set_={
            "level": case((RateLimit.at < now - forget_after, 1.0), else_=RateLimit.level + 1),
            "at": now,
            "expires_at": now + forget_after,
        },
    ).returning(RateLimit.level, RateLimit.blocked_until)
    level, blocked_until = (await db.execute(statement)).one()
    return int(level), float(blocked_until)


async def take_back(db: AsyncSession, action: str, key: str) -> int:
    """One failure fewer (a try counted before its password proved right); the new count."""
    statement = (
        update(RateLimit)
        .where(RateLimit.action == action, RateLimit.key == key)
        .values(level=RateLimit.level - 1)
        .returning(RateLimit.level)
    )
    level = (await db.execute(statement)).scalar_one_or_none()
    return 0 if level is None else int(level)


async def block(db: AsyncSession, action: str, key: str, until: float) -> None:
    """No attempt for this key before `until` (0: none waits); the row lives at least as long."""
    await db.execute(
        update(RateLimit)
        .where(RateLimit.action == action, RateLimit.key == key)
        .values(
            blocked_until=until,
            expires_at=case((RateLimit.expires_at < until, until), else_=RateLimit.expires_at),
        )
    )


async def clear(db: AsyncSession, action: str, key: str) -> None:
    await db.execute(delete(RateLimit).where(RateLimit.action == action, RateLimit.key == key))


async def prune(db: AsyncSession, now: float) -> int:
    """Forget rows that say nothing a missing row wouldn't (full buckets, old failures)."""
    result = await db.execute(delete(RateLimit).where(RateLimit.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)
