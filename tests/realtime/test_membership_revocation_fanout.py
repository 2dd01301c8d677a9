"""A removal, a ban, a password change or a demotion made through one `circles serve`
closes the member's sockets on both processes within a second (PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

import time

import pytest

from forum.accounts.models import Role
from tests.chat.helpers import Live, next_of
from tests.conftest import BACKEND
from tests.realtime.membership import (
    ban,
    change_password,
    private_room,
    remove,
    second_token,
    set_role,
)
from tests.realtime.revocation import assert_closed

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres",
    reason="revocation across processes rides on PostgreSQL LISTEN/NOTIFY; SQLite is one process",
)

SIGNED_OUT, WITHDRAWN = 4401, 4403


async def test_removal_on_one_process_closes_room_sockets_on_both(two: tuple[Live, Live]) -> None:
    one, other = two
    alex, blake = await one.member(), await one.member()
    room = await private_room(one, alex, blake)
    async with one.connect(blake, room.id) as here, other.connect(blake, room.id) as there:
        await remove(alex, room, blake)
        since = time.monotonic()
        for chat in (here, there):
            reason = await assert_closed(chat, since, WITHDRAWN)
            assert reason == "You are no longer a member of this circle."


async def test_a_ban_on_one_process_closes_room_sockets_on_both(two: tuple[Live, Live]) -> None:
    one, other = two
    alex, blake = await one.member(), await one.member()
    room = await one.open_room(alex, blake)
    async with one.connect(blake, room.id) as here, other.connect(blake, room.id) as there:
        await ban(alex, room, blake)
        since = time.monotonic()
        for chat in (here, there):
            assert "banned" in await assert_closed(chat, since, WITHDRAWN)


async def test_a_password_change_on_one_process_closes_other_sign_ins_on_both(
    two: tuple[Live, Live],
) -> None:
    one, other = two
    alex, blake = await one.member(), await one.member()
    room = await one.room(alex, blake)
    changer = await second_token(one, blake)
    async with (
        one.connect(blake, room) as here,
        other.connect(blake, room) as there,
        other.notifications(blake) as bell,
    ):
        await next_of(bell, "unread")
        await change_password(changer)
        since = time.monotonic()
        for socket in (here, there, bell):
            assert "signed out" in await assert_closed(socket, since, SIGNED_OUT)


async def test_a_demotion_on_one_process_closes_the_queue_on_both(two: tuple[Live, Live]) -> None:
    one, other = two
    admin, mod = await one.member(Role.ADMIN), await one.member(Role.MODERATOR)
    async with one.queue(mod) as here, other.queue(mod) as there:
        await set_role(admin, mod, Role.MEMBER)
        since = time.monotonic()
        for queue in (here, there):
            await assert_closed(queue, since, WITHDRAWN)
