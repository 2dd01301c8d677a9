"""The core API contract end to end: register, token, circle, join, thread, reply, read."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import CircleFactory, Persona, join, ok


async def test_register_returns_public_fields(client: httpx.AsyncClient) -> None:
    data = await ok(
        await client.post(
            "/api/v1/auth/register",
            json={"username": "quiet_fox", "password": "a long enough pass", "display_name": "Fox"},
        ),
        201,
    )
    assert data["username"] == "quiet_fox"
    assert data["display_name"] == "Fox"
    assert isinstance(data["id"], int)
    assert "password" not in str(data)


async def test_member_joins_posts_and_replies(
    user: Persona, other_user: Persona, circle: dict[str, Any]
) -> None:
    await join(other_user, circle)
    created = await ok(
        await other_user.api.post(
            f"/api/v1/circles/{circle['slug']}/threads",
            json={"title": "Hello there", "body": "First time **posting**."},
        ),
        201,
    )
    assert created["post"]["status"] == "published"
    assert "<strong>posting</strong>" in created["post"]["body_html"]
    reply = await ok(
        await user.api.post(f"/api/v1/threads/{created['id']}/posts", json={"body": "Welcome!"}),
        201,
    )
    thread = await ok(await other_user.api.get(f"/api/v1/threads/{created['id']}"))
    assert [p["id"] for p in thread["posts"]] == [created["post"]["id"], reply["id"]]
    assert [p["author"]["display_name"] for p in thread["posts"]] == ["Blake", "Alex"]
    assert thread["circle"]["slug"] == circle["slug"]
    assert thread["next_cursor"] is None


async def test_circle_creation_starts_from_rules_template(
    user: Persona, make_circle: CircleFactory
) -> None:
    circle = await make_circle(user, slug="carers")
    titles = [item["title"] for item in circle["rules"]["items"]]
    assert circle["rules"]["version"] == 1
    assert "Keep it confidential" in titles
    assert "No graphic detail of methods" in titles
