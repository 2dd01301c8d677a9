"""Supportive reactions on chat messages: given by anyone who may write in the room.

Everyone in the room sees the counts change live (a `reactions` event, on every server
process); the message's author can ask who reacted. Members who blocked each other,
either way, can't react to each other's messages, and nobody reacts to their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from forum import events
from forum.accounts.blocks import is_blocked_between
from forum.accounts.models import User
from forum.accounts.service import require_not_muted
from forum.chat import service
from forum.chat.models import ChatMessage, MessageStatus
from forum.circles import service as circles
from forum.errors import Conflict, Forbidden, NotFound
from forum.reactions import repository as reactions
from forum.reactions.kinds import Counts, check_kind, ordered
from forum.reactions.models import MessageReaction
from realtime.hub import Event

NO_MESSAGE = "That message doesn't exist."
OWN_MESSAGE = "You can't react to your own message."
BLOCKED = "You can't react to this member's messages."


@dataclass(frozen=True)
class MessageReactions:
    message: ChatMessage
    counts: Counts
    mine: frozenset[str]
    who: list[tuple[str, str]] | None = None  # for the author only


def reactions_json(found: MessageReactions) -> dict[str, object]:
    data: dict[str, object] = {
        "message_id": found.message.id,
        "counts": found.counts,
        "mine": sorted(found.mine),
    }
    if found.who is not None:
        data["who"] = [{"kind": kind, "display_name": name} for kind, name in found.who]
    return data


async def _readable_message(db: AsyncSession, message_id: int, user: User) -> ChatMessage:
    message = await db.get(ChatMessage, message_id)
    if message is None or message.status != MessageStatus.PUBLISHED:
        raise NotFound(NO_MESSAGE)
    try:
        await service.find_room_or_404(db, message.room_id, user)
    except NotFound:
        raise NotFound(NO_MESSAGE) from None
    return message


async def _state(db: AsyncSession, message: ChatMessage, user: User) -> MessageReactions:
    counts, mine = await reactions.summary(db, MessageReaction, [message.id], user.id)
    mine_here = frozenset(mine.get(message.id, ()))
    who = None
    if message.author_id == user.id:
        who = await reactions.who(db, MessageReaction, message.id, user.id)
    return MessageReactions(message, ordered(counts.get(message.id, {})), mine_here, who)


async def message_reactions(db: AsyncSession, message_id: int, user: User) -> MessageReactions:
    return await _state(db, await _readable_message(db, message_id, user), user)


async def _require_can_react(db: AsyncSession, message: ChatMessage, user: User) -> None:
    found = await service.enter_room(db, message.room_id, user)
    if isinstance(found, service.RoomView):
        try:
            circles.require_can_post(found.view)
        except Conflict as exc:
            raise Forbidden(exc.message, code=exc.code) from None
        require_not_muted(user)
    if message.author_id == user.id:
        raise Forbidden(OWN_MESSAGE, code="own_message")
    if message.author_id is not None and await is_blocked_between(db, user.id, message.author_id):
        raise Forbidden(BLOCKED, code="blocked")


async def react(
    db: AsyncSession, message_id: int, user: User, kind: str, given: bool
) -> MessageReactions:
    """Give (`given`) or take back one reaction, and tell the room the new counts."""
    check_kind(kind)
    message = await _readable_message(db, message_id, user)
    if given:
        await _require_can_react(db, message, user)
        await reactions.add(db, MessageReaction, message.id, user.id, kind)
    else:
        await reactions.remove(db, MessageReaction, message.id, user.id, kind)
    state = await _state(db, message, user)
    await events.emit(db, events.chat_reactions(message.room_id, message.id, state.counts))
    return state


async def with_reactions(db: AsyncSession, messages: list[Event], user: User | None) -> None:
    """Add each history message's counts (and, for a member, the kinds they gave and
    whether the message is their own: theirs get the counts without buttons)."""
    ids = [int(message["id"]) for message in messages]
    counts, mine = await reactions.summary(db, MessageReaction, ids, user.id if user else None)
    for message in messages:
        message["reactions"] = ordered(counts.get(int(message["id"]), {}))
        if user is not None:
            message["reactions_mine"] = sorted(mine.get(int(message["id"]), ()))
            message["own"] = message.get("_author_id") == user.id
