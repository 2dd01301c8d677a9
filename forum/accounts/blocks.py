"""Blocking a member: you stop seeing them, they can't reach you, and they aren't told.

Nothing a blocked member receives changes: their posts publish as before and no answer
they get mentions the block. Features that let one member reach another (direct
messages, mentions) ask `is_blocked_between` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts import repository
from forum.accounts.models import User
from forum.accounts.service import username_key
from forum.errors import Conflict, NotFound
from forum.i18n import N_, _, number

MAX_BLOCKS = 500
NO_SUCH_MEMBER = N_("There's no member with that username.")


@dataclass(frozen=True)
class Blocked:
    user: User
    blocked_at: datetime


async def is_blocked_between(db: AsyncSession, a_id: int, b_id: int) -> bool:
    """True when either member has blocked the other: then neither may reach the other."""
    if a_id == b_id:
        return False
    return await repository.block_exists_between(db, a_id, b_id)


async def get_member_or_404(db: AsyncSession, username: str) -> User:
    member = await repository.get_user_by_key(db, username_key(username))
    if member is None:
        raise NotFound(_(NO_SUCH_MEMBER))
    return member


async def block_member(db: AsyncSession, user: User, member: User) -> bool:
    """Block `member`; False when they already were. Their posts stay; the blocker stops
    seeing them from the next page they open."""
    if member.id == user.id:
        # The name is well formed and names a member: only who is asking makes it
        # impossible, so this is a conflict with the state of things, not bad input.
        raise Conflict(_("You can't block yourself."), code="cannot_block_self")
    if await repository.count_blocks(db, user.id) >= MAX_BLOCKS:
        raise Conflict(
            _(
                "You have blocked %(count)s members, the most Circles keeps. "
                "Unblock someone on your account page to block another."
            )
            % {"count": number(MAX_BLOCKS)},
            code="too_many_blocks",
        )
    return await repository.add_block(db, user.id, member.id)


async def unblock_member(db: AsyncSession, user: User, member: User) -> bool:
    """Unblock; False when they weren't blocked (unblocking twice is harmless)."""
    return await repository.remove_block(db, user.id, member.id)


async def blocked_members(db: AsyncSession, user: User) -> list[Blocked]:
    rows: Sequence[tuple[User, datetime]] = await repository.list_blocks(db, user.id)
    return [Blocked(member, at) for member, at in rows]


async def get_user_by_id_or_404(db: AsyncSession, user_id: int) -> User:
    member = await repository.get_user(db, user_id)
    if member is None:
        raise NotFound(_("That member has left Circles."))
    return member
