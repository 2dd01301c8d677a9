"""Websocket protocol edges (ISSUE12): replay from the start, and resends answered as duplicates.

Malformed frames (an `error` event, the socket stays open) and oversize frames (1009) are
kept by tests/chat/test_chat_limits.py.
"""

from __future__ import annotations

from tests.chat.helpers import Live, messages, next_of, send


async def test_after_zero_replays_the_room_from_its_start(live: Live) -> None:
    alex = await live.member()
    room_id = await live.room(alex)
    async with live.connect(alex, room_id) as a:
        for i in range(3):
            await send(a, f"m{i}", f"message {i}")
        sent = await messages(a, 3)
    async with live.connect(alex, room_id, after=0) as again:
        replayed = await messages(again, 3)
    assert [m["client_msg_id"] for m in replayed] == ["m0", "m1", "m2"]
    assert [m["seq"] for m in replayed] == [m["seq"] for m in sent]
    assert replayed[0]["seq"] == 1


async def test_no_after_replays_nothing(live: Live) -> None:
    alex = await live.member()
    room_id = await live.room(alex)
    async with live.connect(alex, room_id) as a:
        await send(a, "old", "before")
        await messages(a, 1)
    async with live.connect(alex, room_id) as again:
        await send(again, "new", "after")
        assert (await next_of(again, "message"))["client_msg_id"] == "new"


async def test_a_resend_at_or_below_after_is_acknowledged_as_a_duplicate(live: Live) -> None:
    alex = await live.member()
    room_id = await live.room(alex)
    async with live.connect(alex, room_id) as a:
        await send(a, "once", "only once please")
        first = await next_of(a, "message")
    # The client saw it (after = its seq) but resends, unsure the answer reached it.
    async with live.connect(alex, room_id, after=first["seq"]) as again:
        await send(again, "once", "only once please")
        echo = await next_of(again, "message", "error")
    assert echo["client_msg_id"] == "once"
    assert echo["duplicate"] is True
    assert echo["seq"] == first["seq"]
    stored = await live.execute(
        "SELECT count(*) FROM chat_messages WHERE room_id = :r AND client_msg_id = 'once'",
        r=room_id,
    )
    assert stored[0][0] == 1
