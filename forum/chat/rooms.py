"""Owners' room settings: adding rooms, slow mode, and weekly opening hours."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from forum import names
from forum.accounts.models import Role, User
from forum.chat import repository
from forum.chat.models import Room, drop_in_room
from forum.circles import service as circles
from forum.circles.models import Circle, CircleRole
from forum.circles.service import CircleView
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, Invalid

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
MAX_ROOMS = 20
MAX_SLOTS = 14
MAX_SLOW_MODE = 3600
MAX_DESCRIPTION = 500
CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
EN_DASH = "\u2013"
SLOT_LINE = re.compile(r"^\s*(\w{3})\w*\s+(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\s*$")


@dataclass(frozen=True)
class Slot:
    day: int  # 0 = Monday
    start: time
    end: time | None  # None means midnight at the end of the day

    def contains(self, moment: datetime) -> bool:
        if moment.weekday() != self.day:
            return False
        now = moment.time()
        return self.start <= now and (self.end is None or now < self.end)

    def to_dict(self) -> dict[str, str]:
        end = "24:00" if self.end is None else self.end.strftime("%H:%M")
        return {"day": DAYS[self.day], "start": self.start.strftime("%H:%M"), "end": end}


def _clock(text: str, what: str) -> time | None:
    text = text.strip()
    if len(text) == 4:
        text = "0" + text
    if not CLOCK.match(text):
        raise Invalid(f"{what} must be a time like 19:00 (24-hour clock).", field="schedule")
    return None if text == "24:00" else time.fromisoformat(text)


def check_schedule(schedule: dict[str, Any] | None) -> dict[str, Any] | None:
    """The schedule in its stored form, or a clear 422; None or no slots mean always open."""
    if not schedule or not schedule.get("slots"):
        return None
    zone = str(schedule.get("timezone") or "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            f"“{zone[:60]}” is not a time zone we know; use a name like Europe/London.",
            field="schedule",
        ) from None
    slots = schedule["slots"]
    if not isinstance(slots, list) or len(slots) > MAX_SLOTS:
        raise Invalid(f"A room can have at most {MAX_SLOTS} opening times.", field="schedule")
    checked = []
    for slot in slots:
        if not isinstance(slot, dict) or str(slot.get("day", ""))[:3].lower() not in DAYS:
            raise Invalid("Each opening time needs a day (mon to sun).", field="schedule")
        start = _clock(str(slot.get("start", "")), "The opening time")
        end = _clock(str(slot.get("end", "")), "The closing time")
        if start is None or (end is not None and end <= start):
            raise Invalid("A room must close after it opens on the same day.", field="schedule")
        checked.append(Slot(DAYS.index(str(slot["day"])[:3].lower()), start, end).to_dict())
    return {"timezone": zone, "slots": checked}


def parse_schedule_text(text: str, timezone: str) -> dict[str, Any] | None:
    """The form's "tue 19:00-21:00" lines as a schedule (see `check_schedule`)."""
    slots = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = SLOT_LINE.match(line)
        if match is None:
            raise Invalid(
                f"“{line.strip()[:40]}” isn't an opening time; write one per line, "
                "like: tue 19:00-21:00",
                field="schedule",
            )
        day, start, end = match.groups()
        slots.append({"day": day, "start": start, "end": end})
    return check_schedule({"timezone": timezone, "slots": slots})


def _slots(schedule: dict[str, Any]) -> list[Slot]:
    return [
        Slot(DAYS.index(s["day"]), _clock(s["start"], "") or time(0), _clock(s["end"], ""))
        for s in schedule["slots"]
    ]


def is_open(room: Room, now: datetime | None = None) -> bool:
    if not room.schedule:
        return True
    local = (now or utcnow()).astimezone(ZoneInfo(room.schedule["timezone"]))
    return any(slot.contains(local) for slot in _slots(room.schedule))


def hours_text(room: Room) -> str:
    """'Tuesdays 19:00-21:00 (Europe/London)', with an en dash; empty when always open."""
    if not room.schedule:
        return ""
    parts = []
    for slot in _slots(room.schedule):
        times = slot.to_dict()
        parts.append(f"{DAY_NAMES[slot.day]} {times['start']}{EN_DASH}{times['end']}")
    return f"{', '.join(parts)} ({room.schedule['timezone']})"


def schedule_lines(room: Room) -> str:
    """The schedule as the settings form shows it, one "tue 19:00-21:00" per line."""
    if not room.schedule:
        return ""
    return "\n".join(f"{s['day']} {s['start']}-{s['end']}" for s in room.schedule["slots"])


def is_host(user: User, view: CircleView) -> bool:
    """Circle owners and moderators (and site staff) run the circle's rooms."""
    role = view.membership.role if view.membership else None
    return user.is_staff or role in (CircleRole.OWNER, CircleRole.MODERATOR)


def require_host(user: User, view: CircleView) -> None:
    if not is_host(user, view):
        raise Forbidden("Only this circle's owners and moderators can change its rooms.")


def _check_name(name: str) -> str:
    name = names.clean(name)
    if not 1 <= len(name) <= 80:
        raise Invalid("A room's name must be 1 to 80 characters.", field="name")
    return name


def _check_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(
            f"A room's description can be at most {MAX_DESCRIPTION} characters.",
            field="description",
        )
    return description


def _check_slow_mode(seconds: int) -> int:
    if not 0 <= seconds <= MAX_SLOW_MODE:
        raise Invalid(
            f"Slow mode is 0 (off) to {MAX_SLOW_MODE} seconds between messages.",
            field="slow_mode_seconds",
        )
    return seconds


async def add_room(
    db: AsyncSession,
    user: User,
    view: CircleView,
    name: str,
    description: str,
    slow_mode_seconds: int,
    schedule: dict[str, Any] | None,
) -> Room:
    """Owners (and site admins) add rooms, such as a weekly evening circle."""
    role = view.membership.role if view.membership else None
    if role != CircleRole.OWNER and user.role != Role.ADMIN:
        raise Forbidden("Only this circle's owners can add rooms.")
    if len(await repository.rooms_for_circle(db, view.circle.id)) >= MAX_ROOMS:
        raise Conflict(f"A circle can have at most {MAX_ROOMS} rooms.", code="too_many_rooms")
    room = Room(
        circle_id=view.circle.id,
        name=_check_name(name),
        description=_check_description(description),
        slow_mode_seconds=_check_slow_mode(slow_mode_seconds),
        schedule=check_schedule(schedule),
    )
    db.add(room)
    await db.flush()
    return room


async def change_room(
    db: AsyncSession, user: User, view: CircleView, room: Room, changes: dict[str, Any]
) -> Room:
    """Apply the given settings (only the keys present); hosts run their circle's rooms.

    Everything is checked before anything changes, so a bad field changes nothing.
    """
    require_host(user, view)
    checks: dict[str, Callable[[Any], Any]] = {
        "name": _check_name,
        "description": _check_description,
        "slow_mode_seconds": _check_slow_mode,
        "schedule": check_schedule,
    }
    checked = {name: checks[name](value) for name, value in changes.items() if name in checks}
    for name, value in checked.items():
        setattr(room, name, value)
    await db.flush()
    return room


async def create_circle(
    db: AsyncSession,
    owner: User,
    slug: str,
    name: str,
    description: str,
    visibility: str,
) -> Circle:
    """A new circle (see forum.circles) with the room every circle starts with."""
    circle = await circles.create_circle(db, owner, slug, name, description, visibility)
    db.add(drop_in_room(circle.id))
    await db.flush()
    return circle
