"""Tests for the in-process chat hub: ordering, slow readers, presence, private events, resume."""

from __future__ import annotations

import asyncio
import contextlib
import inspect

import pytest

from realtime.hub import (
    SLOW_CLOSE_CODE,
    SLOW_CLOSE_REASON,
    Event,
    Hub,
    Subscriber,
    SubscriberClosed,
    public,
    resume,
)

ROOM = 1
OTHER_ROOM = 2


def message(seq: int) -> Event:
    return {"type": "message", "seq": seq, "room_id": ROOM, "body_html": f"<p>m{seq}</p>"}


async def drain(subscriber: Subscriber) -> list[Event]:
    """Everything queued for `subscriber` right now, without waiting for more."""
    events = []
    while subscriber.pending:
        events.append(await subscriber.next_event())
    return events


def seqs(events: list[Event]) -> list[int]:
    return [e["seq"] for e in events if e["type"] == "message"]


def presence_names(events: list[Event]) -> list[list[str]]:
    return [[m["display_name"] for m in e["members"]] for e in events if e["type"] == "presence"]


async def test_events_reach_each_subscriber_in_publish_order() -> None:
    hub = Hub()
    subscriber = Subscriber(1, "Alex", maxsize=1000)
    hub.subscribe(ROOM, subscriber)
    order = [3, 1, 2, *range(4, 200)]

    for seq in order:
        hub.publish(ROOM, message(seq))

    assert seqs(await drain(subscriber)) == order


async def test_events_keep_order_for_a_reader_running_concurrently() -> None:
    hub = Hub()
    subscriber = Subscriber(1, "Alex", presence_hidden=True, maxsize=8)
    hub.subscribe(ROOM, subscriber)

    async def read(count: int) -> list[int]:
        return [(await subscriber.next_event())["seq"] for _ in range(count)]

    reader = asyncio.create_task(read(100))
    for seq in range(1, 101):
        hub.publish(ROOM, message(seq))
        if seq % 5 == 0:
            await asyncio.sleep(0)

    assert await asyncio.wait_for(reader, 5) == list(range(1, 101))
    assert not subscriber.closed.is_set()


async def test_every_subscriber_gets_every_event() -> None:
    hub = Hub()
    subscribers = [Subscriber(i, f"Member {i}", maxsize=500) for i in range(25)]
    for subscriber in subscribers:
        hub.subscribe(ROOM, subscriber)

    for seq in range(1, 51):
        hub.publish(ROOM, message(seq))

    received = [await drain(s) for s in subscribers]
    for events in received:
        assert seqs(events) == list(range(1, 51))
    assert hub.delivered == sum(len(events) for events in received)
    assert hub.dropped_slow == 0


async def test_publish_to_a_room_nobody_is_in_delivers_nothing() -> None:
    hub = Hub()
    subscriber = Subscriber(1, "Alex", maxsize=10)
    hub.subscribe(OTHER_ROOM, subscriber)
    await drain(subscriber)

    hub.publish(ROOM, message(1))

    assert subscriber.pending == 0
    assert hub.delivered == 1  # only the presence event in OTHER_ROOM


async def test_slow_subscriber_is_closed_and_removed_while_fast_one_gets_everything() -> None:
    hub = Hub()
    fast = Subscriber(1, "Fast", maxsize=10_000)
    slow = Subscriber(2, "Slow", maxsize=5)
    hub.subscribe(ROOM, fast)
    hub.subscribe(ROOM, slow)
    await drain(fast)
    n = 2000

    assert not inspect.iscoroutinefunction(hub.publish)
    # No await in this loop: every event is queued for the fast reader before it runs at
    # all, so publish cannot have waited on the slow one.
    for seq in range(1, n + 1):
        assert hub.publish(ROOM, message(seq)) is None  # type: ignore[func-returns-value]
    assert fast.pending == n + 1  # n messages and the presence event for slow leaving

    assert slow.closed.is_set()
    assert slow.close_reason == (SLOW_CLOSE_CODE, SLOW_CLOSE_REASON)
    assert slow.close_reason == (4008, "too slow: reconnect with ?after=<last seq>")
    assert slow not in hub.subscribers(ROOM)
    assert hub.dropped_slow == 1
    events = await drain(fast)
    assert seqs(events) == list(range(1, n + 1))
    assert presence_names(events) == [["Fast"]]
    assert hub.presence(ROOM) == [{"display_name": "Fast"}]


