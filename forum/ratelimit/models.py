"""One row per limited (action, key): a token bucket's level or a count of failed sign-ins."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base


class RateLimit(Base):
    __tablename__ = "rate_limits"

    # e.g. ("post", "user:12") or ("login_account", "alex"); see forum.ratelimit.service.
    action: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    # Tokens left in a bucket, or failures counted since the last sign-in.
    level: Mapped[float] = mapped_column(Float)
    # Times are seconds since the epoch rather than timestamps: the refill arithmetic then
    # reads the same in PostgreSQL and SQLite, and runs in one statement on both.
    at: Mapped[float] = mapped_column(Float)
    # No sign-in attempt before this time (0 for buckets).
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)
    # After this the row says nothing a fresh one wouldn't, so it may be pruned.
    expires_at: Mapped[float] = mapped_column(Float, index=True)
