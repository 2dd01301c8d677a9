"""Access withdrawn on one `circles serve` closes the sockets held by another (PostgreSQL)."""

from __future__ import annotations

import time

import pytest

from tests.chat.helpers import Live, next_of
from tests.conftest import BACKEND
from tests.realtime.revocation import assert_closed, sign_in

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres",
    reason="revocation across processes rides on PostgreSQL LISTEN/NOTIFY; SQLite is one process",
)


async def test_leaving_on_one_process_closes_the_room_socket_on_the_other(
    two: tuple[Live, Live],
) -> None:
    one, other = two
    alex, blake = await one.member(), await one.member()
    room = await one.open_room(alex, visibility="private")
    invited = await alex.http.post(
        f"/api/v1/circles/{room.slug}/members", json={"username": blake.username}
    )
    assert invited.status_code in (200, 201), invited.text
    await one.execute(
        "UPDATE memberships SET accepted_rules_version = 1 WHERE user_id = :u AND circle_id = :c",
        u=blake.id,
        c=room.circle_id,
    )
    async with other.connect(blake, room.id) as chat:
        left = await blake.http.post(f"/api/v1/circles/{room.slug}/leave", json={})
        assert left.status_code == 200, left.text
        await assert_closed(chat, time.monotonic(), 4403)


async def test_logging_out_on_one_process_closes_the_sockets_on_the_other(
    two: tuple[Live, Live],
) -> None:
    one, other = two
    alex, blake = await one.member(), await one.member()
    room = await one.room(alex, blake)
    on_one = await sign_in(one, blake)
    # The same session cookie, used against the other process.
    on_other = await sign_in(other, blake)
    on_other.http.cookies = on_one.http.cookies
    async with (
        on_other.socket(f"/ws/rooms/{room}") as chat,
        on_other.socket("/ws/notifications") as bell,
    ):
        await next_of(bell, "unread")
        await on_one.post("/logout")
        since = time.monotonic()
        await assert_closed(chat, since, 4401)
        await assert_closed(bell, since, 4401)
