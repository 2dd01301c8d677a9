"""Owners add rooms; hosts set slow mode and opening hours; the page form does the same."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from forum.chat.models import Room
from forum.chat.rooms import check_schedule, hours_text, is_open, parse_schedule_text
from forum.errors import Invalid
from tests.conftest import Persona, join, ok
from tests.forum.test_accounts import FORM_ERROR, BrowserFactory, browser

__all__ = ["browser"]

TUESDAY_EVENINGS = {
    "timezone": "Europe/London",
    "slots": [{"day": "tue", "start": "19:00", "end": "21:00"}],
}


async def rooms_of(persona: Persona, circle: dict[str, Any]) -> list[dict[str, Any]]:
    answer = await ok(await persona.api.get(f"/api/v1/circles/{circle['slug']}/rooms"))
    rooms: list[dict[str, Any]] = answer["rooms"]
    return rooms


async def test_owner_adds_a_scheduled_room_that_everyone_sees(
    user: Persona, other_user: Persona, circle: dict[str, Any]
) -> None:
    body = {"name": "Tuesday evening circle", "schedule": TUESDAY_EVENINGS}
    room = await ok(await user.api.post(f"/api/v1/circles/{circle['slug']}/rooms", json=body), 201)
    assert room["hours"] == "Tuesdays 19:00\u201321:00 (Europe/London)"
    assert room["schedule"] == TUESDAY_EVENINGS
    listed = await rooms_of(other_user, circle)
    assert [(r["name"], r["hours"]) for r in listed] == [
        ("Drop-in", ""),
        ("Tuesday evening circle", "Tuesdays 19:00\u201321:00 (Europe/London)"),
    ]
    assert listed[0]["open_now"] is True


async def test_only_owners_add_rooms(
    other_user: Persona, moderator: Persona, circle: dict[str, Any]
) -> None:
    await join(other_user, circle)
    for persona in (other_user, moderator):
        answer = await persona.api.post(
            f"/api/v1/circles/{circle['slug']}/rooms", json={"name": "Mine"}
        )
        assert answer.status_code == 403, answer.text
    assert len(await rooms_of(other_user, circle)) == 1


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (
            {
                "timezone": "Mars/Olympus",
                "slots": [{"day": "tue", "start": "19:00", "end": "21:00"}],
            },
            "time zone",
        ),
        (
            {"timezone": "UTC", "slots": [{"day": "someday", "start": "19:00", "end": "21:00"}]},
            "day",
        ),
        ({"timezone": "UTC", "slots": [{"day": "tue", "start": "7pm", "end": "21:00"}]}, "24-hour"),
        (
            {"timezone": "UTC", "slots": [{"day": "tue", "start": "21:00", "end": "19:00"}]},
            "close after",
        ),
    ],
)
async def test_a_bad_schedule_is_refused_and_changes_nothing(
    user: Persona, circle: dict[str, Any], schedule: dict[str, Any], words: str
) -> None:
    room_id = (await rooms_of(user, circle))[0]["id"]
    answer = await user.api.patch(
        f"/api/v1/rooms/{room_id}", json={"slow_mode_seconds": 30, "schedule": schedule}
    )
    assert answer.status_code == 422, answer.text
    assert words in answer.json()["error"]["message"]
    assert (await rooms_of(user, circle))[0]["slow_mode_seconds"] == 0


async def test_owners_and_site_staff_set_slow_mode_and_members_cannot(
    user: Persona, other_user: Persona, moderator: Persona, circle: dict[str, Any]
) -> None:
    await join(other_user, circle)
    room_id = (await rooms_of(user, circle))[0]["id"]
    refused = await other_user.api.patch(f"/api/v1/rooms/{room_id}", json={"slow_mode_seconds": 5})
    assert refused.status_code == 403
    changed = await ok(
        await user.api.patch(f"/api/v1/rooms/{room_id}", json={"slow_mode_seconds": 30})
    )
    assert changed["slow_mode_seconds"] == 30 and changed["name"] == "Drop-in"
    too_slow = await user.api.patch(f"/api/v1/rooms/{room_id}", json={"slow_mode_seconds": 99999})
    assert too_slow.status_code == 422
    by_staff = await moderator.api.patch(f"/api/v1/rooms/{room_id}", json={"slow_mode_seconds": 0})
    assert (await ok(by_staff))["slow_mode_seconds"] == 0


async def test_private_circle_rooms_are_404_to_outsiders(
    user: Persona, other_user: Persona, private_circle: dict[str, Any]
) -> None:
    room_id = (await rooms_of(user, private_circle))[0]["id"]
    answer = await other_user.api.patch(f"/api/v1/rooms/{room_id}", json={"name": "Mine"})
    assert answer.status_code == 404
    added = await other_user.api.post(
        f"/api/v1/circles/{private_circle['slug']}/rooms", json={"name": "Mine"}
    )
    assert added.status_code == 404


async def test_a_circle_has_at_most_twenty_rooms(user: Persona, circle: dict[str, Any]) -> None:
    for n in range(19):
        await ok(
            await user.api.post(f"/api/v1/circles/{circle['slug']}/rooms", json={"name": f"R{n}"}),
            201,
        )
    answer = await user.api.post(f"/api/v1/circles/{circle['slug']}/rooms", json={"name": "R20"})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "too_many_rooms"


async def test_owner_adds_and_edits_rooms_from_the_rooms_page(
    user: Persona, circle: dict[str, Any], browser: BrowserFactory
) -> None:
    page = browser()
    await page.login("alex", user.password)
    rooms_page = f"/c/{circle['slug']}/rooms"
    form = {
        "name": "Thursday circle",
        "description": "A gentle hour together.",
        "slow_mode_seconds": "10",
        "hours": "thu 18:30-19:30\nsat 10:00-11:00",
        "timezone": "Europe/Dublin",
    }
    added = await page.submit(rooms_page, form, page=rooms_page)
    assert added.status_code == 303, added.text
    shown = await page.http.get(rooms_page)
    assert "Thursdays 18:30\u201319:30, Saturdays 10:00\u201311:00 (Europe/Dublin)" in shown.text
    room = (await rooms_of(user, circle))[1]
    bad = await page.submit(
        f"/rooms/{room['id']}/settings", {**form, "hours": "whenever"}, page=rooms_page
    )
    assert bad.status_code == 422
    error = FORM_ERROR.search(bad.text)
    assert error is not None and "one per line" in error.group(1)
    assert (await rooms_of(user, circle))[1]["schedule"] == room["schedule"]


async def test_members_cannot_open_the_rooms_page(
    other_user: Persona, circle: dict[str, Any], browser: BrowserFactory
) -> None:
    await join(other_user, circle)
    page = browser()
    await page.login("blake", other_user.password)
    assert (await page.http.get(f"/c/{circle['slug']}/rooms")).status_code == 403


def room_with(schedule: dict[str, Any] | None) -> Room:
    return Room(circle_id=1, name="R", description="", slow_mode_seconds=0, schedule=schedule)


def test_a_room_is_open_only_within_its_hours_in_its_own_time_zone() -> None:
    room = room_with(check_schedule(TUESDAY_EVENINGS))
    # 24 Nov 2026 is a Tuesday; London is on GMT then, so 19:30 UTC is 19:30 there.
    assert is_open(room, datetime(2026, 11, 24, 19, 30, tzinfo=UTC))
    assert not is_open(room, datetime(2026, 11, 24, 21, 0, tzinfo=UTC))
    assert not is_open(room, datetime(2026, 11, 25, 19, 30, tzinfo=UTC))
    # In June London is on BST: 18:30 UTC is 19:30 there.
    assert is_open(room, datetime(2026, 6, 2, 18, 30, tzinfo=UTC))
    assert not is_open(room, datetime(2026, 6, 2, 20, 30, tzinfo=UTC))
    assert is_open(room_with(None), datetime(2026, 6, 2, 3, 0, tzinfo=UTC))


def test_schedule_lines_accept_day_names_and_dashes() -> None:
    schedule = parse_schedule_text("Tuesday 9:00 - 10:00\n\nfri 20:00\u201324:00", "UTC")
    assert schedule == {
        "timezone": "UTC",
        "slots": [
            {"day": "tue", "start": "09:00", "end": "10:00"},
            {"day": "fri", "start": "20:00", "end": "24:00"},
        ],
    }
    assert (
        hours_text(room_with(schedule))
        == "Tuesdays 09:00\u201310:00, Fridays 20:00\u201324:00 (UTC)"
    )
    assert parse_schedule_text("  \n", "Nowhere/Atall") is None
    with pytest.raises(Invalid):
        parse_schedule_text("tue 10:00-09:00", "UTC")