async def test_slow_subscriber_writer_gets_the_close_code_even_with_events_queued() -> None:
    hub = Hub()
    slow = Subscriber(2, "Slow", presence_hidden=True, maxsize=3)
    hub.subscribe(ROOM, slow)
    for seq in range(1, 5):
        hub.publish(ROOM, message(seq))

    with pytest.raises(SubscriberClosed) as closed:
        await slow.next_event()
    assert (closed.value.code, closed.value.reason) == (SLOW_CLOSE_CODE, SLOW_CLOSE_REASON)
    hub.publish(ROOM, message(5))
    assert slow.pending <= 1  # at most the wake-up sentinel; nothing new after the close
    assert hub.dropped_slow == 1


async def test_close_wakes_a_writer_waiting_for_the_next_event() -> None:
    subscriber = Subscriber(1, "Alex")
    writer = asyncio.create_task(subscriber.next_event())
    await asyncio.sleep(0)
    assert not writer.done()

    subscriber.close(1001, "server shutting down")

    with pytest.raises(SubscriberClosed) as closed:
        await asyncio.wait_for(writer, 1)
    assert closed.value.code == 1001
    subscriber.close(4008, "later reasons are ignored")
    assert subscriber.close_reason == (1001, "server shutting down")


async def test_dropping_a_slow_reader_can_drop_another_through_the_presence_event() -> None:
    hub = Hub()
    fast = Subscriber(1, "Fast", presence_hidden=True, maxsize=100)
    hidden_slow = Subscriber(2, "Hidden", presence_hidden=True, maxsize=2)
    visible_slow = Subscriber(3, "Visible", maxsize=1)
    for subscriber in (fast, hidden_slow, visible_slow):
        hub.subscribe(ROOM, subscriber)

    # visible_slow overflows on the message; its leaving publishes presence, which
    # overflows hidden_slow in turn.
    hub.publish(ROOM, message(1))

    assert visible_slow.close_reason == (SLOW_CLOSE_CODE, SLOW_CLOSE_REASON)
    assert hidden_slow.close_reason == (SLOW_CLOSE_CODE, SLOW_CLOSE_REASON)
    assert hub.subscribers(ROOM) == [fast]
    assert hub.dropped_slow == 2
    events = await drain(fast)
    assert [e["type"] for e in events] == ["presence", "message", "presence"]
    assert presence_names(events) == [["Visible"], []]


async def test_send_to_reaches_only_that_members_connections() -> None:
    hub = Hub()
    phone = Subscriber(1, "Alex", maxsize=10)
    laptop = Subscriber(1, "Alex", maxsize=10)
    other = Subscriber(2, "Blake", maxsize=10)
    elsewhere = Subscriber(1, "Alex", maxsize=10)
    for subscriber in (phone, laptop, other):
        hub.subscribe(ROOM, subscriber)
    hub.subscribe(OTHER_ROOM, elsewhere)
    for subscriber in (phone, laptop, other, elsewhere):
        await drain(subscriber)
    held = {"type": "held", "client_msg_id": "c1", "reasons": ["toxicity"]}

    hub.send_to(ROOM, 1, held)
    hub.send_to(ROOM, 99, {"type": "held", "client_msg_id": "nobody"})

    assert await drain(phone) == [held]
    assert await drain(laptop) == [held]
    assert await drain(other) == []
    assert await drain(elsewhere) == []


async def test_send_to_keeps_order_with_published_events() -> None:
    hub = Hub()
    author = Subscriber(1, "Alex", presence_hidden=True, maxsize=10)
    hub.subscribe(ROOM, author)
    crisis = {"type": "crisis_resources", "level": "urgent", "resources": []}

    hub.publish(ROOM, message(1))
    hub.send_to(ROOM, 1, crisis)
    hub.publish(ROOM, message(2))

    assert await drain(author) == [message(1), crisis, message(2)]


