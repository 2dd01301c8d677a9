"""Chat's limits on a real `circles serve`: pace, slow mode, mutes, sizes, crisis, slow readers."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, update
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from forum.accounts.models import Role, User
from forum.chat.models import ChatMessage, MessageStatus, Room
from forum.chat.service import REPLAY_PAGE
from forum.db import QueryCounter, transaction, utcnow
from tests.chat.helpers import WAIT, Live, Member, messages, next_of, send
from tests.conftest import CircleFactory, Database, FreshDatabase, Persona, fresh_database, ok
from tests.forum.test_query_counts import data_statements, forget_caches
from tests.live import LiveServer, circles_server

BURST = 3
MAX_FRAME = 4096
OUTBOX = 8
LIMITS = {
    "CIRCLES_CHAT_RATE_BURST": str(BURST),
    # A token comes back only after a minute: no test here lives long enough to see one.
    "CIRCLES_CHAT_RATE_SECONDS": "60",
    "CIRCLES_CHAT_OUTBOX": str(OUTBOX),
    "CIRCLES_CHAT_MAX_FRAME_BYTES": str(MAX_FRAME),
}
ABUSE = "you are a fucking idiot"
CRISIS = "I want to kill myself tonight"
# Pinned, cold (nothing cached): the reader, the room with its circle, the circle again by
# slug for its view, the membership, one page of messages with their authors' names, and
# the page's reactions (counts and the reader's, in one query), and whom the reader
# blocked (remembered for a few seconds, like the reader).
# If this goes up, look for an N+1 before raising it; if it goes down, lower it here.
CHAT_HISTORY_QUERIES = 6  # principal, room with circle, membership, the page, reactions, blocks
# Each bare domain becomes a whole link: a 2 KB frame in, a 26 KB event out to every reader,
# so the kernel's socket buffers (megabytes on loopback) in front of an idle reader fill
# up after some hundred messages rather than some thousand.
BULK = ("a.io " * 400)[:1900]
BATCH = 5
MAX_SENT = 900


@pytest.fixture(scope="session")
async def limits_database(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FreshDatabase]:
    db = await fresh_database(tmp_path_factory.mktemp("chat-limits"))
    yield db
    await db.drop()


@pytest.fixture(scope="session")
def limits_server(limits_database: FreshDatabase) -> Iterator[LiveServer]:
    with circles_server(limits_database.url, **LIMITS) as server:
        yield server


@pytest.fixture
async def live(limits_server: LiveServer, limits_database: FreshDatabase) -> AsyncIterator[Live]:
    live = Live(limits_server, limits_database)
    yield live
    for http in live.clients:
        await http.aclose()


async def history(member: Member, room_id: int) -> list[dict[str, Any]]:
    response = await member.http.get(f"/api/v1/rooms/{room_id}/messages")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["messages"]
    return found


async def error_after(ws: ClientConnection) -> dict[str, Any]:
    """The next error, failing if a message (a send that got through) comes first."""
    event = await next_of(ws, "error", "message", "held")
    assert event["type"] == "error", event
    assert event["message"], event
    return event


# Pace


async def test_burst_of_sends_passes_then_the_next_is_refused_with_a_clear_error(
    live: Live,
) -> None:
    alex = await live.member()
    room_id = await live.room(alex)
    async with live.connect(alex, room_id) as a:
        for i in range(BURST):
            await send(a, f"m{i}", f"message {i}")
        assert [m["client_msg_id"] for m in await messages(a, BURST)] == ["m0", "m1", "m2"]
        await send(a, "one-too-many", "and another")
        refused = await error_after(a)
        assert refused["code"] == "rate_limited"
        assert "try again in" in refused["message"]
    assert [m["client_msg_id"] for m in await history(alex, room_id)] == ["m0", "m1", "m2"]


async def test_staff_are_not_rate_limited(live: Live) -> None:
    alex, moderator = await live.member(), await live.member(Role.MODERATOR)
    room_id = await live.room(alex, moderator)
    count = BURST + 3
    async with live.connect(moderator, room_id) as m:
        for i in range(count):
            await send(m, f"s{i}", f"staff message {i}")
        got = [await next_of(m, "message", "error") for _ in range(count)]
    assert [e.get("client_msg_id") for e in got] == [f"s{i}" for i in range(count)]


# Slow mode


async def test_slow_mode_refuses_a_members_second_message_but_not_the_owners(
    live: Live,
) -> None:
    owner, blake = await live.member(), await live.member()
    room_id = await live.room(owner, blake)
    await live.execute("UPDATE rooms SET slow_mode_seconds = 300 WHERE id = :id", id=room_id)
    async with live.connect(owner, room_id) as o, live.connect(blake, room_id) as b:
        await send(b, "first", "hello everyone")
        assert (await next_of(b, "message"))["client_msg_id"] == "first"
        await send(b, "second", "me again")
        refused = await error_after(b)
        assert refused["code"] == "slow_mode"
        assert "300 seconds" in refused["message"]
        await send(o, "host-1", "welcome")
        await send(o, "host-2", "take your time")
        got = await messages(o, 3)
        assert [m["client_msg_id"] for m in got] == ["first", "host-1", "host-2"]
    ids = [m["client_msg_id"] for m in await history(blake, room_id)]
    assert ids == ["first", "host-1", "host-2"]


# Mutes


async def test_muted_member_still_reads_but_sending_is_refused(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room_id = await live.room(alex, blake)
    async with live.connect(alex, room_id) as a, live.connect(blake, room_id) as b:
        await send(b, "before", "before the pause")
        assert (await next_of(b, "message"))["client_msg_id"] == "before"
        # A mute set while connected applies to the very next send.
        muted = update(User).where(User.id == blake.id)
        await live.execute(muted.values(muted_until=utcnow() + timedelta(hours=2)))
        await send(b, "during", "can I still talk?")
        refused = await error_after(b)
        assert refused["code"] == "muted"
        assert "You can still read" in refused["message"]
        await send(a, "to-all", "everyone can still read this")
        assert (await next_of(b, "message"))["client_msg_id"] == "to-all"
        assert [m["client_msg_id"] for m in await messages(a, 2)] == ["before", "to-all"]
    # A muted member can also open a new connection, and read there.
    async with live.connect(alex, room_id) as a, live.connect(blake, room_id) as b:
        await send(a, "later", "still here")
        assert (await next_of(b, "message"))["client_msg_id"] == "later"
        await send(b, "again", "still paused?")
        assert (await error_after(b))["code"] == "muted"
    ids = [m["client_msg_id"] for m in await history(alex, room_id)]
    assert ids == ["before", "to-all", "later"]


# Bad input


def send_frame(body: Any, **changes: Any) -> str:
    return json.dumps({"type": "send", "client_msg_id": "bad", "body": body, **changes})


BAD_INPUT = {
    "too_long": (send_frame("x" * 2001), "too_long", "2,000"),
    "empty_body": (send_frame("   "), "invalid", "write something"),
    "not_json": ("{'type': 'send'", "bad_json", "not valid JSON"),
    "not_an_object": ("[1, 2]", "invalid", "JSON object"),
    "unknown_type": (send_frame("hi", type="shout"), "invalid", "'type'"),
    "missing_client_msg_id": (
        json.dumps({"type": "send", "body": "hi"}),
        "invalid",
        "'client_msg_id' is required",
    ),
    "body_not_text": (send_frame(42), "invalid", "'body' must be text"),
    "binary_frame": (b'{"type": "send"}', "bad_frame", "JSON text frames"),
}


@pytest.mark.parametrize(("frame", "code", "words"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
async def test_bad_input_gets_an_error_and_the_connection_stays_open(
    live: Live, frame: str | bytes, code: str, words: str
) -> None:
    alex = await live.member()
    room_id = await live.room(alex)
    async with live.connect(alex, room_id) as a:
        await a.send(frame)
        refused = await error_after(a)
        assert refused["code"] == code
        assert words in refused["message"]
        await send(a, "good", "a message that fits")
        assert (await next_of(a, "message", "error"))["client_msg_id"] == "good"
    assert [m["client_msg_id"] for m in await history(alex, room_id)] == ["good"]


async def test_oversized_frame_closes_the_connection_with_1009(live: Live) -> None:
    alex = await live.member()
    room_id = await live.room(alex)
    async with live.connect(alex, room_id) as a:
        await a.send(send_frame("y" * MAX_FRAME))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(a.recv(), WAIT)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    assert await history(alex, room_id) == []


# Crisis and held messages


async def test_crisis_message_is_held_and_only_its_author_gets_resources(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    moderator = await live.member(Role.MODERATOR)
    room = await live.open_room(alex, blake)
    async with live.connect(alex, room.id) as a, live.connect(blake, room.id) as b:
        # An ordinary held message first, so the queue order below is by priority, not age.
        await send(b, "rude", ABUSE)
        assert (await next_of(b, "held", "message"))["type"] == "held"
        await send(a, "crisis", CRISIS)
        events = [await next_of(a, "held", "crisis_resources", "message") for _ in range(2)]
        got = {e["type"]: e for e in events}
        assert set(got) == {"held", "crisis_resources"}
        assert got["held"]["client_msg_id"] == "crisis"
        assert {r["kind"] for r in got["held"]["reasons"]} == {"crisis"}
        support = got["crisis_resources"]
        assert support["level"] == "urgent"
        assert support["resources"] and all(r["name"] for r in support["resources"])
        await send(a, "after", "thank you for listening")
        # Blake's next event is Alex's next message: no crisis panel, no held message.
        seen = await next_of(b, "message", "held", "crisis_resources")
        assert seen["type"] == "message" and seen["client_msg_id"] == "after"
    assert [m["client_msg_id"] for m in await history(blake, room.id)] == ["after"]
    queue = await moderator.http.get(f"/api/v1/moderation/queue?circle_id={room.circle_id}")
    items = (await ok(queue))["items"]
    assert [(i["content_type"], i["priority"], i["crisis_level"]) for i in items] == [
        ("chat_message", 100, "urgent"),
        ("chat_message", 50, "none"),
    ]
    assert items[0]["held"] is True


async def test_held_event_carries_reasons_and_replay_skips_held_messages(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room_id = await live.room(alex, blake)
    async with live.connect(alex, room_id) as a:
        await send(a, "one", "first message")
        assert (await next_of(a, "message"))["seq"] == 1
        await send(a, "rude", ABUSE)
        held = await next_of(a, "held", "message")
        assert held["type"] == "held" and held["client_msg_id"] == "rude"
        reasons = held["reasons"]
        assert [r["kind"] for r in reasons] == ["toxicity"]
        assert "moderator will read it" in reasons[0]["message"]
        await send(a, "two", "second message")
        assert (await next_of(a, "message"))["seq"] == 2
    async with live.connect(alex, room_id, after=1) as a, live.connect(blake, room_id) as b:
        await send(b, "three", "welcome back")
        got = [await next_of(a, "message", "held") for _ in range(2)]
        assert [(e["type"], e.get("seq"), e["client_msg_id"]) for e in got] == [
            ("message", 2, "two"),
            ("message", 3, "three"),
        ]


# Moderators' removals


async def test_moderators_removal_of_a_reported_message_reaches_everyone(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    moderator = await live.member(Role.MODERATOR)
    room = await live.open_room(alex, blake)
    async with live.connect(alex, room.id) as a, live.connect(blake, room.id) as b:
        await send(a, "hurtful", "something that breaks the rules")
        await send(a, "fine", "something fine")
        said, fine = await messages(b, 2)
        assert [m["id"] for m in await messages(a, 2)] == [said["id"], fine["id"]]
        reported = await blake.http.post(
            "/api/v1/reports",
            json={"content_type": "chat_message", "content_id": said["id"], "reason": "unkind"},
        )
        assert reported.status_code == 201, reported.text
        queue = await moderator.http.get(f"/api/v1/moderation/queue?circle_id={room.circle_id}")
        items = (await ok(queue))["items"]
        assert [(i["content_type"], i["content_id"]) for i in items] == [
            ("chat_message", said["id"])
        ]
        circle = await ok(await moderator.http.get(f"/api/v1/circles/{room.slug}"))
        rule_id = circle["rules"]["items"][0]["id"]
        decided = await moderator.http.post(
            f"/api/v1/moderation/items/{items[0]['id']}/decision",
            json={"action": "remove", "rule_id": rule_id},
        )
        assert decided.status_code == 200, decided.text
        for ws in (a, b):
            removed = await next_of(ws, "removed", "message")
            assert removed == {"type": "removed", "id": said["id"], "room_id": room.id}
    assert [m["id"] for m in await history(blake, room.id)] == [fine["id"]]


# Slow readers


class Watcher:
    """Reads a fast client's messages and notes when `name` leaves the room's presence."""

    def __init__(self, ws: ClientConnection, name: str) -> None:
        self.ws = ws
        self.name = name
        self.seen = False
        self.last_seq = 0
        self.gone_after: int | None = None

    async def message(self) -> dict[str, Any]:
        while True:
            event: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), WAIT))
            if event["type"] == "message":
                self.last_seq = event["seq"]
                return event
            if event["type"] == "presence":
                present = self.name in {m["display_name"] for m in event["members"]}
                if present:
                    self.seen = True
                elif self.seen and self.gone_after is None:
                    self.gone_after = self.last_seq


def small_buffer_socket(port: int) -> socket.socket:
    """A connected socket with a tiny receive buffer, so an idle reader backs up quickly."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    return sock


