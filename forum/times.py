"""How a moment is shown on a page: relative words in <time>, the exact time on hover.

Both are in the reader's language (forum.i18n): Babel's CLDR data says "3 hours ago"
or "hace 3 horas" and "7 Dec 2026" or "7 dic 2026". static/js/times.js says the same
words in the browser (in the page's <html lang>), keeps them current, and puts the
exact time in the reader's own time zone; the server, not knowing it, says UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from babel.dates import format_datetime, format_skeleton, format_timedelta
from markupsafe import Markup

from forum.i18n import N_, _, babel_locale

# The same units, lengths and words as static/js/times.js (Intl.RelativeTimeFormat,
# numeric: "auto"): change them together. The lengths are also Babel's, so a whole
# number of one unit is never written in a larger one.
UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)
ONE_AWAY = {
    "year": (N_("last year"), N_("next year")),
    "month": (N_("last month"), N_("next month")),
    "week": (N_("last week"), N_("next week")),
    "day": (N_("yesterday"), N_("tomorrow")),
}
JUST_NOW = N_("just now")
# "7 Dec 2026, 12:05 UTC": the month's short name comes from the reader's language.
EXACT_PATTERN = "d MMM y, HH:mm 'UTC'"


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
                return _(ONE_AWAY[unit][seconds > 0])
            # threshold=1: Babel keeps the unit chosen here (count * length < the next one).
            whole = timedelta(seconds=count * length if seconds > 0 else -count * length)
            return format_timedelta(
                whole, threshold=1, add_direction=True, format="long", locale=babel_locale()
            )
    return _(JUST_NOW)


def exact_words(moment: datetime) -> str:
    return format_datetime(moment, EXACT_PATTERN, tzinfo=UTC, locale=babel_locale())


def day_and_month(moment: datetime) -> str:
    """ "7 December" in English, "7 de diciembre" in Spanish: the reader's way."""
    locale = babel_locale()
    if locale.language == "en":
        return f"{moment.day} {format_datetime(moment, 'MMMM', locale=locale)}"
    return format_skeleton("MMMMd", moment, locale=locale)


def timestamp(value: datetime | str, now: datetime | None = None) -> Markup:
    """`<time class="timestamp" datetime=ISO title=exact>relative</time>` for a template."""
    moment = as_utc(value)
    return Markup('<time class="timestamp" datetime="{}" title="{}">{}</time>').format(
        moment.isoformat(), exact_words(moment), relative_words(moment, now or datetime.now(UTC))
    )
