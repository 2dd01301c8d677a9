"""A member's personal safety plan: one row per member, theirs alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, JsonDoc, UTCDateTime, utcnow


class SafetyPlan(Base):
    __tablename__ = "safety_plans"

    # Deleting the account deletes the plan with it.
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Section key (forum.safety.service.SECTIONS) -> the member's lines, in their order.
    sections: Mapped[dict[str, list[str]]] = mapped_column(JsonDoc, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
