"""Direct conversations over a real server: who may start one, and chatting in one."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.chat.helpers import Live, Member, messages, next_of, send

ABUSE = "you are a fucking idiot"
CRISIS = "I want to kill myself tonight"


async def allow(member: Member, policy: str) -> None:
    response = await member.http.patch("/api/v1/me", json={"dm_policy": policy})
    assert response.status_code == 200, response.text
    assert response.json()["dm_policy"] == policy


async def start(member: Member, other: Member, status: int = 201) -> dict[str, Any]:
    response = await member.http.post("/api/v1/me/conversations", json={"username": other.username})
    assert response.status_code == status, response.text
    found: dict[str, Any] = response.json()
    return found


async def conversation(live: Live) -> tuple[Member, Member, int]:
    alex, blake = await live.member(), await live.member()
    await allow(blake, "anyone")
    room = await start(alex, blake)
    return alex, blake, int(room["id"])


async def test_nobody_can_start_a_conversation_until_the_member_allows_it(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    assert (await blake.http.get("/api/v1/me")).json()["dm_policy"] == "nobody"
    refused = await start(alex, blake, 403)
    assert refused["error"]["code"] == "dm_not_available"
    assert "can't start a conversation" in refused["error"]["message"]
    await allow(blake, "anyone")
    room = await start(alex, blake)
    assert room["kind"] == "direct" and room["name"] == blake.display_name
    assert room["with"] == blake.username
    # Starting again (from either side) reopens the same conversation.
    assert (await start(alex, blake, 200))["id"] == room["id"]
    assert (await start(blake, alex, 200))["id"] == room["id"]


async def test_circles_policy_admits_only_members_who_share_a_circle(live: Live) -> None:
    alex, blake, owner = await live.member(), await live.member(), await live.member()
    await allow(blake, "circles")
    assert (await start(alex, blake, 403))["error"]["code"] == "dm_not_available"
    await live.open_room(owner, alex, blake)  # a circle both of them join
    assert (await start(alex, blake))["kind"] == "direct"


async def test_bad_requests_are_refused_clearly(live: Live) -> None:
    alex = await live.member()
    bad_policy = await alex.http.patch("/api/v1/me", json={"dm_policy": "everyone"})
    assert bad_policy.status_code == 422
    assert "nobody" in bad_policy.json()["error"]["message"]
    assert (await alex.http.get("/api/v1/me")).json()["dm_policy"] == "nobody"
    unknown = await alex.http.post("/api/v1/me/conversations", json={"username": "no-such-one"})
    assert unknown.status_code == 404
    myself = await alex.http.post("/api/v1/me/conversations", json={"username": alex.username})
    assert myself.status_code == 409  # a real member, refused only because it is alex
    assert myself.json()["error"]["code"] == "cannot_message_self"
    empty = await alex.http.post("/api/v1/me/conversations", json={"username": ""})
    assert empty.status_code == 422


async def test_two_members_chat_and_nobody_else_can_listen_or_read(live: Live) -> None:
    alex, blake, room_id = await conversation(live)
    outsider = await live.member()
    async with live.connect(alex, room_id) as a, live.connect(blake, room_id) as b:
        await send(a, "hello", "Hello, how are you holding up?")
        assert "Hello, how are you holding up?" in (await messages(b, 1))[0]["body_html"]
        await send(b, "reply", "Better today, thank you.")
        assert [m["client_msg_id"] for m in await messages(a, 2)] == ["hello", "reply"]
    with pytest.raises(InvalidStatus) as refused:
        async with live.connect(outsider, room_id):
            pass
    assert refused.value.response.status_code == 404
    assert (await outsider.http.get(f"/api/v1/rooms/{room_id}/messages")).status_code == 404
    history = (await blake.http.get(f"/api/v1/rooms/{room_id}/messages")).json()["messages"]
    assert [m["client_msg_id"] for m in history] == ["hello", "reply"]
    # A direct conversation is no circle's room: circle room settings don't reach it.
    rename = await alex.http.patch(f"/api/v1/rooms/{room_id}", json={"name": "Ours"})
    assert rename.status_code == 404


async def test_conversations_are_listed_for_both_named_after_the_other(live: Live) -> None:
    alex, blake, room_id = await conversation(live)
    mine = (await alex.http.get("/api/v1/me/conversations")).json()["rooms"]
    theirs = (await blake.http.get("/api/v1/me/conversations")).json()["rooms"]
    assert [(r["id"], r["name"]) for r in mine] == [(room_id, blake.display_name)]
    assert [(r["id"], r["name"]) for r in theirs] == [(room_id, alex.display_name)]


async def test_a_hurtful_message_is_not_sent_and_its_author_hears_why(live: Live) -> None:
    alex, blake, room_id = await conversation(live)
    async with live.connect(alex, room_id) as a, live.connect(blake, room_id) as b:
        await send(a, "hurtful", ABUSE)
        refused = await next_of(a, "error", "message", "held")
        assert refused["type"] == "error" and refused["code"] == "not_sent", refused
        assert refused["client_msg_id"] == "hurtful"
        assert "wasn't sent" in refused["message"]
        await send(a, "kind", "Sorry. I'm having a hard day.")
        # Blake's first message is the kind one: the hurtful one never arrived.
        assert (await messages(b, 1))[0]["client_msg_id"] == "kind"
    history = (await blake.http.get(f"/api/v1/rooms/{room_id}/messages")).json()["messages"]
    assert [m["client_msg_id"] for m in history] == ["kind"]


async def test_crisis_language_is_delivered_and_its_author_gets_support(live: Live) -> None:
    alex, blake, room_id = await conversation(live)
    async with live.connect(alex, room_id) as a, live.connect(blake, room_id) as b:
        await send(a, "reaching-out", CRISIS)
        support = await next_of(a, "crisis_resources")
        assert support["level"] == "urgent" and support["resources"]
        delivered = (await messages(b, 1))[0]
        assert delivered["client_msg_id"] == "reaching-out"
        # Only the author is offered the crisis lines.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(next_of(b, "crisis_resources"), 0.5)


async def test_the_messages_page_lists_conversations_for_a_signed_in_member(live: Live) -> None:
    alex, _, _ = await conversation(live)
    page = await alex.http.get("/messages")
    assert page.status_code == 200
    assert 'data-rooms-url="/api/v1/me/conversations"' in page.text
    assert "Nobody can start a conversation with you" in page.text
    async with httpx.AsyncClient(base_url=live.server.base_url) as anonymous:
        response = await anonymous.get("/messages", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_a_block_either_way_ends_a_conversation_without_saying_why(live: Live) -> None:
    alex, blake, room_id = await conversation(live)
    blocked = await blake.http.post(f"/api/v1/me/blocks/{alex.username}")
    assert blocked.status_code in (200, 201, 204), blocked.text
    # Alex is told only that it is not available: the same words as "doesn't allow it".
    refused = await start(alex, blake, 403)
    assert refused["error"] == {
        "code": "dm_not_available",
        "message": "You can't start a conversation with this member.",
    }
    async with live.connect(alex, room_id) as a:
        await send(a, "after-block", "Are you there?")
        closed = await next_of(a, "error", "message")
        assert closed["code"] == "dm_closed" and closed["client_msg_id"] == "after-block"
    history = (await blake.http.get(f"/api/v1/rooms/{room_id}/messages")).json()["messages"]
    assert history == []
    unblocked = await blake.http.delete(f"/api/v1/me/blocks/{alex.username}")
    assert unblocked.status_code in (200, 204), unblocked.text
    assert (await start(alex, blake, 200))["id"] == room_id
