"""Two `circles serve` processes on one PostgreSQL database act as one chat server."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import ClientConnection, connect

from forum.accounts.models import Role
from tests.chat.helpers import Live, Member, messages, next_of, send
from tests.chat.test_chat_ws import ABUSE
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres",
    reason="fan-out across processes rides on PostgreSQL LISTEN/NOTIFY; SQLite is one process",
)


async def test_each_process_delivers_the_others_messages_in_order(two: tuple[Live, Live]) -> None:
    one, other = two
    alex, blake = await one.member(), await one.member()
    room_id = await one.room(alex, blake)
    async with one.connect(alex, room_id) as a, other.connect(blake, room_id) as b:
        for i in range(5):
            await send(a, f"a{i}", f"from the first process {i}")
        await send(b, "b0", "from the second process")
        seen = [[m["client_msg_id"] for m in await messages(ws, 6)] for ws in (a, b)]
    # Both processes show one order (the commit order, which is seq order)...
    assert seen[0] == seen[1]
    assert sorted(seen[0]) == ["a0", "a1", "a2", "a3", "a4", "b0"]
    # ...in which each sender's messages keep the order they were sent.
    assert [m for m in seen[0] if m.startswith("a")] == ["a0", "a1", "a2", "a3", "a4"]
    history = (await alex.http.get(f"/api/v1/rooms/{room_id}/messages")).json()["messages"]
    assert [(m["seq"], m["client_msg_id"]) for m in history] == list(enumerate(seen[0], 1))


async def test_presence_lists_members_connected_to_either_process(two: tuple[Live, Live]) -> None:
    one, other = two
    alex, blake = await one.member(), await one.member()
    room_id = await one.room(alex, blake)
    alex_name, blake_name = await display_name(alex), await display_name(blake)
    async with one.connect(alex, room_id) as a:
        async with other.connect(blake, room_id) as b:
            await presence_becomes(a, {alex_name, blake_name})
            await presence_becomes(b, {alex_name, blake_name})
        await presence_becomes(a, {alex_name})


async def presence_becomes(ws: ClientConnection, names: set[str]) -> None:
    """Read presence updates until one lists exactly `names` (each read times out)."""
    while {m["display_name"] for m in (await next_of(ws, "presence"))["members"]} != names:
        pass


async def test_a_moderators_decision_reaches_clients_of_the_other_process(
    two: tuple[Live, Live],
) -> None:
    one, other = two
    alex, blake = await one.member(), await one.member()
    moderator = await one.member(Role.MODERATOR)
    opened = await one.open_room(alex, blake)
    room_id = opened.id
    async with other.connect(alex, room_id) as a, other.connect(blake, room_id) as b:
        await send(a, "rude", ABUSE)
        assert (await next_of(a, "held", "message"))["type"] == "held"
        queue = (await moderator.http.get("/api/v1/moderation/queue")).json()["items"]
        item = next(i for i in queue if i["circle_id"] == opened.circle_id)
        decided = await moderator.http.post(
            f"/api/v1/moderation/items/{item['id']}/decision", json={"action": "approve"}
        )
        assert decided.status_code == 200, decided.text
        for ws in (a, b):
            assert (await next_of(ws, "message"))["client_msg_id"] == "rude"


async def test_the_live_queue_hears_items_raised_in_the_other_process(
    two: tuple[Live, Live],
) -> None:
    one, other = two
    alex = await one.member()
    moderator = await one.member(Role.MODERATOR)
    room_id = await one.room(alex)
    url = f"ws://127.0.0.1:{other.server.port}/ws/moderation"
    headers = {"Authorization": f"Bearer {moderator.token}"}
    async with connect(url, additional_headers=headers) as queue, one.connect(alex, room_id) as a:
        await send(a, "crisis", "I am going to kill myself tonight")
        event = json.loads(await queue.recv())
        assert event["type"] == "queue" and event["change"] == "new"
        assert event["crisis_level"] == "urgent"


async def display_name(member: Member) -> str:
    name: str = (await member.http.get("/api/v1/me")).json()["display_name"]
    return name
