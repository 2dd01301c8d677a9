"""Hostile or careless input gets a clear 4xx naming the problem, never a 500 or a half-kept row."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from forum.chat.models import Room
from forum.circles.models import Circle
from forum.fields import MAX_DEPTH
from forum.threads.models import Thread
from tests.conftest import Database, Persona, join, ok
from tests.forum.test_errors import api_error, calm_page

JSON = {"content-type": "application/json"}


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


async def count(database: Database, model: type[Any]) -> int:
    async with database.sessions() as db:
        return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


# Nesting


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 30_000])
async def test_deeply_nested_json_is_400(client: httpx.AsyncClient, depth: int) -> None:
    body = b'{"username": "deep", "password": "x", "display_name": ' + nested(depth) + b"}"
    response = await client.post("/api/v1/auth/register", content=body, headers=JSON)
    error = api_error(response, 400, "too_deep")
    assert f"more than {MAX_DEPTH} levels" in error["message"]


async def test_nesting_within_the_limit_is_judged_by_the_schema(user: Persona) -> None:
    body = b'{"ids": ' + nested(MAX_DEPTH - 1) + b"}"
    response = await user.api.post("/api/v1/me/notifications/read", content=body, headers=JSON)
    assert api_error(response, 422, "invalid")["field"].startswith("ids")


# Numbers


@pytest.mark.parametrize("digits", [21, 5_000, 50_000])
async def test_huge_rules_version_on_join_is_422_naming_it(
    other_user: Persona, circle: dict[str, Any], digits: int
) -> None:
    body = b'{"accept_rules_version": ' + b"9" * digits + b"}"
    response = await other_user.api.post(
        f"/api/v1/circles/{circle['slug']}/join", content=body, headers=JSON
    )
    error = api_error(response, 422, "invalid")
    assert error["field"] == "accept_rules_version"
    assert "too large" in error["message"]


async def test_huge_content_id_on_report_is_422_naming_it(user: Persona) -> None:
    body = b'{"content_type": "post", "content_id": -' + b"1" * 5000 + b', "reason": "x"}'
    response = await user.api.post("/api/v1/reports", content=body, headers=JSON)
    assert api_error(response, 422, "invalid")["field"] == "content_id"


@pytest.mark.parametrize("number", [b"1e999", b"-1e400", b"NaN", b"Infinity"])
async def test_infinite_numbers_are_422(
    other_user: Persona, circle: dict[str, Any], number: bytes
) -> None:
    body = b'{"accept_rules_version": ' + number + b"}"
    response = await other_user.api.post(
        f"/api/v1/circles/{circle['slug']}/join", content=body, headers=JSON
    )
    assert api_error(response, 422, "invalid")["field"] == "accept_rules_version"


# Text that can't be stored


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ('"\\ud800 alone"', '"fine"', "title"),
        ('"fine"', '"a \\udfff b"', "body"),
        ('"fine"', '"a \\u0000 b"', "body"),
    ],
)
async def test_unstorable_characters_in_a_thread_are_422_and_keep_nothing(
    user: Persona, circle: dict[str, Any], database: Database, title: str, body: str, field: str
) -> None:
    before = await count(database, Thread)
    raw = f'{{"title": {title}, "body": {body}}}'.encode()
    response = await user.api.post(
        f"/api/v1/circles/{circle['slug']}/threads", content=raw, headers=JSON
    )
    error = api_error(response, 422, "invalid")
    assert error["field"] == field
    assert "can't be stored" in error["message"]
    assert await count(database, Thread) == before


async def test_lone_surrogate_in_a_reply_is_422(user: Persona, thread: dict[str, Any]) -> None:
    response = await user.api.post(
        f"/api/v1/threads/{thread['id']}/posts", content=b'{"body": "\\ud83d"}', headers=JSON
    )
    assert api_error(response, 422, "invalid")["field"] == "body"


async def test_lone_surrogate_in_a_field_name_is_422(user: Persona) -> None:
    response = await user.api.patch(
        "/api/v1/me", content=b'{"content_warning_prefs": {"\\udc00": "hide"}}', headers=JSON
    )
    assert api_error(response, 422, "invalid")["field"] == "content_warning_prefs"


async def test_a_paired_surrogate_is_an_ordinary_character(
    user: Persona, circle: dict[str, Any]
) -> None:
    created = await ok(
        await user.api.post(
            f"/api/v1/circles/{circle['slug']}/threads",
            content=b'{"title": "Tea \\ud83c\\udf75", "body": "with friends"}',
            headers=JSON,
        ),
        201,
    )
    assert created["title"] == "Tea \U0001f375"


async def test_new_circle_with_a_lone_surrogate_keeps_nothing(
    user: Persona, database: Database
) -> None:
    before = await count(database, Circle)
    body = b'{"slug": "tea", "name": "Tea \\ud800", "description": "", "visibility": "public"}'
    response = await user.api.post("/api/v1/circles", content=body, headers=JSON)
    assert api_error(response, 422, "invalid")["field"] == "name"
    assert await count(database, Circle) == before


# Addresses


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/circles/%00",
        "/api/v1/users/%00",
        "/api/v1/circles/a%00b/threads",
        "/api/v1/circles?x=%00",
        "/api/v1/moderation/queue?reason=%00",
    ],
)
async def test_nul_in_an_api_address_is_400(user: Persona, path: str) -> None:
    error = api_error(await user.api.get(path), 400, "bad_address")
    assert "NUL" in error["message"]


@pytest.mark.parametrize("path", ["/c/%00", "/c/%00/rooms", "/u/%00", "/?q=%00"])
async def test_nul_in_a_page_address_is_a_calm_400(client: httpx.AsyncClient, path: str) -> None:
    calm_page(await client.get(path), 400)


# Nulls and empty bodies


@pytest.mark.parametrize("field", ["name", "description", "slow_mode_seconds"])
async def test_null_for_a_room_setting_is_422_and_changes_nothing(
    user: Persona, circle: dict[str, Any], database: Database, field: str
) -> None:
    rooms = await ok(await user.api.get(f"/api/v1/circles/{circle['slug']}/rooms"))
    room = rooms["rooms"][0]
    response = await user.api.patch(
        f"/api/v1/rooms/{room['id']}", json={"description": "Changed", field: None}
    )
    error = api_error(response, 422, "invalid")
    assert error["field"] == field
    assert "can't be null" in error["message"]
    async with database.sessions() as db:
        stored = await db.get(Room, room["id"])
        assert stored is not None and stored.description == room["description"]


async def test_bodiless_leave_is_accepted(other_user: Persona, circle: dict[str, Any]) -> None:
    await join(other_user, circle)
    left = await ok(await other_user.api.post(f"/api/v1/circles/{circle['slug']}/leave"))
    assert left == {"slug": circle["slug"], "left": True}


async def test_bodiless_join_asks_for_the_rules_version(
    other_user: Persona, circle: dict[str, Any]
) -> None:
    # Joining is agreeing to the ground rules: a body is how a member says which version.
    response = await other_user.api.post(f"/api/v1/circles/{circle['slug']}/join")
    error = api_error(response, 422, "invalid")
    assert error["field"] == "accept_rules_version"
    assert "required" in error["message"]


async def test_bodiless_claim_is_accepted(moderator: Persona, user: Persona) -> None:
    circle = await ok(
        await user.api.post(
            "/api/v1/circles",
            json={"slug": "claims", "name": "Claims", "description": "", "visibility": "public"},
        ),
        201,
    )
    thread = await ok(
        await user.api.post(
            f"/api/v1/circles/{circle['slug']}/threads", json={"title": "Hello", "body": "Hi"}
        ),
        201,
    )
    await ok(
        await user.api.post(
            "/api/v1/reports",
            json={"content_type": "post", "content_id": thread["post"]["id"], "reason": "spam"},
        ),
        201,
    )
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    item = queue["items"][0]
    claimed = await ok(await moderator.api.post(f"/api/v1/moderation/items/{item['id']}/claim"))
    assert claimed["claimed_by"] == "Mod"
