"""Tables for circles, their versioned ground rules and their memberships."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, JsonDoc, UTCDateTime, utcnow


class Visibility(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class CircleRole(StrEnum):
    OWNER = "owner"
    MODERATOR = "moderator"
    MEMBER = "member"


class Circle(Base):
    __tablename__ = "circles"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLIC)
    rules_version: Mapped[int] = mapped_column(Integer, default=1)
    # Thresholds and crisis policy (moderation.decision.Policy); None means the defaults.
    moderation_policy: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class Rule(Base):
    """A ground rule's lasting identity: new versions change its words, never its id."""

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RuleVersion(Base):
    __tablename__ = "rule_versions"
    __table_args__ = (UniqueConstraint("circle_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")  # the owners' own words
    # What changed, when the owners wrote no summary: worded for each reader
    # (rules/changes.py `worded_summary`). None on versions from before it was kept.
    changes: Mapped[list[dict[str, str]] | None] = mapped_column(JsonDoc, nullable=True)
    ratified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RuleItem(Base):
    """One rule as worded in one version; every version keeps its own copy of each rule."""

    __tablename__ = "rule_items"
    __table_args__ = (UniqueConstraint("rule_version_id", "rule_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rule_version_id: Mapped[int] = mapped_column(
        ForeignKey("rule_versions.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)


class Membership(Base):
    __tablename__ = "memberships"

    circle_id: Mapped[int] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=CircleRole.MEMBER)
    accepted_rules_version: Mapped[int] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CircleBan(Base):
    """A member the circle's moderators turned away: no membership, no rejoining, no writing
    in the circle (a public circle stays readable to them, as to anyone)."""

    __tablename__ = "circle_bans"

    circle_id: Mapped[int] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    banned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
