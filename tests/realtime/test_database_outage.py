"""PostgreSQL goes away and comes back (ISSUE12, Faults: database outage).

This module starts its own PostgreSQL cluster, so that it can stop it (`pg_ctl stop`)
and start it again on the same port under a real `circles serve`, with real `websockets`
clients: while it is down, routes answer 503 with Retry-After and open sockets are told
"reconnecting" instead of being closed; once it is back, new sockets are accepted within
two seconds and open ones carry on with no gap in the room's seqs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from forum.accounts.models import Role
from realtime.pg_relay import APP_NAME
from tests.chat.helpers import WAIT, Live, next_of, send
from tests.conftest import BACKEND, FreshDatabase
from tests.live import LiveServer, circles_server
from tests.realtime.cluster import Cluster, make_cluster, server_binaries
from tests.realtime.revocation import closed_with

BINARIES = server_binaries()

pytestmark = [
    pytest.mark.skipif(
        BACKEND != "postgres",
        reason="database outages are a PostgreSQL concern: SQLite is a file in the "
        "server's own process, with no server to go down",
    ),
    pytest.mark.skipif(BINARIES is None, reason="needs the PostgreSQL server binaries"),
]

# The promise: once the database is back, new sockets are accepted within 2 s.
ACCEPTED_WITHIN = 2.0
TRY_AGAIN = 1013
WITHDRAWN = 4403


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    assert BINARIES is not None
    found = make_cluster(*BINARIES)
    yield found
    found.remove()


@pytest.fixture(scope="module")
def server(cluster: Cluster) -> Iterator[LiveServer]:
    with circles_server(cluster.url) as running:
        yield running


@pytest.fixture
async def live(server: LiveServer, cluster: Cluster) -> AsyncIterator[Live]:
    async def nothing() -> None:
        return None

    live = Live(server, FreshDatabase(cluster.url, nothing))
    yield live
    for http in live.clients:
        await http.aclose()


@dataclass
class Admin:
    """Superuser connections of the test's own, outside the server's pool: `data` to the
    server's database, `control` to another (a database can't refuse its own sessions)."""

    data: asyncpg.Connection
    control: asyncpg.Connection

    async def allow_connections(self, allowed: bool) -> None:
        await self.control.execute(
            f'ALTER DATABASE "postgres" WITH ALLOW_CONNECTIONS {str(allowed).lower()}'
        )

    async def relay_pid(self) -> int:
        pids = await self.control.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1", APP_NAME
        )
        assert len(pids) == 1, f"expected one LISTEN connection, found {len(pids)}"
        return int(pids[0]["pid"])


@pytest.fixture
async def admin(cluster: Cluster) -> AsyncIterator[Admin]:
    url = make_url(cluster.url)
    data, control = [
        await asyncpg.connect(user=url.username, host=url.host, port=url.port, database=name)
        for name in (url.database, "template1")
    ]
    yield Admin(data, control)
    await data.close()
    await control.close()


async def until_status(ws: ClientConnection, state: str) -> list[dict[str, Any]]:
    """Every event up to and including the `status` event with this state."""
    seen: list[dict[str, Any]] = []
    while True:
        event = await next_of(ws, "status", "message", "refresh", "unread", "error")
        seen.append(event)
        if event["type"] == "status" and event["state"] == state:
            return seen


async def seconds_until_accepted(live: Live, member: Any, room_id: int, since: float) -> float:
    """Open sockets until one is accepted and replays the room; seconds from `since`."""
    deadline = since + ACCEPTED_WITHIN + 3.0  # look a little longer, to report the figure
    last: object = None
    while time.monotonic() < deadline:
        try:
            async with live.connect(member, room_id, after=0) as ws:
                await next_of(ws, "message")
                return time.monotonic() - since
        except (ConnectionClosed, InvalidStatus, OSError, TimeoutError) as exc:
            last = exc
        await asyncio.sleep(0.05)
    raise AssertionError(f"no socket accepted within {deadline - since:.1f}s: {last!r}")


async def assert_open(ws: ClientConnection) -> None:
    pong = await ws.ping()
    await asyncio.wait_for(pong, WAIT)


async def test_while_the_database_is_down_routes_answer_503_and_sockets_wait(
    live: Live, cluster: Cluster
) -> None:
    alex, blake = await live.member(), await live.member()
    moderator = await live.member(Role.MODERATOR)
    room = await live.open_room(alex, blake)
    base = live.server.base_url
    async with (
        live.connect(alex, room.id) as sender,
        live.connect(blake, room.id) as reader,
        live.queue(moderator) as queue,
        live.notifications(blake) as bell,
    ):
        await next_of(bell, "unread")
        await send(sender, "before", "Before the outage.")
        before = await next_of(reader, "message")

        cluster.stop("fast")
        try:
            for ws in (reader, queue, bell):
                status = await next_of(ws, "status")
                assert status["state"] == "reconnecting", status
                assert "reconnecting" in status["message"]

            api = await blake.http.get(f"/api/v1/circles/{room.slug}/rooms")
            assert api.status_code == 503, api.text[:300]
            assert api.headers["retry-after"].isdigit()
            assert api.json()["error"]["code"] == "database_unavailable"
            assert "database" in api.json()["error"]["message"]

            # A visitor from the US: the crisis lines read at start-up are still shown.
            us = {"accept-language": "en-US,en;q=0.8"}
            async with httpx.AsyncClient(base_url=base, timeout=10, headers=us) as visitor:
                page = await visitor.get(f"/c/{room.slug}")
                health = await visitor.get("/healthz")
            assert page.status_code == 503, page.text[:300]
            assert page.headers["retry-after"].isdigit()
            assert "text/html" in page.headers["content-type"]
            assert "can't reach its database" in page.text
            assert "Nothing you already sent is lost" in page.text
            assert 'href="/support"' in page.text  # crisis lines stay one click away
            assert "988 Suicide &amp; Crisis Lifeline" in page.text
            assert "call 988" in page.text and "Find a Helpline" in page.text
            assert "Samaritans" not in page.text  # the reader's region, then everywhere
            assert health.status_code == 503
            assert health.headers["retry-after"].isdigit()

            await send(sender, "during", "Sent while the database is away.")
            refused = await next_of(sender, "error")
            assert refused["code"] == "database_unavailable", refused
            assert refused["client_msg_id"] == "during"
            assert refused["retry_after"] >= 1

            with pytest.raises(ConnectionClosed) as closed:
                async with live.connect(blake, room.id) as late:
                    await asyncio.wait_for(late.recv(), WAIT)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == TRY_AGAIN
            assert "database" in closed.value.rcvd.reason

            for ws in (sender, reader, queue, bell):
                await assert_open(ws)
        finally:
            cluster.start()
        took = await seconds_until_accepted(live, blake, room.id, time.monotonic())
        assert took < ACCEPTED_WITHIN, f"a new socket was first accepted after {took:.2f}s"

        # What each page needs to be right again comes before "live".
        assert [e["type"] for e in await until_status(queue, "live")][-2:] == [
            "refresh",
            "status",
        ]
        assert "unread" in [e["type"] for e in await until_status(bell, "live")]
        await until_status(reader, "live")
        await until_status(sender, "live")

        # The client sends the refused message again with its id, then a new one.
        await send(sender, "during", "Sent while the database is away.")
        await send(sender, "after", "After the outage.")
        got = [await next_of(reader, "message") for _ in range(2)]
        assert [m["client_msg_id"] for m in got] == ["during", "after"]
        assert [m["seq"] for m in got] == [before["seq"] + 1, before["seq"] + 2]


@asynccontextmanager
async def listen_connection_gone(admin: Admin, watching: ClientConnection) -> AsyncIterator[int]:
    """Kill the relay's LISTEN backend and keep it from reconnecting until the block ends
    (its first attempt is immediate), so what the block commits is certainly notified to
    nobody in the server. The server's pooled connections stay open and keep working."""
    await admin.allow_connections(False)
    try:
        pid = await admin.relay_pid()
        assert await admin.control.fetchval("SELECT pg_terminate_backend($1)", pid)
        status = await next_of(watching, "status")
        assert status["state"] == "reconnecting"
        yield pid
    finally:
        await admin.allow_connections(True)


