"""Removal, a ban, a password change and losing the moderator role close sockets at once.

Each goes through the real route on a real `circles serve`, with real `websockets`
clients; tests/realtime/test_membership_revocation_fanout.py repeats them across two
processes on PostgreSQL.
"""

from __future__ import annotations

import time
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from forum.accounts.models import Role
from tests.chat.helpers import Live, next_of, send
from tests.realtime.membership import (
    ban,
    change_password,
    private_room,
    remove,
    second_token,
    set_role,
)
from tests.realtime.revocation import assert_closed

SIGNED_OUT, WITHDRAWN = 4401, 4403


async def test_removing_a_member_closes_their_room_socket_with_the_reason(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room = await private_room(live, alex, blake)
    async with live.connect(blake, room.id) as chat, live.connect(alex, room.id) as owner:
        await remove(alex, room, blake)
        reason = await assert_closed(chat, time.monotonic(), WITHDRAWN)
        assert reason == "You are no longer a member of this circle."
        await owner.ping()  # the owner's stays open


async def test_removing_from_a_public_circle_closes_the_socket_too(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room = await live.open_room(alex, blake)
    async with live.connect(blake, room.id) as chat:
        await remove(alex, room, blake)
        assert "no longer a member" in await assert_closed(chat, time.monotonic(), WITHDRAWN)


async def test_a_ban_closes_the_socket_and_refuses_a_new_one(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room = await live.open_room(alex, blake)  # public: readable, but not its chat
    async with live.connect(blake, room.id) as chat, live.notifications(blake) as bell:
        await next_of(bell, "unread")
        await ban(alex, room, blake)
        reason = await assert_closed(chat, time.monotonic(), WITHDRAWN)
        assert "banned" in reason
        await bell.ping()  # still signed in
    try:
        async with live.connect(blake, room.id):
            raise AssertionError("a banned member's socket was accepted")
    except InvalidStatus as exc:
        assert exc.response.status_code == 403
        assert b"banned" in exc.response.body


async def test_a_password_change_closes_the_other_sign_ins_sockets_only(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room = await live.room(alex, blake)
    changer = await second_token(live, blake)
    headers = {"Authorization": changer.headers["Authorization"]}
    async with (
        live.connect(blake, room) as old,
        live.notifications(blake) as bell,
        live_socket(live, room, headers) as kept,
    ):
        await next_of(bell, "unread")
        await change_password(changer)
        since = time.monotonic()
        assert "signed out" in await assert_closed(old, since, SIGNED_OUT)
        await assert_closed(bell, since, SIGNED_OUT)
        await send(kept, "kept-1", "the socket of the token it was changed with still sends")
        assert (await next_of(kept, "message"))["client_msg_id"] == "kept-1"


async def test_losing_the_moderator_role_closes_the_live_queue(live: Live) -> None:
    admin, mod = await live.member(Role.ADMIN), await live.member(Role.MODERATOR)
    other_mod = await live.member(Role.MODERATOR)
    async with live.queue(mod) as queue, live.queue(other_mod) as stays:
        await set_role(admin, mod, Role.MEMBER)
        reason = await assert_closed(queue, time.monotonic(), WITHDRAWN)
        assert "moderators" in reason
        await stays.ping()


def live_socket(live: Live, room_id: int, headers: dict[str, str]) -> Any:
    url = f"ws://127.0.0.1:{live.server.port}/ws/rooms/{room_id}"
    return connect(url, additional_headers=headers)
