"""SQL for chat rooms and messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from forum.accounts.models import User
from forum.chat.models import ChatMessage, CheckIn, MessageStatus, Room, RoomKind, RoomMember
from forum.circles.models import Circle, Membership

MessageRow = tuple[ChatMessage, str | None]


async def rooms_for_circle(db: AsyncSession, circle_id: int) -> Sequence[Room]:
    result = await db.scalars(select(Room).where(Room.circle_id == circle_id).order_by(Room.id))
    return result.all()


async def get_room_with_circle(db: AsyncSession, room_id: int) -> tuple[Room, Circle | None] | None:
    """The room and its circle (None for a direct conversation)."""
    row = (
        await db.execute(
            select(Room, Circle)
            .outerjoin(Circle, Circle.id == Room.circle_id)
            .where(Room.id == room_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def next_seq(db: AsyncSession, room_id: int) -> int:
    """Take the room's next seq; the row lock it holds until commit keeps seqs gap-free."""
    return (await take_seqs(db, room_id, 1))[0]


async def take_seqs(db: AsyncSession, room_id: int, count: int) -> list[int]:
    """Take the room's next `count` seqs in one statement (locking the row until commit)."""
    last = await db.scalar(
        update(Room)
        .where(Room.id == room_id)
        .values(last_seq=Room.last_seq + count)
        .returning(Room.last_seq)
        .execution_options(synchronize_session=False)
    )
    assert last is not None
    return list(range(int(last) - count + 1, int(last) + 1))


async def by_client_msg_ids(
    db: AsyncSession, room_id: int, author_id: int, client_msg_ids: list[str]
) -> dict[str, ChatMessage]:
    """The author's messages in the room already stored under any of these ids."""
    result = await db.scalars(
        select(ChatMessage).where(
            ChatMessage.room_id == room_id,
            ChatMessage.author_id == author_id,
            ChatMessage.client_msg_id.in_(client_msg_ids),
        )
    )
    return {message.client_msg_id: message for message in result}


async def get_message_with_room(
    db: AsyncSession, message_id: int
) -> tuple[ChatMessage, Room, Circle] | None:
    row = (
        await db.execute(
            select(ChatMessage, Room, Circle)
            .join(Room, Room.id == ChatMessage.room_id)
            .join(Circle, Circle.id == Room.circle_id)
            .where(ChatMessage.id == message_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def author_name(db: AsyncSession, author_id: int | None) -> str | None:
    if author_id is None:
        return None
    name: str | None = await db.scalar(select(User.display_name).where(User.id == author_id))
    return name


def _published(room_id: int | None):  # type: ignore[no-untyped-def]
    query = (
        select(ChatMessage, User.display_name)
        .outerjoin(User, User.id == ChatMessage.author_id)
        .where(ChatMessage.status == MessageStatus.PUBLISHED)
    )
    return query if room_id is None else query.where(ChatMessage.room_id == room_id)


async def messages_after(
    db: AsyncSession, room_id: int, after: int, limit: int
) -> list[MessageRow]:
    rows = await db.execute(
        _published(room_id).where(ChatMessage.seq > after).order_by(ChatMessage.seq).limit(limit)
    )
    return [(message, name) for message, name in rows]


async def published_by_ids(db: AsyncSession, ids: list[int]) -> list[MessageRow]:
    rows = await db.execute(_published(None).where(ChatMessage.id.in_(ids)))
    return [(message, name) for message, name in rows]


async def messages_before(
    db: AsyncSession, room_id: int, before: int | None, limit: int
) -> list[MessageRow]:
    """The newest `limit` published messages before `before`, oldest first."""
    query = _published(room_id).where(ChatMessage.seq.is_not(None))
    if before is not None:
        query = query.where(ChatMessage.seq < before)
    rows = await db.execute(query.order_by(ChatMessage.seq.desc()).limit(limit))
    return [(message, name) for message, name in rows][::-1]


async def last_sent_at(db: AsyncSession, room_id: int, author_id: int) -> datetime | None:
    latest: datetime | None = await db.scalar(
        select(func.max(ChatMessage.created_at)).where(
            ChatMessage.room_id == room_id, ChatMessage.author_id == author_id
        )
    )
    return latest


async def room_by_key(db: AsyncSession, key: str) -> Room | None:
    room: Room | None = await db.scalar(select(Room).where(Room.direct_key == key))
    return room


async def room_members(db: AsyncSession, room_id: int) -> list[User]:
    """Who takes part in a direct or check-in room (moderators of a check-in aside)."""
    result = await db.scalars(
        select(User)
        .join(RoomMember, RoomMember.user_id == User.id)
        .where(RoomMember.room_id == room_id)
    )
    return list(result)


async def check_in_circles(db: AsyncSession, room_id: int) -> list[int | None]:
    """The circles the check-ins in this room came from."""
    result = await db.scalars(select(CheckIn.circle_id).where(CheckIn.room_id == room_id))
    return list(result)


async def check_in_moderators(db: AsyncSession, room_id: int) -> list[int]:
    result = await db.scalars(
        select(CheckIn.moderator_id)
        .where(CheckIn.room_id == room_id, CheckIn.moderator_id.is_not(None))
        .distinct()
    )
    return [int(user_id) for user_id in result if user_id is not None]


# Direct conversations (chat/direct.py).


async def share_a_circle(db: AsyncSession, a_id: int, b_id: int) -> bool:
    mine, theirs = aliased(Membership), aliased(Membership)
    query = select(
        exists().where(
            and_(mine.user_id == a_id, theirs.user_id == b_id, mine.circle_id == theirs.circle_id)
        )
    )
    return bool(await db.scalar(query))


async def direct_room(db: AsyncSession, key: str) -> Room | None:
    room: Room | None = await db.scalar(select(Room).where(Room.direct_key == key))
    return room


async def add_direct_room(db: AsyncSession, key: str, member_ids: tuple[int, int]) -> Room:
    room = Room(circle_id=None, kind=RoomKind.DIRECT, direct_key=key, name="Direct")
    db.add(room)
    await db.flush()
    db.add_all([RoomMember(room_id=room.id, user_id=u) for u in member_ids])
    await db.flush()
    return room


async def direct_members(db: AsyncSession, room_id: int, user_id: int) -> dict[int, User | None]:
    """Each member of the room, with their account if they are not `user_id`: in one
    query, whether this member takes part and who the other one is."""
    rows = await db.execute(
        select(RoomMember.user_id, User)
        .outerjoin(User, and_(User.id == RoomMember.user_id, User.id != user_id))
        .where(RoomMember.room_id == room_id)
    )
    return {member_id: other for member_id, other in rows}


async def conversation_rows(db: AsyncSession, user_id: int) -> list[tuple[Room, User | None]]:
    """A member's direct and check-in rooms with the other member, most recently active
    first."""
    me, them = aliased(RoomMember), aliased(RoomMember)
    latest = (
        select(func.max(ChatMessage.created_at))
        .where(ChatMessage.room_id == Room.id)
        .correlate(Room)
        .scalar_subquery()
    )
    rows = await db.execute(
        select(Room, User)
        .join(me, and_(me.room_id == Room.id, me.user_id == user_id))
        .outerjoin(them, and_(them.room_id == Room.id, them.user_id != user_id))
        .outerjoin(User, User.id == them.user_id)
        .where(Room.kind.in_((RoomKind.DIRECT, RoomKind.CHECK_IN)))
        .order_by(func.coalesce(latest, Room.created_at).desc(), Room.id.desc())
    )
    return [(room, other) for room, other in rows]
