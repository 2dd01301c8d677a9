"""Checking in over HTTP: who may, what it opens, the author's choices, the log."""

from __future__ import annotations

from typing import Any

import httpx

from forum.accounts.models import Role
from tests.conftest import CircleFactory, Persona, PersonaFactory, join, ok

CRISIS = "I'm going to kill myself tonight, I've said goodbye to everyone"
KIND = "Hi, this is the moderators. How are you doing right now?"


async def crisis_item(
    author: Persona, moderator: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> int:
    await join(author, circle)
    post = await ok(
        await author.api.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": CRISIS}),
        201,
    )
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    return int(next(i["id"] for i in queue["items"] if i["content_id"] == post["id"]))


def check_in(moderator: Persona, item_id: int, body: str = KIND) -> Any:
    return moderator.api.post(f"/api/v1/moderation/items/{item_id}/check-in", json={"body": body})


async def test_check_in_opens_a_team_conversation_in_the_authors_list(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    # Direct messages default to "nobody": a check-in reaches the author all the same.
    assert (await ok(await other_user.api.get("/api/v1/me")))["dm_policy"] == "nobody"
    opened = await ok(await check_in(moderator, item_id), 201)
    assert opened["new_room"] is True and opened["url"] == f"/check-ins/{opened['room_id']}"
    rooms = (await ok(await other_user.api.get("/api/v1/me/conversations")))["rooms"]
    [room] = rooms
    assert (room["id"], room["kind"], room["name"]) == (
        opened["room_id"],
        "check_in",
        "Circles moderators",
    )
    assert room["closed"] is False
    history = await ok(await other_user.api.get(f"/api/v1/rooms/{room['id']}/messages"))
    [message] = history["messages"]
    assert message["author"]["display_name"] == "Circles moderators"  # the team, not "Mod"
    assert KIND in message["body_html"]
    [notice] = (await ok(await other_user.api.get("/api/v1/me/notifications")))["items"]
    assert notice["kind"] == "check_in" and notice["url"] == opened["url"]


async def test_second_check_in_reuses_the_conversation(
    other_user: Persona,
    moderator: Persona,
    admin: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    first = await ok(await check_in(moderator, item_id), 201)
    second = await ok(await check_in(admin, item_id, "Still thinking of you."), 201)
    assert second["room_id"] == first["room_id"] and second["new_room"] is False
    history = await ok(await admin.api.get(f"/api/v1/rooms/{first['room_id']}/messages"))
    assert len(history["messages"]) == 2
    assert len((await ok(await other_user.api.get("/api/v1/me/conversations")))["rooms"]) == 1


async def test_check_in_is_in_the_moderation_log_not_the_authors_decisions(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    opened = await ok(await check_in(moderator, item_id), 201)
    log = (await ok(await moderator.api.get("/api/v1/moderation/log")))["entries"]
    entry = next(e for e in log if e["action"] == "check_in")
    assert (entry["item_id"], entry["actor"]) == (item_id, "Mod")
    assert str(opened["room_id"]) in entry["note"]
    mine = await ok(await other_user.api.get("/api/v1/me/moderation"))
    assert all(d["action"] != "check_in" for d in mine["decisions"])


async def test_author_who_opted_out_is_not_checked_in_on(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    me = await ok(await other_user.api.get("/api/v1/me"))
    assert me["check_ins"] is True  # on by default
    await ok(await other_user.api.patch("/api/v1/me", json={"check_ins": False}))
    item_id = await crisis_item(other_user, moderator, circle, thread)
    refused = await check_in(moderator, item_id)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "check_ins_off"
    assert "Blake has chosen not to receive check-ins" in error["message"]
    assert (await ok(await other_user.api.get("/api/v1/me/conversations")))["rooms"] == []
    assert (await ok(await other_user.api.get("/api/v1/me/notifications")))["items"] == []


async def test_non_moderators_cannot_check_in(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    thread: dict[str, Any],
    client: httpx.AsyncClient,
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    stranger = await make_persona("casey", display_name="Casey")
    refused = await check_in(stranger, item_id)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_a_moderator"
    anonymous = await client.post(
        f"/api/v1/moderation/items/{item_id}/check-in", json={"body": KIND}
    )
    assert anonymous.status_code == 401


async def test_other_circles_moderators_get_404_and_cannot_read_the_room(
    other_user: Persona,
    moderator: Persona,
    make_persona: PersonaFactory,
    make_circle: CircleFactory,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    owner_elsewhere = await make_persona("dana", display_name="Dana")
    await make_circle(owner_elsewhere)
    refused = await check_in(owner_elsewhere, item_id)
    assert refused.status_code == 404
    opened = await ok(await check_in(moderator, item_id), 201)
    room = f"/api/v1/rooms/{opened['room_id']}/messages"
    assert (await owner_elsewhere.api.get(room)).status_code == 404
    assert (
        await owner_elsewhere.api.get(f"/api/v1/check-ins/{opened['room_id']}")
    ).status_code == 404


async def test_the_circle_owner_moderates_and_may_check_in(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    # `user` owns the circle, so they moderate it.
    item_id = await crisis_item(other_user, moderator, circle, thread)
    opened = await ok(await check_in(user, item_id), 201)
    history = await ok(await user.api.get(f"/api/v1/rooms/{opened['room_id']}/messages"))
    assert len(history["messages"]) == 1


async def test_moderators_cannot_check_in_on_themselves(
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    make_persona: PersonaFactory,
) -> None:
    other_moderator = await make_persona("eli", role=Role.MODERATOR, display_name="Eli")
    item_id = await crisis_item(moderator, other_moderator, circle, thread)
    refused = await check_in(moderator, item_id)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "own_item"


async def test_bad_check_ins_get_clear_errors(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    cases = [
        ({"body": "   "}, 422, "Please write a message"),
        ({"body": "x" * 2001}, 422, "at most 2,000 characters"),
        ({}, 422, "'body' is required"),
        ({"body": 5}, 422, "'body' must be text"),
    ]
    for body, status, words in cases:
        response = await moderator.api.post(
            f"/api/v1/moderation/items/{item_id}/check-in", json=body
        )
        assert response.status_code == status, (body, response.text)
        assert words in response.json()["error"]["message"]
    missing = await check_in(moderator, 99_999)
    assert missing.status_code == 404
    assert (await ok(await other_user.api.get("/api/v1/me/conversations")))["rooms"] == []


async def test_item_claimed_by_another_moderator_is_theirs_to_check_in_on(
    other_user: Persona,
    moderator: Persona,
    admin: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    await ok(await admin.api.post(f"/api/v1/moderation/items/{item_id}/claim", json={}))
    refused = await check_in(moderator, item_id)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "already_claimed"
    await ok(await check_in(admin, item_id), 201)


async def test_check_in_after_a_decision_still_reaches_the_author(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    await ok(await moderator.api.post(f"/api/v1/moderation/items/{item_id}/claim", json={}))
    await ok(
        await moderator.api.post(
            f"/api/v1/moderation/items/{item_id}/decision", json={"action": "approve"}
        )
    )
    await ok(await check_in(moderator, item_id), 201)


async def test_no_one_to_check_in_with_once_the_author_left(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    opened = await ok(await check_in(moderator, item_id), 201)
    gone = await other_user.api.post(
        "/api/v1/me/delete", json={"password": other_user.password, "keep_posts": True}
    )
    assert gone.status_code == 200, gone.text
    refused = await check_in(moderator, item_id)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_author"
    # The team can still read what was said, and is told clearly why it can't write.
    history = await ok(await moderator.api.get(f"/api/v1/rooms/{opened['room_id']}/messages"))
    assert len(history["messages"]) == 1