async def test_slow_reader_is_closed_with_4008_and_resumes_while_a_fast_one_keeps_up(
    live: Live,
) -> None:
    host, fast_member, slow_member = await live.member(), await live.member(), await live.member()
    sender = await live.member(Role.MODERATOR)
    room_id = await live.room(host, fast_member, slow_member, sender)
    quiet = {"ping_interval": None}
    slow_sock = small_buffer_socket(live.server.port)
    async with (
        live.connect(fast_member, room_id, **quiet) as fast,
        live.connect(sender, room_id, **quiet) as out,
        live.connect(slow_member, room_id, sock=slow_sock, max_queue=1, **quiet) as slow,
    ):
        await next_of(out, "presence")
        await next_of(slow, "presence")
        watcher = Watcher(fast, slow_member.display_name)
        for i in range(3):
            await send(out, f"warm-{i}", f"warming up {i}")
        await messages(out, 3)
        fast_seqs = [(await watcher.message())["seq"] for _ in range(3)]
        slow_seqs = [m["seq"] for m in await messages(slow, 3)]
        assert fast_seqs == slow_seqs == [1, 2, 3] and watcher.seen
        # From here on the slow reader reads nothing, and its buffers fill up.
        sent = 3
        while watcher.gone_after is None or sent < watcher.gone_after + 2 * BATCH:
            assert sent < MAX_SENT, "the hub never dropped the reader that stopped reading"
            for _ in range(BATCH):
                sent += 1
                await send(out, f"bulk-{sent}", BULK)
            await messages(out, BATCH)  # the sender reads too, or it would be slow as well
            fast_seqs += [(await watcher.message())["seq"] for _ in range(BATCH)]
        assert fast_seqs == list(range(1, sent + 1))

        with pytest.raises(ConnectionClosed) as closed:
            while True:
                event = json.loads(await asyncio.wait_for(slow.recv(), WAIT))
                if event["type"] == "message":
                    slow_seqs.append(event["seq"])
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4008
        assert "after" in closed.value.rcvd.reason
        assert slow_seqs == list(range(1, slow_seqs[-1] + 1))
        assert slow_seqs[-1] < sent
    async with live.connect(slow_member, room_id, after=slow_seqs[-1]) as again:
        rest = [m["seq"] for m in await messages(again, sent - slow_seqs[-1])]
    assert slow_seqs + rest == list(range(1, sent + 1))


