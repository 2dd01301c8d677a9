"""Chat messages as reviewable content: how the review queue loads and changes them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from forum import events
from forum.accounts import repository as accounts
from forum.chat import repository
from forum.chat.mentions import tell_of_chat_mentions
from forum.chat.models import ChatMessage, MessageStatus, Room
from forum.circles.models import Circle
from forum.review.content import ContentInfo, register

CONTENT_TYPE = "chat_message"


def message_info(message: ChatMessage, room: Room, circle: Circle) -> ContentInfo:
    return ContentInfo(
        content_type=CONTENT_TYPE,
        content_id=message.id,
        circle_id=circle.id,
        author_id=message.author_id,
        status=message.status,
        body_html=message.body_html,
        title=None,
        link=f"/c/{circle.slug}#room-{room.id}",
    )


class ChatMessageContent:
    async def load(self, db: AsyncSession, content_id: int) -> ContentInfo | None:
        found = await repository.get_message_with_room(db, content_id)
        return None if found is None else message_info(*found)

    async def set_status(
        self, db: AsyncSession, content_id: int, status: str, moderation: dict[str, Any] | None
    ) -> ContentInfo:
        found = await repository.get_message_with_room(db, content_id)
        if found is None:
            raise LookupError(f"chat message {content_id} vanished during review")
        message, room, circle = found
        was_shown = message.status == MessageStatus.PUBLISHED
        if status == MessageStatus.PUBLISHED and message.seq is None:
            # An approved message joins the room now, after everything already said.
            message.seq = await repository.next_seq(db, room.id)
        message.status = status
        message.moderation = moderation
        await db.flush()
        if status == MessageStatus.PUBLISHED and not was_shown:
            await events.emit(db, events.chat_message(room.id, message.id))
            if "@" in message.body:  # no mention, no query for the writer's name
                writer = (
                    await accounts.get_user(db, message.author_id) if message.author_id else None
                )
                name = writer.display_name if writer else None  # worded when read
                await tell_of_chat_mentions(db, message, room, circle, name)
        elif was_shown and status != MessageStatus.PUBLISHED:
            await events.emit(db, events.chat_removed(room.id, message.id))
        return message_info(message, room, circle)


register(CONTENT_TYPE, ChatMessageContent())
