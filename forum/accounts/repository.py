"""All SQL about members, sessions and API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import ApiToken, AuthSession, Block, User
from forum.db import utcnow


async def get_user(db: AsyncSession, user_id: int) -> User | None:
    return await db.get(User, user_id)


async def lock_user(db: AsyncSession, user_id: int) -> None:
    """Hold the member's row until the transaction ends (PostgreSQL; SQLite writes one at a
    time anyway), so decisions about them that read first and write after take turns."""
    await db.execute(select(User.id).where(User.id == user_id).with_for_update())


async def get_user_by_key(db: AsyncSession, username_key: str) -> User | None:
    return await db.scalar(select(User).where(User.username_key == username_key))


async def name_key_taken(db: AsyncSession, key: str, except_user_id: int | None) -> bool:
    """Whether a member other than `except_user_id` has a display name with this key."""
    query = select(User.id).where(User.display_name_key == key).limit(1)
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return await db.scalar(query) is not None


async def user_for_session(db: AsyncSession, token_hash: str, now: datetime) -> User | None:
    return await db.scalar(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            AuthSession.token_hash == token_hash,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
    )


async def user_for_api_token(db: AsyncSession, token_hash: str) -> User | None:
    return await db.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
    )


async def revoke_session_by_hash(db: AsyncSession, token_hash: str, now: datetime) -> None:
    await db.execute(
        update(AuthSession)
        .where(AuthSession.token_hash == token_hash, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def list_sessions(db: AsyncSession, user_id: int, now: datetime) -> Sequence[AuthSession]:
    result = await db.scalars(
        select(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
        .order_by(AuthSession.created_at.desc())
    )
    return result.all()


async def revoke_session(db: AsyncSession, user_id: int, session_id: int, now: datetime) -> int:
    result = await db.execute(
        update(AuthSession)
        .where(
            AuthSession.id == session_id,
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def list_tokens(db: AsyncSession, user_id: int) -> Sequence[ApiToken]:
    result = await db.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    )
    return result.all()


async def revoke_token(db: AsyncSession, user_id: int, token_id: int, now: datetime) -> int:
    result = await db.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def revoke_other_sessions(
    db: AsyncSession, user_id: int, keep_hash: str | None, now: datetime
) -> int:
    """End every live session of the member except the one with `keep_hash`."""
    query = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if keep_hash is not None:
        query = query.where(AuthSession.token_hash != keep_hash)
    result = await db.execute(query.values(revoked_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def revoke_other_tokens(
    db: AsyncSession, user_id: int, keep_hash: str | None, now: datetime
) -> int:
    query = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if keep_hash is not None:
        query = query.where(ApiToken.token_hash != keep_hash)
    result = await db.execute(query.values(revoked_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def lock_admins(db: AsyncSession) -> list[int]:
    """Every admin, locked to commit: two admins demoting each other can't leave none."""
    result = await db.scalars(select(User.id).where(User.role == "admin").with_for_update())
    return list(result)


async def staff(db: AsyncSession) -> Sequence[User]:
    result = await db.scalars(
        select(User).where(User.role.in_(("moderator", "admin"))).order_by(User.role, User.id)
    )
    return result.all()


# Blocks


async def add_block(db: AsyncSession, blocker_id: int, blocked_id: int) -> bool:
    """Block; False when it already existed (two requests at once can't both insert)."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await db.execute(
        insert(Block)
        .values(blocker_id=blocker_id, blocked_id=blocked_id, created_at=utcnow())
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def remove_block(db: AsyncSession, blocker_id: int, blocked_id: int) -> bool:
    result = await db.execute(
        delete(Block).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def count_blocks(db: AsyncSession, blocker_id: int) -> int:
    return int(await db.scalar(select(func.count()).where(Block.blocker_id == blocker_id)) or 0)


async def blocked_ids(db: AsyncSession, blocker_id: int) -> list[int]:
    return list(await db.scalars(select(Block.blocked_id).where(Block.blocker_id == blocker_id)))


async def list_blocks(db: AsyncSession, blocker_id: int) -> Sequence[tuple[User, datetime]]:
    rows = await db.execute(
        select(User, Block.created_at)
        .join(Block, Block.blocked_id == User.id)
        .where(Block.blocker_id == blocker_id)
        .order_by(Block.created_at.desc(), User.id)
    )
    return [(user, created_at) for user, created_at in rows]


async def block_exists_between(db: AsyncSession, a_id: int, b_id: int) -> bool:
    found = await db.scalar(
        select(Block.blocker_id)
        .where(
            or_(
                and_(Block.blocker_id == a_id, Block.blocked_id == b_id),
                and_(Block.blocker_id == b_id, Block.blocked_id == a_id),
            )
        )
        .limit(1)
    )
    return found is not None
