"""Direct conversations: one-to-one chat rooms outside any circle.

They reuse the room machinery (the socket, seqs, resume, fan-out across processes); what
differs is who may be there. Nobody can be messaged unless they chose to allow it
(`users.dm_policy`: nobody by default, co-members of a circle, or anyone), and a block
either way ends it quietly: the blocked member is told only that the conversation is
not available, never that they were blocked.

Moderation: messages pass the same pipeline. Nobody else reads a private conversation,
so what the pipeline would hold for a moderator is not sent at all (the author is told
why, in plain words) instead of waiting in a queue; crisis language is delivered, since
reaching out to someone is what we hope for, and its author gets crisis lines at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts import repository as accounts_repository
from forum.accounts.blocks import is_blocked_between
from forum.accounts.models import User
from forum.accounts.service import username_key
from forum.chat import repository
from forum.chat.models import Room, RoomKind
from forum.chat.team import TeamRoom
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.i18n import N_, _


class DmPolicy(StrEnum):
    NOBODY = "nobody"
    CIRCLES = "circles"
    ANYONE = "anyone"


DM_POLICY_LABELS = {
    DmPolicy.NOBODY: N_("Nobody"),
    DmPolicy.CIRCLES: N_("Members of a circle I'm in"),
    DmPolicy.ANYONE: N_("Anyone with an account"),
}
NOT_AVAILABLE = N_("You can't start a conversation with this member.")


@dataclass(frozen=True)
class DirectRoom:
    """A direct conversation as one of its two members sees it."""

    room: Room
    other: User | None  # None once the other member deleted their account

    @property
    def other_name(self) -> str:
        return self.other.display_name if self.other else _("a former member")


def direct_key(a_id: int, b_id: int) -> str:
    low, high = sorted((a_id, b_id))
    return f"{low}:{high}"


def check_policy(value: str) -> DmPolicy:
    try:
        return DmPolicy(value)
    except ValueError:
        choices = ", ".join(f"'{p.value}'" for p in DmPolicy)
        raise Invalid(
            _("Choose who may message you: %(choices)s.") % {"choices": choices}, field="dm_policy"
        ) from None


async def set_policy(db: AsyncSession, user: User, value: str) -> None:
    user.dm_policy = check_policy(value)
    await db.flush()


async def may_start(db: AsyncSession, starter: User, other: User) -> bool:
    if await is_blocked_between(db, starter.id, other.id):
        return False
    policy = other.dm_policy
    if policy == DmPolicy.ANYONE:
        return True
    if policy == DmPolicy.CIRCLES:
        return await repository.share_a_circle(db, starter.id, other.id)
    return False


async def start(db: AsyncSession, starter: User, who: User | str) -> tuple[DirectRoom, bool]:
    """The conversation with `who` (a member, or a username), started if need be; True
    when it is new."""
    other = (
        who
        if isinstance(who, User)
        else await accounts_repository.get_user_by_key(db, username_key(who))
    )
    if other is None:
        raise NotFound(_("There is no member with that username."))
    if other.id == starter.id:
        # As with blocking: a real member's name, refused only because it is the asker's.
        raise Conflict(
            _("A conversation needs someone else."), code="cannot_message_self", field="username"
        )
    key = direct_key(starter.id, other.id)
    room = await repository.direct_room(db, key)
    if room is not None:
        # An existing conversation carries on, unless one of them has since blocked the other.
        if await is_blocked_between(db, starter.id, other.id):
            raise Forbidden(_(NOT_AVAILABLE), code="dm_not_available")
        return DirectRoom(room, other), False
    if not await may_start(db, starter, other):
        # The same words whatever the reason, so a block is never revealed.
        raise Forbidden(_(NOT_AVAILABLE), code="dm_not_available")
    room = await repository.add_direct_room(db, key, (starter.id, other.id))
    return DirectRoom(room, other), True


async def get_for_member(db: AsyncSession, room: Room, user: User) -> DirectRoom:
    """The conversation if `user` takes part in it; 404 otherwise."""
    members = await repository.direct_members(db, room.id, user.id)
    if user.id not in members:
        raise NotFound(_("There is no chat room here."))
    other = next((o for o in members.values() if o is not None), None)
    return DirectRoom(room, other)


async def conversations(db: AsyncSession, user: User) -> Sequence[DirectRoom | TeamRoom]:
    """This member's conversations (check-ins with the moderators too), most recently
    active first."""
    rows = await repository.conversation_rows(db, user.id)
    return [
        TeamRoom(room, user, is_member=True)
        if room.kind == RoomKind.CHECK_IN
        else DirectRoom(room, other)
        for room, other in rows
    ]


async def require_not_blocked(db: AsyncSession, found: DirectRoom, user: User) -> None:
    if found.other is not None and await is_blocked_between(db, user.id, found.other.id):
        raise Forbidden(_("This conversation is closed; you can still read it."), code="dm_closed")
    if found.other is None:
        raise Forbidden(
            _("This member has left Circles; you can still read your conversation."),
            code="dm_closed",
        )
