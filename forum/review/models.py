"""Tables for the review queue, reports, the append-only moderation log, crisis resources."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, JsonDoc, UTCDateTime, utcnow


class ItemStatus(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


class ReviewItem(Base):
    """Something a moderator should look at: held, flagged or reported content."""

    __tablename__ = "review_items"
    __table_args__ = (
        # One unresolved item per piece of content; reports and re-screens add to it.
        Index(
            "uq_review_items_open_content",
            "content_type",
            "content_id",
            unique=True,
            postgresql_where=text("status <> 'resolved'"),
            sqlite_where=text("status <> 'resolved'"),
        ),
        Index("ix_review_items_queue", "status", "priority", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    content_type: Mapped[str] = mapped_column(String(16))
    content_id: Mapped[int] = mapped_column(BigId)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.OPEN)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    top_score: Mapped[float] = mapped_column(Float, default=0.0)
    crisis_level: Mapped[str] = mapped_column(String(16), default="none")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    scores: Mapped[dict[str, float] | None] = mapped_column(JsonDoc, default=None)
    pipeline_version: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Bumped on every change; a decision names the version it saw (optimistic locking).
    version: Mapped[int] = mapped_column(Integer, default=1)
    resolution: Mapped[str | None] = mapped_column(String(16), default=None)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    first_decision_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When an urgent item waited unclaimed past the site's limit and was escalated (once).
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("review_items.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    # The ground rule it names (its lasting id) and the rules version the reporter saw.
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("rules.id", ondelete="SET NULL"), default=None
    )
    rules_version: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LogEntry(Base):
    """The moderation log: append-only (a database trigger refuses updates and deletes)."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int | None] = mapped_column(BigId, index=True)
    actor_id: Mapped[int | None] = mapped_column(BigId)
    actor_name: Mapped[str] = mapped_column(String(48))
    action: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str | None] = mapped_column(String(16))
    content_id: Mapped[int | None] = mapped_column(BigId)
    circle_id: Mapped[int | None] = mapped_column(BigId, index=True)
    target_user_id: Mapped[int | None] = mapped_column(BigId, index=True)
    rule_id: Mapped[int | None] = mapped_column(BigId)
    rule_title: Mapped[str | None] = mapped_column(String(120))
    rule_text: Mapped[str | None] = mapped_column(Text)
    rules_version: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class CrisisResource(Base):
    __tablename__ = "crisis_resources"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # ISO 3166 alpha-2 code, or "*" for resources shown everywhere.
    region: Mapped[str] = mapped_column(String(8), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")
    sms: Mapped[str] = mapped_column(String(40), default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


SITE_SETTINGS_ID = 1


class SiteSettings(Base):
    """Site-wide settings the admin changes on the admin page: one row (id 1)."""

    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # An urgent crisis item unclaimed for this long is escalated (forum/review/escalation.py).
    escalate_after_minutes: Mapped[int] = mapped_column(Integer, default=5)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
