"""Tables for members, their sign-in sessions and personal API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, JsonDoc, UTCDateTime, utcnow


class Role(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Usernames are unique regardless of case; the key is the casefolded form.
    username: Mapped[str] = mapped_column(String(32))
    username_key: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(48))
    # The display name's lookalike key (forum.names.name_key): a new name whose key another
    # member already has could pass for them, so it is refused in one indexed query.
    display_name_key: Mapped[str] = mapped_column(
        String(512), default="", server_default="", index=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # ISO 3166 country code for crisis resources; None means "from the browser's language".
    region: Mapped[str | None] = mapped_column(String(8), default=None)
    # The interface language ("en", "es": forum.i18n.LANGUAGES); None follows Accept-Language.
    locale: Mapped[str | None] = mapped_column(String(8), default=None)
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Chat rooms don't list this member under "Here now".
    hide_presence: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Who may start a direct conversation: nobody (the default), co-members of a circle
    # ("circles") or anyone.
    dm_policy: Mapped[str] = mapped_column(String(16), default="nobody", server_default="nobody")
    # Personal boundaries (forum.accounts.boundaries): words whose posts and messages are
    # collapsed for this member, a short note on the profile, and a break from presence.
    muted_words: Mapped[list[str] | None] = mapped_column(JsonDoc, default=None)
    availability: Mapped[str | None] = mapped_column(String(120), default=None)
    taking_break: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How this member sees each content warning: {"grief": "show"|"blur"|"hide"}; blur if unset.
    content_warning_prefs: Mapped[dict[str, str] | None] = mapped_column(JsonDoc, default=None)
    # Whether the moderators may write to this member privately (a check-in) when they are
    # worried about them; on unless the member says no (forum/checkins).
    check_ins: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Unread notifications, kept beside the member so every page shows the bell's count
    # without another query (forum/notifications/repository.py keeps it exact).
    unread_notifications: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Kinds of notification turned off, and quiet hours (forum/notifications/settings.py).
    notification_prefs: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, default=None)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)


class AuthSession(Base):
    """A browser sign-in. Only the SHA-256 of the cookie token is stored."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class ApiToken(Base):
    """A personal token for `Authorization: Bearer`; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Block(Base):
    """`blocker_id` no longer sees `blocked_id`, who can't reach them; they aren't told."""

    __tablename__ = "blocks"

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
