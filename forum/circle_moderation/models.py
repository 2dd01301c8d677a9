"""The log of changes to a circle's moderation settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, JsonDoc, UTCDateTime, utcnow


class SettingsChange(Base):
    """Who changed a circle's moderation settings, when, and what (before and after)."""

    __tablename__ = "circle_settings_log"
    __table_args__ = (Index("ix_circle_settings_log_circle_id_id", "circle_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # [{"kind": "threshold", "label", "which": "hold"|"flag", "before", "after"}, ...]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
