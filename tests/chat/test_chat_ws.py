"""Chat over a real `circles serve` with real websocket clients, plus the history API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from forum.accounts.models import Role
from tests.chat.helpers import Live, messages, next_of, send
from tests.conftest import Persona

ABUSE = "you are a fucking idiot"


async def test_messages_reach_everyone_in_send_order(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room_id = await live.room(alex, blake)
    async with live.connect(alex, room_id) as a, live.connect(blake, room_id) as b:
        await next_of(b, "presence")
        for i in range(5):
            await send(a, f"m{i}", f"message {i}")
        for ws in (a, b):
            got = await messages(ws, 5)
            assert [m["client_msg_id"] for m in got] == [f"m{i}" for i in range(5)]
            assert [m["seq"] for m in got] == [1, 2, 3, 4, 5]
            assert got[0]["body_html"].strip() == "<p>message 0</p>"
            assert got[0]["author"]["display_name"].startswith("M-")


async def test_resume_after_disconnect_loses_and_doubles_nothing(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room_id = await live.room(alex, blake)
    async with live.connect(alex, room_id) as a:
        async with live.connect(blake, room_id) as b:
            await send(a, "first", "before the drop")
            assert (await next_of(b, "message"))["seq"] == 1
        await send(a, "second", "while away")
        await send(a, "third", "still away")
        await messages(a, 3)
        async with live.connect(blake, room_id, after=1) as b:
            await send(a, "fourth", "after coming back")
            got = await messages(b, 3)
            assert [m["client_msg_id"] for m in got] == ["second", "third", "fourth"]
            assert [m["seq"] for m in got] == [2, 3, 4]
            await send(a, "fifth", "and one more")
            assert (await next_of(b, "message"))["seq"] == 5


async def test_resend_with_same_client_msg_id_is_stored_once(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room_id = await live.room(alex, blake)
    async with live.connect(alex, room_id) as a, live.connect(blake, room_id) as b:
        await send(a, "same", "only once please")
        first = await next_of(a, "message")
        await send(a, "same", "only once please")
        echoed = await next_of(a, "message")
        assert echoed["id"] == first["id"] and echoed["seq"] == first["seq"]
        await send(a, "other", "the next one")
        assert [m["client_msg_id"] for m in await messages(b, 2)] == ["same", "other"]
    history = (await blake.http.get(f"/api/v1/rooms/{room_id}/messages")).json()["messages"]
    assert [m["client_msg_id"] for m in history] == ["same", "other"]


async def test_private_room_refuses_non_members(live: Live) -> None:
    alex, outsider = await live.member(), await live.member()
    room_id = await live.room(alex, visibility="private")
    with pytest.raises(InvalidStatus) as refused:
        async with live.connect(outsider, room_id):
            pass
    assert refused.value.response.status_code == 404
    async with live.connect(alex, room_id) as a:
        assert (await next_of(a, "presence"))["members"]


async def test_held_message_reaches_only_its_author_until_approved(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    moderator = await live.member(Role.MODERATOR)
    opened = await live.open_room(alex, blake)
    room_id = opened.id
    async with live.connect(alex, room_id) as a, live.connect(blake, room_id) as b:
        await send(a, "rude", ABUSE)
        held = await next_of(a, "held", "message")
        assert held["type"] == "held" and held["client_msg_id"] == "rude"
        await send(a, "kind", "sorry, that was unkind")
        for ws in (a, b):
            assert (await next_of(ws, "message"))["client_msg_id"] == "kind"
        queue = (await moderator.http.get("/api/v1/moderation/queue")).json()["items"]
        item = next(i for i in queue if i["circle_id"] == opened.circle_id)
        decided = await moderator.http.post(
            f"/api/v1/moderation/items/{item['id']}/decision", json={"action": "approve"}
        )
        assert decided.status_code == 200, decided.text
        for ws in (a, b):
            approved = await next_of(ws, "message")
            assert approved["client_msg_id"] == "rude" and approved["seq"] == 2


async def test_rooms_api_lists_drop_in_room(
    user: Persona, circle: dict[str, Any], client: httpx.AsyncClient
) -> None:
    response = await client.get(f"/api/v1/circles/{circle['slug']}/rooms")
    assert response.status_code == 200, response.text
    rooms = response.json()["rooms"]
    assert [(r["name"], r["slow_mode_seconds"]) for r in rooms] == [("Drop-in", 0)]


async def test_private_rooms_and_history_are_404_to_outsiders(
    user: Persona, other_user: Persona, private_circle: dict[str, Any]
) -> None:
    rooms = (await user.api.get(f"/api/v1/circles/{private_circle['slug']}/rooms")).json()
    room_id = rooms["rooms"][0]["id"]
    assert (
        await other_user.api.get(f"/api/v1/circles/{private_circle['slug']}/rooms")
    ).status_code == 404
    assert (await other_user.api.get(f"/api/v1/rooms/{room_id}/messages")).status_code == 404
    assert (await user.api.get(f"/api/v1/rooms/{room_id}/messages")).json() == {
        "messages": [],
        "before": None,
    }


async def test_history_rejects_a_bad_before(user: Persona, circle: dict[str, Any]) -> None:
    rooms = (await user.api.get(f"/api/v1/circles/{circle['slug']}/rooms")).json()["rooms"]
    response = await user.api.get(f"/api/v1/rooms/{rooms[0]['id']}/messages?before=soon")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_cursor"
