"""The moderation path end to end over HTTP: crisis, held toxicity, approval, rejection."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Persona, join, ok


async def test_crisis_post_returns_resources_and_tops_the_queue(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    await ok(
        await other_user.api.post(
            f"/api/v1/threads/{thread['id']}/posts", json={"body": "you are a fucking idiot"}
        ),
        201,
    )
    created = await ok(
        await user.api.post(
            f"/api/v1/threads/{thread['id']}/posts",
            json={"body": "I have the pills ready. Tonight is the night."},
            headers={"Accept-Language": "en-GB,en;q=0.8"},
        ),
        201,
    )
    assert created["status"] == "pending"
    assert created["crisis"]["level"] == "urgent"
    names = [r["name"] for r in created["crisis"]["resources"]]
    assert "Samaritans" in names and "Find a Helpline" in names
    assert "988 Suicide & Crisis Lifeline" not in names
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    first = queue["items"][0]
    assert (first["content_type"], first["content_id"]) == ("post", created["id"])
    assert queue["counts"]["urgent"] == 1


async def test_toxic_reply_is_held_until_a_moderator_approves(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    client: httpx.AsyncClient,
) -> None:
    await join(other_user, circle)
    held = await ok(
        await other_user.api.post(
            f"/api/v1/threads/{thread['id']}/posts", json={"body": "you are a fucking idiot"}
        ),
        201,
    )
    assert held["status"] == "pending"
    assert held["moderation"]["reasons"][0]["kind"] == "toxicity"
    seen_by_others = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert held["id"] not in [p["id"] for p in seen_by_others["posts"]]
    seen_by_author = await ok(await other_user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert held["id"] in [p["id"] for p in seen_by_author["posts"]]
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    item = next(i for i in queue["items"] if i["content_id"] == held["id"])
    await ok(await moderator.api.post(f"/api/v1/moderation/items/{item['id']}/claim", json={}))
    await ok(
        await moderator.api.post(
            f"/api/v1/moderation/items/{item['id']}/decision", json={"action": "approve"}
        )
    )
    anonymous = await ok(await client.get(f"/api/v1/threads/{thread['id']}"))
    assert held["id"] in [p["id"] for p in anonymous["posts"]]
