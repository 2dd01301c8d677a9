"""Members a chat line mentions by display name are told, as a post's mentions are.

Only lines in a circle's rooms: a private conversation or a check-in has its readers
already, and only members of that circle can be mentioned (forum.people.mentions).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts import repository as accounts
from forum.chat.models import ChatMessage, MessageStatus, Room
from forum.circles.models import Circle
from forum.notifications.service import notify
from forum.people.mentions import mentioned


async def tell_of_chat_mentions(
    db: AsyncSession, message: ChatMessage, room: Room, circle: Circle, writer: str | None
) -> None:
    """The line is in the room for everyone now (at once, or once approved)."""
    if message.status != MessageStatus.PUBLISHED or message.sent_as:
        return
    people = await mentioned(db, message.body, circle.id, message.author_id)
    for person in people:
        if message.author_id and await accounts.block_exists_between(
            db, person.id, message.author_id
        ):
            continue
        data = {
            "circle_slug": circle.slug,
            "room_id": room.id,
            "room_name": room.name,
            "message_id": message.id,
            "member": writer,
        }
        await notify(db, person.id, "mention", data)
