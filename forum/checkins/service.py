"""Checking in: a moderator who may act on an item writes privately to its author.

The message opens (or reopens) the author's one conversation with the moderators
(forum/chat/team.py), whatever their direct-message setting, unless they said no to
check-ins. It is logged like a decision and the author is notified.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from forum import events
from forum.accounts import repository as accounts_repository
from forum.accounts.blocks import is_blocked_between
from forum.accounts.models import User
from forum.chat import repository as chat_repository
from forum.chat import team
from forum.chat.models import ChatMessage, CheckIn, MessageStatus, Room
from forum.db import utcnow
from forum.errors import Conflict, Invalid
from forum.i18n import N_, _, number
from forum.notifications.service import notify
from forum.review.models import LogEntry, ReviewItem
from forum.review.service import get_item_or_404
from moderation.sanitize import render_markdown

MAX_BODY = 2000
# What the form offers to start from: warm, brief, no pressure, and says who can read it.
DEFAULT_TEXT = N_(
    "Hi, this is the Circles moderators. We read what you wrote and wanted to check in: "
    "how are you doing right now?\n\n"
    "You can reply here whenever you like; only you and the moderators can read this "
    "conversation. If you'd rather not talk, that's okay too."
)


@dataclass(frozen=True)
class CheckInOutcome:
    room: Room
    new_room: bool
    check_in: CheckIn
    message: ChatMessage


def check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise Invalid(_("Please write a message for the check-in."), field="body")
    if len(body) > MAX_BODY:
        raise Invalid(
            _("A check-in can be at most %(max_body)s characters; this one has %(length)s.")
            % {"max_body": number(MAX_BODY), "length": number(len(body))},
            code="too_long",
            field="body",
        )
    return body


async def _author_to_reach(db: AsyncSession, item: ReviewItem, moderator: User) -> User:
    author = await accounts_repository.get_user(db, item.author_id) if item.author_id else None
    if author is None:
        raise Conflict(
            _(
                "This content's author no longer has an account, so there is no one to check in "
                "with."
            ),
            code="no_author",
        )
    if not author.check_ins:
        raise Conflict(
            _(
                "%(display_name)s has chosen not to receive check-ins from moderators. They still "
                "see crisis support lines whenever they need them."
            )
            % {"display_name": author.display_name},
            code="check_ins_off",
        )
    if await is_blocked_between(db, author.id, moderator.id):
        raise Conflict(
            _("Please ask another moderator to check in with this member."), code="check_in_blocked"
        )
    return author


def _require_not_claimed_by_other(item: ReviewItem, moderator: User) -> None:
    """As with a decision: while someone else holds the item, they are the one to reach out."""
    if (
        item.claimed_by is not None
        and item.claimed_by != moderator.id
        and item.claim_expires_at is not None
        and item.claim_expires_at > utcnow()
    ):
        raise Conflict(
            _("Another moderator is looking at this item; they can check in."),
            code="already_claimed",
        )


async def check_in(db: AsyncSession, moderator: User, item_id: int, body: str) -> CheckInOutcome:
    item = await get_item_or_404(db, moderator, item_id)
    body = check_body(body)
    _require_not_claimed_by_other(item, moderator)
    author = await _author_to_reach(db, item, moderator)
    room, new_room = await team.open_for(db, author)
    record = CheckIn(
        room_id=room.id, item_id=item.id, circle_id=item.circle_id, moderator_id=moderator.id
    )
    db.add(record)
    await db.flush()
    message = await _post(db, room, moderator, body, record)
    db.add(
        LogEntry(
            item_id=item.id,
            actor_id=moderator.id,
            actor_name=moderator.display_name,
            action="check_in",
            content_type=item.content_type,
            content_id=item.content_id,
            circle_id=item.circle_id,
            target_user_id=author.id,
            note=f"Checked in privately (conversation {room.id}).",
        )
    )
    await db.flush()
    await notify(db, author.id, "check_in", {"room_id": room.id, "item_id": item.id})
    return CheckInOutcome(room, new_room, record, message)


async def _post(
    db: AsyncSession, room: Room, moderator: User, body: str, record: CheckIn
) -> ChatMessage:
    """The check-in's words, as the team's first (or next) message in the room."""
    message = ChatMessage(
        room_id=room.id,
        seq=await chat_repository.next_seq(db, room.id),
        author_id=moderator.id,
        client_msg_id=f"check-in-{record.id}",
        body=body,
        body_html=render_markdown(body),
        status=MessageStatus.PUBLISHED,
        sent_as=team.TEAM,
        created_at=utcnow(),
    )
    db.add(message)
    await db.flush()
    await events.emit(db, events.chat_message(room.id, message.id))
    return message