async def test_send_to_a_slow_member_closes_only_that_connection() -> None:
    hub = Hub()
    watcher = Subscriber(2, "Blake", maxsize=10)
    slow = Subscriber(1, "Alex", maxsize=2)
    hub.subscribe(ROOM, watcher)
    hub.subscribe(ROOM, slow)  # its outbox now holds one presence event
    await drain(watcher)

    hub.send_to(ROOM, 1, {"type": "held", "client_msg_id": "c1", "reasons": []})
    assert not slow.closed.is_set()
    hub.send_to(ROOM, 1, {"type": "held", "client_msg_id": "c2", "reasons": []})

    assert slow.close_reason == (SLOW_CLOSE_CODE, SLOW_CLOSE_REASON)
    assert hub.subscribers(ROOM) == [watcher]
    assert presence_names(await drain(watcher)) == [["Blake"]]


async def test_presence_announces_joins_and_leaves_of_visible_members_once() -> None:
    hub = Hub()
    alex = Subscriber(1, "alex", maxsize=50)
    hidden = Subscriber(2, "Hidden", presence_hidden=True, maxsize=50)
    alex_again = Subscriber(1, "alex", maxsize=50)
    blake = Subscriber(3, "Blake", maxsize=50)

    hub.subscribe(ROOM, hidden)
    assert await drain(hidden) == []
    hub.subscribe(ROOM, alex)
    hub.subscribe(ROOM, alex_again)
    hub.subscribe(ROOM, blake)
    assert hub.presence(ROOM) == [{"display_name": "alex"}, {"display_name": "Blake"}]
    hub.unsubscribe(ROOM, alex)
    assert hub.presence(ROOM) == [{"display_name": "alex"}, {"display_name": "Blake"}]
    hub.unsubscribe(ROOM, alex_again)
    hub.unsubscribe(ROOM, blake)

    events = await drain(hidden)
    assert all(e["type"] == "presence" and e["room_id"] == ROOM for e in events)
    assert presence_names(events) == [["alex"], ["alex", "Blake"], ["Blake"], []]
    assert hub.presence(ROOM) == []


async def test_presence_counts_a_member_with_a_hidden_and_a_visible_connection_once() -> None:
    hub = Hub()
    watcher = Subscriber(9, "Watcher", presence_hidden=True, maxsize=50)
    hub.subscribe(ROOM, watcher)
    hidden_tab = Subscriber(1, "Alex", presence_hidden=True)
    visible_tab = Subscriber(1, "Alex")

    hub.subscribe(ROOM, hidden_tab)
    hub.subscribe(ROOM, visible_tab)
    hub.unsubscribe(ROOM, visible_tab)

    assert presence_names(await drain(watcher)) == [["Alex"], []]
    assert hub.presence(ROOM) == []


async def test_joining_member_receives_the_presence_that_includes_them() -> None:
    hub = Hub()
    subscriber = Subscriber(1, "Alex", maxsize=10)

    hub.subscribe(ROOM, subscriber)

    events = await drain(subscriber)
    assert [public(e) for e in events] == [
        {"type": "presence", "room_id": ROOM, "members": [{"display_name": "Alex"}]}
    ]
    assert events[0]["_ids"] == [1]  # private: never sent, for each reader's blocks


async def test_unsubscribe_stops_delivery() -> None:
    hub = Hub()
    leaving = Subscriber(1, "Alex", maxsize=10)
    staying = Subscriber(2, "Blake", maxsize=10)
    hub.subscribe(ROOM, leaving)
    hub.subscribe(ROOM, staying)
    hub.publish(ROOM, message(1))

    hub.unsubscribe(ROOM, leaving)
    hub.unsubscribe(ROOM, leaving)
    hub.publish(ROOM, message(2))

    assert seqs(await drain(leaving)) == [1]
    staying_events = await drain(staying)
    assert seqs(staying_events) == [1, 2]
    assert presence_names(staying_events) == [["Alex", "Blake"], ["Blake"]]
    assert hub.subscribers(ROOM) == [staying]


