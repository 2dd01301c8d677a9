"""All SQL about members, sessions and API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import ApiToken, AuthSession, User


async def get_user(db: AsyncSession, user_id: int) -> User | None:
    return await db.get(User, user_id)


async def get_user_by_key(db: AsyncSession, username_key: str) -> User | None:
    return await db.scalar(select(User).where(User.username_key == username_key))


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
