"""Quiet hours are read on the member's own clock, across midnight and time zones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forum.errors import Invalid
from forum.notifications.settings import Settings, checked

ALL_ON = {"reply": True, "mention": True, "report": True, "rules": True, "invite": True}


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 7, 1, hour, minute, tzinfo=UTC)


def test_hours_that_run_past_midnight() -> None:
    night = checked(ALL_ON, {"start": "22:00", "end": "07:00", "time_zone": "UTC"})
    assert [night.quiet_at(at(h)) for h in (21, 22, 23, 0, 6, 7, 12)] == [
        False, True, True, True, True, False, False,
    ]  # fmt: skip


def test_hours_within_one_day() -> None:
    lunch = checked(ALL_ON, {"start": "12:00", "end": "13:30", "time_zone": "UTC"})
    assert [lunch.quiet_at(at(*t)) for t in ((11, 59), (12, 0), (13, 29), (13, 30))] == [
        False, True, True, False,
    ]  # fmt: skip


def test_hours_are_read_in_the_members_time_zone() -> None:
    # 22:00 in Chicago in July is 03:00 UTC the next day (CDT, UTC-5).
    chicago = checked(ALL_ON, {"start": "22:00", "end": "23:00", "time_zone": "America/Chicago"})
    assert chicago.quiet_at(at(3, 30)) and not chicago.quiet_at(at(22, 30))


def test_stored_settings_round_trip_and_bad_stored_ones_fall_back() -> None:
    chosen = checked({**ALL_ON, "rules": False}, None)
    assert Settings.of(chosen.document()) == chosen
    assert Settings.of(None) == Settings()
    broken = {"off": ["decision", "reply"], "quiet": {"start": "x", "end": "y", "zone": "?"}}
    assert Settings.of(broken) == Settings(frozenset({"reply"}), None)


def test_no_quiet_hours_means_never_quiet() -> None:
    assert not Settings().quiet_at(at(3))


@pytest.mark.parametrize("zone", ["", "Europe", "/etc/localtime", "x" * 65, "Not/AZone"])
def test_unknown_zones_are_refused(zone: str) -> None:
    with pytest.raises(Invalid, match="time zone"):
        checked(ALL_ON, {"start": "22:00", "end": "07:00", "time_zone": zone})
