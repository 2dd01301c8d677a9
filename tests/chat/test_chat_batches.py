"""Sends arriving together: handled a batch at a time, in order, each one answered."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from forum.accounts.models import Role
from tests.chat.helpers import WAIT, Live, Member, messages, next_of, send
from tests.conftest import FreshDatabase, fresh_database
from tests.live import LiveServer, circles_server

INBOX = 2


@pytest.fixture(scope="session")
async def inbox_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FreshDatabase]:
    db = await fresh_database(tmp_path_factory.mktemp("chat-inbox"))
    yield db
    await db.drop()


@pytest.fixture(scope="session")
def inbox_server(inbox_database: FreshDatabase) -> Iterator[LiveServer]:
    with circles_server(inbox_database.url, CIRCLES_CHAT_INBOX=str(INBOX)) as server:
        yield server


@pytest.fixture
async def small_inbox(
    inbox_server: LiveServer, inbox_database: FreshDatabase
) -> AsyncIterator[Live]:
    live = Live(inbox_server, inbox_database)
    yield live
    for http in live.clients:
        await http.aclose()


async def history(member: Member, room_id: int) -> list[dict[str, Any]]:
    response = await member.http.get(f"/api/v1/rooms/{room_id}/messages")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["messages"]
    return found


async def answers(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    """The next `count` answers to sends (messages, held notices and errors), in order."""
    return [await next_of(ws, "message", "held", "error") for _ in range(count)]


async def test_a_burst_is_stored_in_send_order_and_every_send_is_answered(live: Live) -> None:
    owner, reader = await live.member(Role.MODERATOR), await live.member()
    room_id = await live.room(owner, reader)
    ids = [f"b{i}" for i in range(40)]
    async with live.connect(reader, room_id) as r, live.connect(owner, room_id) as o:
        # All at once, without waiting: a resend and an empty message among them.
        frames = [(i, f"burst message {n}") for n, i in enumerate(ids)]
        frames.insert(10, ("empty", "   "))
        frames.insert(25, ("b5", "burst message 5"))
        for client_msg_id, body in frames:
            await send(o, client_msg_id, body)
        got = await answers(o, len(frames))
        seen = await messages(r, len(ids))
    # The author hears one answer per frame. Not necessarily in send order: a refusal is
    # answered at once, a stored message once it is published to the room.
    assert Counter(e["client_msg_id"] for e in got) == Counter(i for i, _ in frames)
    (refused,) = [e for e in got if e["type"] != "message"]
    assert refused["client_msg_id"] == "empty" and refused["code"] == "invalid", refused
    copies = [e for e in got if e["client_msg_id"] == "b5"]
    assert len(copies) == 2 and copies[0]["id"] == copies[1]["id"], copies
    # Everyone else sees each message once, in send order, with gap-free seqs.
    assert [m["client_msg_id"] for m in seen] == ids
    start = seen[0]["seq"]
    assert [m["seq"] for m in seen] == list(range(start, start + len(ids)))
    assert [m["client_msg_id"] for m in await history(owner, room_id)] == ids


async def test_sends_still_in_flight_when_the_author_leaves_are_delivered(live: Live) -> None:
    owner, reader = await live.member(Role.MODERATOR), await live.member()
    room_id = await live.room(owner, reader)
    ids = [f"late{i}" for i in range(20)]
    async with live.connect(reader, room_id) as r:
        async with live.connect(owner, room_id) as o:
            for client_msg_id in ids:
                await send(o, client_msg_id, f"said on the way out: {client_msg_id}")
        # The author's socket is closed now; what it sent before closing still arrives.
        seen = await messages(r, len(ids))
    assert [m["client_msg_id"] for m in seen] == ids


async def test_sends_beyond_the_inbox_are_refused_with_too_fast_never_dropped(
    small_inbox: Live,
) -> None:
    owner, reader = await small_inbox.member(Role.MODERATOR), await small_inbox.member()
    room_id = await small_inbox.room(owner, reader)
    ids = [f"f{i}" for i in range(30)]
    async with small_inbox.connect(owner, room_id) as o:
        await asyncio.gather(*(send(o, i, f"flood {i}") for i in ids))
        got = await answers(o, len(ids))
        # Nothing else is owed: every send had exactly one answer.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(next_of(o, "message", "held", "error"), 0.5)
    by_id = {e["client_msg_id"]: e for e in got}
    assert sorted(by_id) == sorted(ids)
    refused = [e for e in got if e["type"] == "error"]
    assert refused, "an inbox of 2 cannot hold 30 sends arriving together"
    for error in refused:
        assert error["code"] == "too_fast", error
        assert error["retry_after"] > 0 and "send again" in error["message"]
    stored = [e["client_msg_id"] for e in got if e["type"] == "message"]
    assert [m["client_msg_id"] for m in await history(owner, room_id)] == stored
    # Sent again once the burst is over, a refused one gets through.
    async with small_inbox.connect(owner, room_id) as o:
        await send(o, refused[0]["client_msg_id"], "flood again")
        again = json.loads(await asyncio.wait_for(o.recv(), WAIT))
        while again["type"] == "presence":
            again = json.loads(await asyncio.wait_for(o.recv(), WAIT))
    assert again["type"] == "message" and again["client_msg_id"] == refused[0]["client_msg_id"]
