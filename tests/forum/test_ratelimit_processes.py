"""Two `circles serve` processes on one database count against the same rate limits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection

from tests.chat.helpers import Live, next_of, send
from tests.conftest import PASSWORD, FreshDatabase
from tests.live import CIRCLES, LiveServer, circles_env, free_port, migrate, running

LIMITS = {
    "CIRCLES_REGISTER_RATE_BURST": "2",
    "CIRCLES_REGISTER_RATE_SECONDS": "600",
    "CIRCLES_POST_RATE_BURST": "3",
    "CIRCLES_POST_RATE_SECONDS": "600",
    "CIRCLES_CHAT_RATE_BURST": "2",
    "CIRCLES_CHAT_RATE_SECONDS": "600",
    "CIRCLES_LOGIN_RATE_ATTEMPTS": "2",
    "CIRCLES_LOGIN_DELAY_SECONDS": "600",
}


# Two servers start one after the other on a busy machine: give each more than the
# usual time to answer its first request.
START_TIMEOUT = 90.0


@contextmanager
def server(database_url: str) -> Iterator[LiveServer]:
    env = circles_env(database_url, **LIMITS)
    port = free_port()
    argv = [CIRCLES, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with running(argv, env, port, timeout=START_TIMEOUT) as started:
        yield started


@pytest.fixture(scope="module")
def servers(shared_database: FreshDatabase) -> Iterator[tuple[LiveServer, LiveServer]]:
    migrate(circles_env(shared_database.url))
    with server(shared_database.url) as one, server(shared_database.url) as other:
        yield one, other


def assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"


async def test_registrations_from_one_address_count_on_both_processes(
    servers: tuple[LiveServer, LiveServer],
) -> None:
    def account(n: int) -> dict[str, str]:
        return {
            "username": f"shared-{n}",
            "password": "a long enough pass",
            "display_name": f"Shared {'ACDEFGHJK'[n]}",
        }

    async with (
        httpx.AsyncClient(base_url=servers[0].base_url) as one,
        httpx.AsyncClient(base_url=servers[1].base_url) as other,
    ):
        assert (await one.post("/api/v1/auth/register", json=account(0))).status_code == 201
        assert (await other.post("/api/v1/auth/register", json=account(1))).status_code == 201
        assert_limited(await one.post("/api/v1/auth/register", json=account(2)))
        assert_limited(await other.post("/api/v1/auth/register", json=account(3)))


async def test_a_members_posts_count_on_both_processes(two: tuple[Live, Live]) -> None:
    one, other = two
    alex = await one.member()
    room = await one.open_room(alex)  # creating the circle is the first of three writes
    via_other = httpx.AsyncClient(base_url=other.server.base_url, headers=alex.http.headers)
    other.clients.append(via_other)
    started = await via_other.post(
        f"/api/v1/circles/{room.slug}/threads", json={"title": "Hello", "body": "Second"}
    )
    assert started.status_code == 201, started.text
    replies = f"/api/v1/threads/{started.json()['id']}/posts"
    assert (await alex.http.post(replies, json={"body": "Third"})).status_code == 201
    assert_limited(await via_other.post(replies, json={"body": "Fourth"}))
    assert_limited(await alex.http.post(replies, json={"body": "Fifth"}))


async def test_sign_in_failures_count_on_both_processes(two: tuple[Live, Live]) -> None:
    one, other = two
    sam = await one.member()
    wrong = {"username": sam.username, "password": "not the password"}
    async with (
        httpx.AsyncClient(base_url=one.server.base_url) as first,
        httpx.AsyncClient(base_url=other.server.base_url) as second,
    ):
        assert (await first.post("/api/v1/auth/token", json=wrong)).status_code == 401
        assert (await second.post("/api/v1/auth/token", json=wrong)).status_code == 401
        right = {"username": sam.username, "password": PASSWORD}
        assert_limited(await first.post("/api/v1/auth/token", json=right))


async def test_guesses_sent_at_once_to_both_processes_line_up(two: tuple[Live, Live]) -> None:
    """Two allowed failures, then 429 for every other guess of the burst, on either process."""
    one, other = two
    kim = await one.member()
    wrong = {"username": kim.username, "password": "not the password"}
    async with (
        httpx.AsyncClient(base_url=one.server.base_url) as first,
        httpx.AsyncClient(base_url=other.server.base_url) as second,
    ):
        answers = await asyncio.gather(
            *(client.post("/api/v1/auth/token", json=wrong) for client in [first, second] * 5)
        )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401, 401] + [429] * 8, statuses


async def answer_to(ws: ClientConnection, client_msg_id: str) -> dict[str, Any]:
    """The message or error that answers this send (the other process's messages arrive too)."""
    while True:
        event = await next_of(ws, "message", "error")
        if event.get("client_msg_id") == client_msg_id:
            return event


async def test_chat_sends_count_on_both_processes_and_the_socket_stays_open(
    two: tuple[Live, Live],
) -> None:
    one, other = two
    alex = await one.member()
    room_id = await one.room(alex)
    async with one.connect(alex, room_id) as a, other.connect(alex, room_id) as b:
        await send(a, "m0", "from the first process")
        assert (await answer_to(a, "m0"))["type"] == "message"
        await send(b, "m1", "from the second process")
        assert (await answer_to(b, "m1"))["type"] == "message"
        for attempt in ("m2", "m3"):  # refused each time, and the socket stays open
            await send(a, attempt, "one too many")
            refused = await answer_to(a, attempt)
            assert refused["type"] == "error" and refused["code"] == "rate_limited", refused
            assert refused["retry_after"] >= 1
