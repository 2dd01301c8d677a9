"""Tables for members' proposals to change a circle's ground rules, and their stances."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, UTCDateTime, utcnow


class ProposalKind(StrEnum):
    ADD = "add"
    CHANGE = "change"
    REMOVE = "remove"


class ProposalStatus(StrEnum):
    OPEN = "open"
    RATIFIED = "ratified"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    # A newer version changed or removed the rule first, so it can no longer apply.
    OUTDATED = "outdated"


class Stance(StrEnum):
    ENDORSE = "endorse"
    OBJECT = "object"


class RuleProposal(Base):
    __tablename__ = "rule_proposals"
    __table_args__ = (
        Index("ix_rule_proposals_circle_status", "circle_id", "status", "id"),
        Index("ix_rule_proposals_author_status", "author_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(8))
    # The rule changed or removed; for an addition, the rule it became once ratified.
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("rules.id", ondelete="SET NULL"), default=None
    )
    # The rules version the proposal was made against, and the rule's words in it.
    base_version: Mapped[int] = mapped_column(Integer)
    old_title: Mapped[str | None] = mapped_column(String(120), default=None)
    old_text: Mapped[str | None] = mapped_column(Text, default=None)
    title: Mapped[str | None] = mapped_column(String(120), default=None)
    text: Mapped[str | None] = mapped_column(Text, default=None)
    rationale: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.OPEN)
    decided_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Why it was declined or became outdated; empty when ratified.
    decision_note: Mapped[str] = mapped_column(Text, default="")
    ratified_version: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RuleStance(Base):
    """One member's endorsement or objection to a proposal; they may change it."""

    __tablename__ = "rule_stances"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("rule_proposals.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    stance: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