async def test_a_message_sent_while_the_listen_connection_is_gone_arrives_by_the_gap_fill(
    live: Live, admin: Admin
) -> None:
    alex, blake = await live.member(), await live.member()
    room = await live.room(alex, blake)
    async with live.connect(alex, room) as sender, live.connect(blake, room) as reader:
        await send(sender, "first", "Before the LISTEN connection goes.")
        first = await next_of(reader, "message")
        async with listen_connection_gone(admin, reader) as pid:
            await send(sender, "missed", "Committed while the relay was not listening.")
            await _until_stored(admin, "missed")

        events = await until_status(reader, "live")
        missed = [e for e in events if e["type"] == "message"]
        assert [m["client_msg_id"] for m in missed] == ["missed"]
        assert missed[0]["seq"] == first["seq"] + 1
        assert await admin.relay_pid() != pid

        await send(sender, "next", "After the relay is back.")
        after = await next_of(reader, "message")
        assert (after["client_msg_id"], after["seq"]) == ("next", first["seq"] + 2)


async def test_access_withdrawn_while_the_listen_connection_is_gone_still_closes_the_socket(
    live: Live, admin: Admin
) -> None:
    alex, blake = await live.member(), await live.member()
    room = await live.open_room(alex, visibility="private")
    invited = await alex.http.post(
        f"/api/v1/circles/{room.slug}/members", json={"username": blake.username}
    )
    assert invited.status_code in (200, 201), invited.text
    await live.execute(
        "UPDATE memberships SET accepted_rules_version = 1 WHERE user_id = :u AND circle_id = :c",
        u=blake.id,
        c=room.circle_id,
    )
    async with live.connect(blake, room.id) as chat:
        async with listen_connection_gone(admin, chat):
            left = await blake.http.post(f"/api/v1/circles/{room.slug}/leave", json={})
            assert left.status_code == 200, left.text
        code, reason, _ = await closed_with(chat, time.monotonic())
    assert code == WITHDRAWN, (code, reason)


async def _until_stored(admin: Admin, client_msg_id: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = await admin.data.fetchval(
            "SELECT count(*) FROM chat_messages WHERE client_msg_id = $1", client_msg_id
        )
        if found:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"message {client_msg_id!r} was not stored within {WAIT}s")
