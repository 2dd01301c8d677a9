"""Open sockets close within a second once access is withdrawn (ISSUE12, Confidentiality).

Each trigger goes through the real route on a real `circles serve`; the sockets are real
`websockets` clients. On PostgreSQL, tests/realtime/test_revocation_fanout.py repeats
this across two processes.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from forum.accounts.models import Role
from tests.chat.helpers import Live, next_of, send
from tests.conftest import PASSWORD
from tests.realtime.revocation import assert_closed, session_ids, sign_in

SIGNED_OUT, WITHDRAWN = 4401, 4403


async def test_leaving_a_private_circle_closes_its_room_and_queue_sockets(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room = await live.open_room(alex, visibility="private")
    invited = await alex.http.post(
        f"/api/v1/circles/{room.slug}/members", json={"username": blake.username}
    )
    assert invited.status_code in (200, 201), invited.text
    # A circle moderator (who accepted the rules): leaving takes the role, and the queue.
    await live.execute(
        "UPDATE memberships SET role = 'moderator', accepted_rules_version = 1"
        " WHERE user_id = :u AND circle_id = :c",
        u=blake.id,
        c=room.circle_id,
    )
    async with (
        live.connect(blake, room.id) as chat,
        live.queue(blake) as queue,
        live.notifications(blake) as bell,
    ):
        await next_of(bell, "unread")
        left = await blake.http.post(f"/api/v1/circles/{room.slug}/leave", json={})
        assert left.status_code == 200, left.text
        since = time.monotonic()
        await assert_closed(chat, since, WITHDRAWN)
        await assert_closed(queue, since, WITHDRAWN)
        # Still signed in: the bell stays.
        await bell.ping()


async def test_a_revoked_token_closes_every_socket_it_opened(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room = await live.room(alex, blake)
    browser = await sign_in(live, blake)
    token_id = (await live.execute("SELECT id FROM api_tokens WHERE user_id = :u", u=blake.id))[0][
        0
    ]
    async with (
        live.connect(blake, room) as chat,
        live.notifications(blake) as bell,
        browser.socket("/ws/notifications") as page_bell,
    ):
        await next_of(page_bell, "unread")
        await browser.post(f"/account/tokens/{token_id}/revoke")
        since = time.monotonic()
        reason = await assert_closed(chat, since, SIGNED_OUT)
        assert "signed out" in reason
        await assert_closed(bell, since, SIGNED_OUT)
        # The browser's own session was not revoked: its socket stays open.
        await page_bell.ping()


async def test_logging_out_closes_that_sessions_sockets_only(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room = await live.room(alex, blake)
    browser = await sign_in(live, blake)
    async with (
        browser.socket(f"/ws/rooms/{room}") as chat,
        browser.socket("/ws/notifications") as bell,
        live.connect(blake, room) as with_token,
    ):
        await next_of(bell, "unread")
        await browser.post("/logout")
        since = time.monotonic()
        await assert_closed(chat, since, SIGNED_OUT)
        await assert_closed(bell, since, SIGNED_OUT)
        await send(with_token, "still-here", "the token's socket still sends")
        assert (await next_of(with_token, "message"))["client_msg_id"] == "still-here"


async def test_revoking_a_session_closes_its_sockets(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room = await live.room(alex, blake)
    laptop = await sign_in(live, blake)
    phone = await sign_in(live, blake)
    before = set(await session_ids(laptop))
    async with (
        phone.socket(f"/ws/rooms/{room}") as chat,
        laptop.socket("/ws/notifications") as bell,
    ):
        await next_of(bell, "unread")
        # The laptop ends the other session: the newest one is the phone's.
        await laptop.post(f"/account/sessions/{max(before)}/revoke")
        await assert_closed(chat, time.monotonic(), SIGNED_OUT)
        await bell.ping()


async def test_deleting_the_account_closes_its_sockets(live: Live) -> None:
    alex, blake = await live.member(), await live.member(Role.MODERATOR)
    room = await live.room(alex, blake)
    async with live.connect(blake, room) as chat, live.queue(blake) as queue:
        deleted = await blake.http.post(
            "/api/v1/me/delete", json={"password": PASSWORD, "keep_posts": True}
        )
        assert deleted.status_code == 200, deleted.text
        since = time.monotonic()
        await assert_closed(chat, since, SIGNED_OUT)
        await assert_closed(queue, since, SIGNED_OUT)


async def test_a_muted_member_keeps_the_socket_but_cannot_send(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room = await live.room(alex, blake)
    async with live.connect(blake, room) as chat:
        await live.execute(
            "UPDATE users SET muted_until = :until WHERE id = :u",
            until=datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1),
            u=blake.id,
        )
        await send(chat, "muted-1", "can anyone hear me")
        error = await next_of(chat, "error")
        assert error["client_msg_id"] == "muted-1"
        assert error["code"] == "muted"
        assert "paused your posting" in error["message"]
        assert "Traceback" not in json.dumps(error)
        await chat.ping()  # still open
        # and still hears the room
        async with live.connect(alex, room) as other:
            await send(other, "alex-1", "I hear you")
            assert (await next_of(chat, "message"))["client_msg_id"] == "alex-1"