async def test_unsubscribing_the_last_connection_forgets_the_room() -> None:
    hub = Hub()
    subscriber = Subscriber(1, "Alex", maxsize=10)
    hub.subscribe(ROOM, subscriber)
    hub.unsubscribe(ROOM, subscriber)
    hub.unsubscribe(OTHER_ROOM, subscriber)

    hub.publish(ROOM, message(1))

    assert hub.subscribers(ROOM) == []
    assert hub.presence(ROOM) == []
    assert seqs(await drain(subscriber)) == []


async def collect_until(stream_of: Subscriber, replayed: list[Event], last_seq: int) -> list[Event]:
    seen: list[Event] = []
    async with contextlib.aclosing(resume(stream_of, replayed)) as stream:
        async for event in stream:
            seen.append(event)
            if event.get("seq") == last_seq:
                break
    return seen


async def test_resume_has_no_gap_and_no_duplicate_when_live_overlaps_replay() -> None:
    hub = Hub()
    subscriber = Subscriber(1, "Alex", presence_hidden=True, maxsize=50)
    hub.subscribe(ROOM, subscriber)  # before reading history, as the endpoint must
    removed = {"type": "removed", "id": 42}
    for seq in range(5, 9):
        hub.publish(ROOM, message(seq))
    hub.publish(ROOM, removed)
    replayed = [message(seq) for seq in range(1, 7)]  # history read after 5..8 committed

    async def publish_later() -> None:
        await asyncio.sleep(0)
        hub.publish(ROOM, message(9))

    later = asyncio.create_task(publish_later())
    seen = await asyncio.wait_for(collect_until(subscriber, replayed, 9), 5)
    await later

    assert seqs(seen) == list(range(1, 10))
    assert removed in seen
    assert seen.index(removed) == seqs(seen).index(8) + 1


async def test_resume_skips_live_messages_the_client_already_had() -> None:
    subscriber = Subscriber(1, "Alex", maxsize=10)
    hub = Hub()
    hub.subscribe(ROOM, subscriber)
    for seq in (3, 4, 5):
        hub.publish(ROOM, message(seq))

    seen: list[Event] = []
    async with contextlib.aclosing(resume(subscriber, [], after=4)) as stream:
        async for event in stream:
            seen.append(event)
            if event.get("seq") == 5:
                break

    assert [e["type"] for e in seen] == ["presence", "message"]
    assert seqs(seen) == [5]


async def test_resume_passes_live_messages_after_the_replay_even_out_of_order() -> None:
    hub = Hub()
    subscriber = Subscriber(1, "Alex", presence_hidden=True, maxsize=10)
    hub.subscribe(ROOM, subscriber)
    for seq in (8, 7, 9):
        hub.publish(ROOM, message(seq))

    seen = await asyncio.wait_for(collect_until(subscriber, [message(6)], 9), 5)

    assert seqs(seen) == [6, 8, 7, 9]


async def test_resume_ends_with_the_close_code_when_the_subscriber_is_dropped() -> None:
    hub = Hub()
    subscriber = Subscriber(1, "Alex", presence_hidden=True, maxsize=2)
    hub.subscribe(ROOM, subscriber)
    for seq in range(1, 4):
        hub.publish(ROOM, message(seq))

    with pytest.raises(SubscriberClosed) as closed:
        async with contextlib.aclosing(resume(subscriber, [message(1)])) as stream:
            async for _event in stream:
                pass
    assert closed.value.code == SLOW_CLOSE_CODE


def test_subscriber_refuses_an_unbounded_outbox() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        Subscriber(1, "Alex", maxsize=0)


