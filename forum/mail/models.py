"""Tables for a member's e-mail address and the single-use links mailed to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, UTCDateTime, utcnow


class MemberEmail(Base):
    """A member's address: private to them, used only once verified."""

    __tablename__ = "member_emails"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(String(254))
    # Casefolded, for finding the account a reset is asked for by address.
    address_key: Mapped[str] = mapped_column(String(254), index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The daily digest of unread notifications: off unless the member turns it on.
    digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When the last digest went, so one day never gets two.
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailToken(Base):
    """A link mailed to a member (verify an address, reset a password); only its SHA-256
    is stored, and it works once, before `expires_at`."""

    __tablename__ = "mail_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "verify" or "reset"
    # The address a verification link proves (a later change makes it stale).
    address: Mapped[str | None] = mapped_column(String(254), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
