"""What a member wants to hear about, and when: kinds turned off, and quiet hours.

Stored on the member's row as one small document, ``{"off": [kinds], "quiet": {"start":
"22:00", "end": "07:00", "zone": "Europe/London"}}``. A kind turned off is not stored at
all; during quiet hours a notification waits in the inbox without lighting up open pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forum.errors import Invalid
from forum.i18n import gettext
from forum.notifications.kinds import OPTIONAL

CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    zone: str

    def covers(self, now: datetime) -> bool:
        """Whether `now` (aware) falls in these hours, read on the member's own clock."""
        local = now.astimezone(ZoneInfo(self.zone)).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # the hours run past midnight

    def as_json(self) -> dict[str, str]:
        return {
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
            "time_zone": self.zone,
        }


@dataclass(frozen=True)
class Settings:
    off: frozenset[str] = frozenset()
    quiet: QuietHours | None = None

    @classmethod
    def of(cls, doc: dict[str, Any] | None) -> Settings:
        """A member's settings from their stored document (anything unreadable: defaults)."""
        doc = doc or {}
        off = frozenset(k for k in doc.get("off", ()) if k in OPTIONAL)
        quiet = None
        if isinstance(stored := doc.get("quiet"), dict):
            try:
                quiet = _quiet(stored.get("start"), stored.get("end"), stored.get("zone"))
            except Invalid:
                quiet = None
        return cls(off, quiet)

    def wants(self, kind: str) -> bool:
        return kind not in self.off

    def quiet_at(self, now: datetime) -> bool:
        return self.quiet is not None and self.quiet.covers(now)

    def document(self) -> dict[str, Any] | None:
        if not self.off and self.quiet is None:
            return None
        doc: dict[str, Any] = {"off": sorted(self.off)}
        if self.quiet is not None:
            q = self.quiet.as_json()
            doc["quiet"] = {"start": q["start"], "end": q["end"], "zone": q["time_zone"]}
        return doc

    def as_json(self) -> dict[str, Any]:
        return {
            "kinds": {kind: kind not in self.off for kind in OPTIONAL},
            "quiet_hours": self.quiet.as_json() if self.quiet else None,
        }


def checked(kinds: dict[str, bool], quiet: dict[str, str] | None) -> Settings:
    """Settings from what a member sent, or a clear error naming the field."""
    for kind in kinds:
        if kind not in OPTIONAL:
            raise Invalid(
                gettext(
                    "“%(kind)s” can't be turned off here. You can choose: %(choices)s. "
                    "What the moderators tell you about your own posts and your safety always "
                    "arrives."
                )
                % {"kind": kind, "choices": ", ".join(OPTIONAL)},
                field=f"kinds.{kind}",
            )
    off = frozenset(kind for kind, wanted in kinds.items() if not wanted)
    if quiet is None:
        return Settings(off, None)
    return Settings(off, _quiet(quiet.get("start"), quiet.get("end"), quiet.get("time_zone")))


def _clock(value: object, field: str) -> time:
    match = CLOCK.fullmatch(str(value or "").strip())
    if match is None:
        raise Invalid(
            gettext("Please give the time as hours and minutes, like 22:00."), field=field
        )
    return time(int(match[1]), int(match[2]))


def _quiet(start: object, end: object, zone: object) -> QuietHours:
    begins, ends = _clock(start, "quiet_hours.start"), _clock(end, "quiet_hours.end")
    if begins == ends:
        raise Invalid(
            gettext("Quiet hours need to start and end at different times."),
            field="quiet_hours.end",
        )
    name = str(zone or "").strip()
    try:
        if not name or len(name) > 64 or name.startswith("/") or ".." in name:
            raise ValueError(name)
        ZoneInfo(name)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        raise Invalid(
            gettext(
                "Please choose a time zone by its name, like Europe/London or America/Chicago."
            ),
            field="quiet_hours.time_zone",
        ) from None
    return QuietHours(begins, ends, name)
