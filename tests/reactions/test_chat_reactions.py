"""Supportive reactions on chat messages over a real server: live counts for the room, on
every process, and the history that remembers them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.chat.helpers import Live, Member, next_of, send
from tests.conftest import BACKEND

KINDS = ["with_you", "thank_you", "strength", "me_too"]


async def react(member: Member, message_id: int, kind: str, status: int = 200) -> dict[str, Any]:
    response = await member.http.put(f"/api/v1/messages/{message_id}/reactions/{kind}")
    assert response.status_code == status, response.text
    return dict(response.json())


async def test_a_reaction_reaches_everyone_in_the_room_and_stays_in_history(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room_id = await live.room(alex, blake)
    async with live.connect(alex, room_id) as a, live.connect(blake, room_id) as b:
        await send(a, "hello", "Tough day at the hospital again.")
        message = await next_of(b, "message")
        await next_of(a, "message")

        given = await react(blake, message["id"], "strength")
        assert given["counts"] == {"with_you": 0, "thank_you": 0, "strength": 1, "me_too": 0}
        assert given["mine"] == ["strength"]
        for ws in (a, b):
            event = await next_of(ws, "reactions")
            assert event == {
                "type": "reactions",
                "id": message["id"],
                "room_id": room_id,
                "counts": given["counts"],
            }

        history = (await blake.http.get(f"/api/v1/rooms/{room_id}/messages")).json()
        [stored] = history["messages"]
        assert stored["reactions"]["strength"] == 1 and stored["reactions_mine"] == ["strength"]
        assert stored["own"] is False
        authors = (await alex.http.get(f"/api/v1/rooms/{room_id}/messages")).json()
        assert authors["messages"][0]["reactions_mine"] == []
        assert authors["messages"][0]["own"] is True  # the panel shows them counts only

        # Taken back: the room hears the count go down.
        taken = await blake.http.delete(f"/api/v1/messages/{message['id']}/reactions/strength")
        assert taken.status_code == 200 and taken.json()["counts"]["strength"] == 0
        assert (await next_of(a, "reactions"))["counts"]["strength"] == 0

    # Only the author sees who reacted; nobody reacts to their own words.
    await react(blake, message["id"], "with_you")
    seen = (await alex.http.get(f"/api/v1/messages/{message['id']}/reactions")).json()
    assert seen["who"] == [{"kind": "with_you", "display_name": blake.display_name}]
    assert "who" not in (await blake.http.get(f"/api/v1/messages/{message['id']}/reactions")).json()
    own = await react(alex, message["id"], "with_you", 403)
    assert own["error"]["code"] == "own_message"
    assert "with_you" in (await react(blake, message["id"], "like", 404))["error"]["message"]


async def test_outsiders_cannot_react_in_a_private_circles_room(live: Live) -> None:
    alex, stranger = await live.member(), await live.member()
    room_id = await live.room(alex, visibility="private")
    async with live.connect(alex, room_id) as a:
        await send(a, "private", "Just for us.")
        message = await next_of(a, "message")
    refused = await react(stranger, message["id"], "with_you", 404)
    assert refused["error"]["message"] == "That message doesn't exist."
    history = (await alex.http.get(f"/api/v1/rooms/{room_id}/messages")).json()
    assert set(history["messages"][0]["reactions"].values()) == {0}


@pytest.mark.skipif(
    BACKEND != "postgres",
    reason="fan-out across processes rides on PostgreSQL LISTEN/NOTIFY; SQLite is one process",
)
async def test_a_reaction_given_on_one_process_is_heard_on_the_other(
    two: tuple[Live, Live],
) -> None:
    one, other = two
    alex, blake = await one.member(), await one.member()
    room_id = await one.room(alex, blake)
    async with one.connect(alex, room_id) as a:
        await send(a, "hi", "First night without her.")
        message = await next_of(a, "message")
        # Blake's request goes to the other process.
        headers = {"Authorization": f"Bearer {blake.token}"}
        async with httpx.AsyncClient(base_url=other.server.base_url, headers=headers) as there:
            url = f"/api/v1/messages/{message['id']}/reactions/with_you"
            assert (await there.put(url)).status_code == 200
        event = await next_of(a, "reactions")
    assert event["counts"]["with_you"] == 1
