"""Notifications over HTTP: decisions tell their author, reading marks them, only yours."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Persona, join, ok

ABUSE = "you are a fucking idiot"


async def held_post(author: Persona, thread: dict[str, Any], body: str = ABUSE) -> dict[str, Any]:
    return await ok(
        await author.api.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": body}), 201
    )


async def item_for(moderator: Persona, post_id: int) -> int:
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    return int(next(i["id"] for i in queue["items"] if i["content_id"] == post_id))


async def decide(moderator: Persona, item_id: int, **decision: Any) -> None:
    await ok(await moderator.api.post(f"/api/v1/moderation/items/{item_id}/claim", json={}))
    await ok(
        await moderator.api.post(f"/api/v1/moderation/items/{item_id}/decision", json=decision)
    )


async def notifications(persona: Persona) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await ok(await persona.api.get("/api/v1/me/notifications")))[
        "items"
    ]
    return items


async def test_approving_held_post_tells_its_author(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post = await held_post(other_user, thread)
    await decide(moderator, await item_for(moderator, post["id"]), action="approve")
    [notice] = await notifications(other_user)
    assert set(notice) == {"id", "kind", "created_at", "read", "text", "url"}
    assert (notice["kind"], notice["read"]) == ("decision", False)
    assert "approved" in notice["text"]
    assert notice["url"].endswith(f"#post-{post['id']}")
    assert "Mod" not in notice["text"]  # authors learn what was decided, not who decided


async def test_rejection_tells_author_the_rule_and_note(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post = await held_post(other_user, thread)
    rule = circle["rules"]["items"][0]
    note = "Please speak to the idea, not the person."
    item_id = await item_for(moderator, post["id"])
    await decide(moderator, item_id, action="reject", rule_id=rule["id"], note=note)
    [notice] = await notifications(other_user)
    assert "wasn't published" in notice["text"]
    assert rule["title"] in notice["text"] and note in notice["text"]
    assert notice["url"] == "/account/moderation"


async def test_approving_what_was_already_public_tells_nobody(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post = await ok(
        await other_user.api.post(
            f"/api/v1/threads/{thread['id']}/posts", json={"body": "A kind, ordinary reply."}
        ),
        201,
    )
    await ok(
        await user.api.post(
            "/api/v1/reports",
            json={"content_type": "post", "content_id": post["id"], "reason": "not sure"},
        ),
        201,
    )
    await decide(moderator, await item_for(moderator, post["id"]), action="approve")
    assert await notifications(other_user) == []


async def test_mark_some_then_all_read_keeps_the_count(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    for body in (ABUSE, "you stupid fucking moron"):
        post = await held_post(other_user, thread, body)
        await decide(moderator, await item_for(moderator, post["id"]), action="approve")
    first, second = await notifications(other_user)
    assert first["id"] > second["id"]  # newest first
    me = await ok(await other_user.api.get("/api/v1/me"))
    marked = await ok(
        await other_user.api.post("/api/v1/me/notifications/read", json={"ids": [second["id"]]})
    )
    assert marked == {"unread": 1}
    assert [n["read"] for n in await notifications(other_user)] == [False, True]
    assert await ok(await other_user.api.post("/api/v1/me/notifications/read", json={})) == {
        "unread": 0
    }
    assert all(n["read"] for n in await notifications(other_user))
    assert me  # the member still reads their own account


async def test_notifications_are_only_your_own(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post = await held_post(other_user, thread)
    await decide(moderator, await item_for(moderator, post["id"]), action="approve")
    [notice] = await notifications(other_user)
    # The thread's author hears of the reply, never of the decision about someone else.
    assert [n["kind"] for n in await notifications(user)] == ["reply"]
    # Marking someone else's ids read does nothing to theirs.
    await ok(await user.api.post("/api/v1/me/notifications/read", json={"ids": [notice["id"]]}))
    assert not (await notifications(other_user))[0]["read"]


async def test_notifications_need_a_login(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/me/notifications")).status_code == 401
    assert (await client.post("/api/v1/me/notifications/read", json={})).status_code == 401


async def test_mark_read_refuses_bad_input(user: Persona) -> None:
    for body in ({"ids": "all"}, {"ids": ["x"]}, {"every": True}, {"ids": list(range(201))}):
        response = await user.api.post("/api/v1/me/notifications/read", json=body)
        assert response.status_code == 422, body
        assert response.json()["error"]["message"]