async def test_subscriber_closed_elsewhere_is_removed_without_counting_as_slow() -> None:
    hub = Hub()
    banned = Subscriber(1, "Alex", maxsize=10)
    watcher = Subscriber(2, "Blake", maxsize=10)
    hub.subscribe(ROOM, banned)
    hub.subscribe(ROOM, watcher)
    await drain(watcher)

    banned.close(4003, "banned from this circle")
    hub.publish(ROOM, message(1))

    assert banned.close_reason == (4003, "banned from this circle")
    assert hub.subscribers(ROOM) == [watcher]
    assert hub.dropped_slow == 0
    events = await drain(watcher)
    assert seqs(events) == [1]
    assert presence_names(events) == [["Blake"]]


async def test_with_a_delay_a_crowd_joining_is_one_presence_event() -> None:
    hub = Hub(presence_delay=0.05)
    told: list[list[str]] = []
    hub.on_local_presence = lambda room_id, members: told.append(
        [m["display_name"] for m in members]
    )
    crowd = [Subscriber(n, f"Member {n}", maxsize=50) for n in range(1, 6)]
    for subscriber in crowd:
        hub.subscribe(ROOM, subscriber)
    assert all(s.pending == 0 for s in crowd)  # nothing yet: the delay gathers them
    await asyncio.sleep(0.2)
    expected = [f"Member {n}" for n in range(1, 6)]
    for subscriber in crowd:
        assert presence_names(await drain(subscriber)) == [expected]
    assert told == [expected]
    hub.unsubscribe(ROOM, crowd[0])
    await asyncio.sleep(0.2)
    assert presence_names(await drain(crowd[1])) == [expected[1:]]
    assert told[-1] == expected[1:]


async def test_with_a_delay_an_emptied_room_tells_other_processes_at_once() -> None:
    hub = Hub(presence_delay=10.0)
    told: list[list[dict[str, object]]] = []
    hub.on_local_presence = lambda room_id, members: told.append(members)
    alex = Subscriber(1, "Alex", maxsize=5)
    hub.subscribe(ROOM, alex)
    assert told == []  # the join waits for the delay
    hub.unsubscribe(ROOM, alex)
    assert told == [[]]
    assert hub.presence(ROOM) == []


async def test_resume_skips_messages_a_gap_fill_publishes_again() -> None:
    hub = Hub()
    subscriber = Subscriber(1, "Alex", presence_hidden=True, maxsize=20)
    hub.subscribe(ROOM, subscriber)
    for seq in (5, 6):  # heard live after the relay came back...
        hub.publish(ROOM, message(seq))
    for seq in (6, 7):  # ...and read again from the database by the gap fill
        hub.publish(ROOM, message(seq))

    seen = await asyncio.wait_for(collect_until(subscriber, [], 7), 5)

    assert seqs(seen) == [5, 6, 7]


async def test_a_broadcast_reaches_each_connection_once_across_its_rooms() -> None:
    hub = Hub()
    everywhere = Subscriber(1, "Alex", presence_hidden=True, maxsize=10)
    here = Subscriber(2, "Blake", presence_hidden=True, maxsize=10)
    for room in (ROOM, OTHER_ROOM):
        hub.subscribe(room, everywhere)
    hub.subscribe(ROOM, here)
    status = {"type": "status", "state": "reconnecting"}

    hub.broadcast(status)

    assert await drain(everywhere) == [status]
    assert await drain(here) == [status]


async def test_the_hub_remembers_the_newest_seq_delivered_to_each_room() -> None:
    hub = Hub()
    first, second = Subscriber(1, "Alex", maxsize=10), Subscriber(2, "Blake", maxsize=10)
    hub.subscribe(ROOM, first, last_seq=3)
    hub.subscribe(OTHER_ROOM, second)  # nothing known yet: no gap fill for it
    assert hub.last_seqs() == {ROOM: 3}

    hub.publish(ROOM, message(5))
    hub.publish(ROOM, message(4))  # a moment out of order: the newest stays
    hub.subscribe(ROOM, second, last_seq=9)  # read later; the room's own record stands
    assert hub.last_seqs() == {ROOM: 5}

    hub.unsubscribe(ROOM, first)
    hub.unsubscribe(ROOM, second)
    assert hub.last_seqs() == {}
