"""How a moment is shown on a page: relative words in <time>, the exact time on hover.

static/js/times.js says the same words in the browser, keeps them current, and puts the
exact time in the reader's own time zone; the server, not knowing it, says UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from markupsafe import Markup

# The same units, lengths and words as static/js/times.js (Intl.RelativeTimeFormat,
# English, numeric: "auto"): change them together.
UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)
ONE_AWAY = {
    "year": ("last year", "next year"),
    "month": ("last month", "next month"),
    "week": ("last week", "next week"),
    "day": ("yesterday", "tomorrow"),
}


def as_utc(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    # Stored times are UTC; a naive one (never expected) is read as UTC too.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def relative_words(moment: datetime, now: datetime) -> str:
    seconds = round((moment - now).total_seconds())
    size = abs(seconds)
    for unit, length in UNITS:
        if size >= length:
            count = size // length
            if count == 1 and unit in ONE_AWAY:
                return ONE_AWAY[unit][seconds > 0]
            words = f"{count} {unit}" + ("" if count == 1 else "s")
            return f"in {words}" if seconds > 0 else f"{words} ago"
    return "just now"


def exact_words(moment: datetime) -> str:
    return moment.strftime("%-d %b %Y, %H:%M UTC")


def timestamp(value: datetime | str, now: datetime | None = None) -> Markup:
    """`<time class="timestamp" datetime=ISO title=exact>relative</time>` for a template."""
    moment = as_utc(value)
    return Markup('<time class="timestamp" datetime="{}" title="{}">{}</time>').format(
        moment.isoformat(), exact_words(moment), relative_words(moment, now or datetime.now(UTC))
    )
