"""All SQL about members' addresses, mailed links and digests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.mail.models import MailToken, MemberEmail
from forum.notifications.models import Notification


async def get_email(db: AsyncSession, user_id: int) -> MemberEmail | None:
    return await db.get(MemberEmail, user_id)


async def delete_email(db: AsyncSession, user_id: int) -> None:
    await db.execute(delete(MemberEmail).where(MemberEmail.user_id == user_id))


async def verified_users(db: AsyncSession, address_key: str) -> Sequence[tuple[User, str]]:
    rows = await db.execute(
        select(User, MemberEmail.address)
        .join(MemberEmail, MemberEmail.user_id == User.id)
        .where(MemberEmail.address_key == address_key, MemberEmail.verified_at.is_not(None))
        .order_by(User.id)
    )
    return [(user, address) for user, address in rows]


async def add_token(db: AsyncSession, token: MailToken) -> None:
    db.add(token)
    await db.flush()


async def find_token(db: AsyncSession, token_hash: str, purpose: str) -> MailToken | None:
    return await db.scalar(
        select(MailToken)
        .where(MailToken.token_hash == token_hash, MailToken.purpose == purpose)
        .with_for_update()
    )


async def use_tokens(db: AsyncSession, user_id: int, purpose: str, now: datetime) -> None:
    """Every unused link of this kind stops working (a newer one, or the job done)."""
    await db.execute(
        update(MailToken)
        .where(
            MailToken.user_id == user_id,
            MailToken.purpose == purpose,
            MailToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


async def prune_tokens(db: AsyncSession, user_id: int, before: datetime) -> None:
    await db.execute(
        delete(MailToken).where(MailToken.user_id == user_id, MailToken.expires_at < before)
    )


async def digest_due(db: AsyncSession, day_start: datetime) -> list[tuple[int, datetime | None]]:
    """Members (and their last digest) with a verified address, the digest on, something
    unread and no digest sent since `day_start`."""
    rows = await db.execute(
        select(User.id, MemberEmail.digest_sent_at)
        .join(MemberEmail, MemberEmail.user_id == User.id)
        .where(
            MemberEmail.digest.is_(True),
            MemberEmail.verified_at.is_not(None),
            User.unread_notifications > 0,
            or_(MemberEmail.digest_sent_at.is_(None), MemberEmail.digest_sent_at < day_start),
        )
        .order_by(User.id)
    )
    return [(int(user_id), sent_at) for user_id, sent_at in rows]


async def unread_since(
    db: AsyncSession, user_id: int, since: datetime | None, limit: int
) -> Sequence[Notification]:
    query = select(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if since is not None:
        query = query.where(Notification.created_at > since)
    result = await db.scalars(query.order_by(Notification.id.desc()).limit(limit))
    return result.all()


async def record_digest(db: AsyncSession, user_id: int, now: datetime) -> bool:
    """Mark today's digest sent; False if another run already did."""
    result = await db.execute(
        update(MemberEmail)
        .where(
            MemberEmail.user_id == user_id,
            or_(MemberEmail.digest_sent_at.is_(None), MemberEmail.digest_sent_at < _day(now)),
        )
        .values(digest_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def set_digest_sent(db: AsyncSession, user_id: int, at: datetime | None) -> None:
    await db.execute(
        update(MemberEmail).where(MemberEmail.user_id == user_id).values(digest_sent_at=at)
    )


def _day(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)
