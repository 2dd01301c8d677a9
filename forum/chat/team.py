"""Check-in rooms: a member and the moderators as a team, outside any circle.

A moderator worried about someone opens one with a check-in (forum/checkins). It reuses
the room machinery (the socket, seqs, resume, fan-out) like a direct conversation, but
one side is the team: site staff and the moderators of the circles the check-ins came
from may all read and write, and their messages show as the team's, never as one
volunteer's DM. There is one per member, reused by every later check-in. The member may
close it (a later check-in opens it again) or, in their boundaries, say no to check-ins.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.chat import repository
from forum.chat.models import Room, RoomKind, RoomMember
from forum.db import utcnow
from forum.errors import Forbidden, NotFound
from forum.i18n import N_, _
from forum.notifications import service as notifications
from forum.review import repository as review_repository

TEAM_NAME = N_("Circles moderators")
TEAM = "team"  # chat_messages.sent_as for the team's messages
DESCRIPTION = N_(
    "A private conversation with the Circles moderators. Only you and they can read it."
)


@dataclass(frozen=True)
class TeamRoom:
    """A check-in room as one viewer sees it: its member, or one of the team."""

    room: Room
    member: User | None  # None once the member deleted their account
    is_member: bool

    @property
    def name(self) -> str:
        if self.is_member:
            return _(TEAM_NAME)
        who = self.member.display_name if self.member else _("a former member")
        return _("Check-in with %(who)s") % {"who": who}

    @property
    def closed(self) -> bool:
        return self.room.closed_at is not None


def team_key(member: User) -> str:
    # With when they joined: on SQLite a deleted member's id can be given to a newcomer,
    # who must never inherit someone else's conversation with the moderators.
    return f"check-in:{member.id}:{int(member.created_at.timestamp())}"


async def get_for_viewer(db: AsyncSession, room: Room, user: User) -> TeamRoom:
    """The check-in room if `user` is its member or on its team; 404 otherwise."""
    members = await repository.room_members(db, room.id)
    member = members[0] if members else None
    if member is not None and member.id == user.id:
        return TeamRoom(room, member, is_member=True)
    if await _on_team(db, room, user):
        return TeamRoom(room, member, is_member=False)
    raise NotFound(_("There is no chat room here."))


async def _on_team(db: AsyncSession, room: Room, user: User) -> bool:
    if user.is_staff:
        return True
    moderated = set(await review_repository.moderated_circle_ids(db, user.id))
    return any(c in moderated for c in await repository.check_in_circles(db, room.id))


async def open_for(db: AsyncSession, member: User) -> tuple[Room, bool]:
    """The member's check-in room, made if need be (True when new) and open again."""
    key = team_key(member)
    room = await repository.room_by_key(db, key)
    if room is None:
        try:
            # A savepoint: two moderators checking in at once both end up in one room.
            async with db.begin_nested():
                room = Room(
                    circle_id=None,
                    kind=RoomKind.CHECK_IN,
                    direct_key=key,
                    name=TEAM_NAME,
                    description=DESCRIPTION,  # English, worded for each reader when shown
                )
                db.add(room)
                await db.flush()
                db.add(RoomMember(room_id=room.id, user_id=member.id))
                await db.flush()
            return room, True
        except IntegrityError:
            room = await repository.room_by_key(db, key)
            assert room is not None
    room.closed_at = None
    await db.flush()
    return room, False


async def close(db: AsyncSession, found: TeamRoom) -> TeamRoom:
    """The member ends the conversation; they can still read it."""
    if not found.is_member:
        raise Forbidden(
            _("Only the member can close their check-in conversation."), code="not_your_check_in"
        )
    if found.room.closed_at is None:
        found.room.closed_at = utcnow()
        await db.flush()
    return found


def require_open(found: TeamRoom) -> None:
    """Sending needs the conversation open and its member still here."""
    if found.member is None:
        raise Forbidden(
            _("This member has left Circles; the conversation can still be read."),
            code="check_in_closed",
        )
    if found.closed:
        message = (
            _(
                "You closed this conversation, so nothing more can be sent here. "
                "If the moderators check in again, it opens again."
            )
            if found.is_member
            else _(
                "%(display_name)s closed this conversation. A new check-in from "
                "their post opens it again, if they still welcome check-ins."
            )
            % {"display_name": found.member.display_name}
        )
        raise Forbidden(message, code="check_in_closed")


def refusal(found: TeamRoom) -> Forbidden | None:
    """Why nothing can be sent here now, or None."""
    try:
        require_open(found)
    except Forbidden as exc:
        return exc
    return None


def sent_as(found: object) -> str | None:
    """How a message sent here shows: the team's, or (None) its writer's own."""
    return TEAM if isinstance(found, TeamRoom) and not found.is_member else None


async def tell_team(db: AsyncSession, found: TeamRoom) -> None:
    """The member wrote: tell the moderators who checked in, once until they look."""
    room_id = found.room.id
    moderators = await repository.check_in_moderators(db, room_id)
    waiting = await notifications.unread_of_kind(db, moderators, "check_in_reply")
    for moderator_id in moderators:
        if not any(n.data.get("room_id") == room_id for n in waiting.get(moderator_id, [])):
            # Without a name the notification says "The member" in the reader's language.
            name = found.member.display_name if found.member else ""
            await notifications.notify(
                db, moderator_id, "check_in_reply", {"room_id": room_id, "member": name}
            )
