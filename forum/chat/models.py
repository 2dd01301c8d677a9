"""Tables for chat rooms and their messages."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, JsonDoc, UTCDateTime, utcnow
from forum.i18n import N_


class MessageStatus(StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"
    REJECTED = "rejected"
    REMOVED = "removed"


class RoomKind(StrEnum):
    CIRCLE = "circle"
    # A conversation between two members, outside any circle (see forum/chat/direct.py).
    DIRECT = "direct"
    # A member and the moderators as a team, opened by a check-in (see forum/chat/team.py).
    CHECK_IN = "check_in"


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # None for a direct conversation.
    circle_id: Mapped[int | None] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default=RoomKind.CIRCLE, server_default="circle")
    # Direct conversations: "<smaller user id>:<larger user id>", one per pair;
    # check-ins: "check-in:<member id>:<when they joined>", one per member.
    direct_key: Mapped[str | None] = mapped_column(String(48), unique=True, default=None)
    name: Mapped[str] = mapped_column(String(80))
    # Free text shown with the room, such as its opening hours.
    description: Mapped[str] = mapped_column(Text, default="")
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # Opening hours ({"timezone", "slots": [{"day", "start", "end"}]}); None: always open.
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, default=None)
    # The last seq handed out; bumped with UPDATE ... RETURNING so seqs never gap.
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A check-in its member closed; a later check-in opens it again.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class RoomMember(Base):
    """Who takes part in a direct conversation (circle rooms go by circle membership)."""

    __tablename__ = "room_members"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (
        # A resend of the same client_msg_id finds the first copy instead of a second one.
        UniqueConstraint(
            "room_id", "author_id", "client_msg_id", name="uq_chat_messages_client_msg"
        ),
        UniqueConstraint("room_id", "seq", name="uq_chat_messages_room_seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    # None until published: held messages take their place in the room when approved.
    seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    client_msg_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.PUBLISHED)
    moderation: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, default=None)
    # Content warnings, as on posts; None when there are none.
    content_warnings: Mapped[list[str] | None] = mapped_column(JsonDoc, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "team": written by a moderator for the team in a check-in, and shown as the team's.
    sent_as: Mapped[str | None] = mapped_column(String(16), default=None)


class CheckIn(Base):
    """A moderator reaching out about a review item; it opened (or reused) a check-in room.

    Who may read the room besides its member follows from these rows: site staff, and the
    moderators of the circles the check-ins came from.
    """

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_items.id", ondelete="SET NULL"), default=None
    )
    circle_id: Mapped[int | None] = mapped_column(
        ForeignKey("circles.id", ondelete="SET NULL"), default=None
    )
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Every circle's first room, stored in English and shown in the reader's language
# (`chat.service.room_json`).
DROP_IN = N_("Drop-in")
DROP_IN_DESCRIPTION = N_("Always open.")


def drop_in_room(circle_id: int) -> Room:
    """Every circle starts with one room that is always open."""
    return Room(circle_id=circle_id, name=DROP_IN, description=DROP_IN_DESCRIPTION)