async def test_resume_after_more_than_one_replay_batch_misses_nothing(live: Live) -> None:
    alex = await live.member()
    room_id = await live.room(alex)
    missed = 2 * REPLAY_PAGE + 50
    rows = [
        {
            "room_id": room_id,
            "seq": seq,
            "author_id": alex.id,
            "client_msg_id": f"c{seq}",
            "body": f"message {seq}",
            "body_html": f"<p>message {seq}</p>",
            "status": MessageStatus.PUBLISHED,
            "created_at": utcnow(),
        }
        for seq in range(1, missed + 1)
    ]
    await live.execute(insert(ChatMessage).values(rows))
    await live.execute(update(Room).where(Room.id == room_id).values(last_seq=missed))
    async with live.connect(alex, room_id, after=1) as a:
        await send(a, "live", "back after a long time away")
        seqs: list[int] = []
        while not seqs or seqs[-1] != missed + 1:
            seqs.append((await next_of(a, "message"))["seq"])
    assert seqs == list(range(2, missed + 2))


# History page


async def add_messages(
    database: Database, room_id: int, authors: list[Persona], count: int
) -> None:
    async with transaction(database.sessions) as db:
        for seq in range(1, count + 1):
            db.add(
                ChatMessage(
                    room_id=room_id,
                    seq=seq,
                    author_id=authors[seq % len(authors)].id,
                    client_msg_id=f"c{seq}",
                    body=f"message {seq}",
                    body_html=f"<p>message {seq}</p>",
                    status=MessageStatus.PUBLISHED,
                    created_at=utcnow(),
                )
            )
        await db.execute(update(Room).where(Room.id == room_id).values(last_seq=count))


async def test_history_page_queries_do_not_grow_with_messages(
    app: Starlette,
    user: Persona,
    other_user: Persona,
    database: Database,
    circle: dict[str, Any],
    make_circle: CircleFactory,
) -> None:
    busy = await make_circle(user)
    counts = []
    for place, count in ((circle, 2), (busy, 50)):
        rooms = await ok(await user.api.get(f"/api/v1/circles/{place['slug']}/rooms"))
        room_id = rooms["rooms"][0]["id"]
        await add_messages(database, room_id, [user, other_user], count)
        forget_caches(app)
        with QueryCounter(database.engine) as counter:
            response = await other_user.api.get(f"/api/v1/rooms/{room_id}/messages")
        page = await ok(response)
        assert [m["seq"] for m in page["messages"]] == list(range(1, count + 1))
        assert {m["author"]["display_name"] for m in page["messages"]} == {"Alex", "Blake"}
        counts.append(len(data_statements(counter)))
    assert counts == [CHAT_HISTORY_QUERIES] * 2, counts
