"""In-process fan-out of chat events to the websocket connections of each room.

One `Hub` per process. The websocket endpoint wraps each connection in a `Subscriber`
and runs a writer task that sends whatever `Subscriber.next_event()` returns. Events
come from `Hub.publish` (called once a message is committed, by the local sender or by
the LISTEN/NOTIFY listener for other processes) and never block on a slow reader: a
connection whose outbox is full is closed with 4008 and resumes with `?after=<seq>`.

Resuming without gap or duplicate (`?after=<seq>`):

1. `hub.subscribe(room_id, subscriber)` first, so nothing committed from now on is missed;
2. read history with `seq > after` from the database and send it;
3. then drain live events through `resume(subscriber, replayed, after=after)`, which
   skips live messages that the replay already covered (their `seq` is not above the
   last replayed one) and passes everything else through.

Presence across processes: `on_local_presence` (when set) hears every change to who is
visibly here in this process, and `set_remote_presence` merges what other processes
report, so a presence event lists everyone in the room wherever they are connected.

Not thread-safe: call everything from the event loop's thread.
"""

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Iterable
from functools import cached_property
from typing import Any, TypeAlias

Event: TypeAlias = dict[str, Any]
# A present member as processes tell each other: {"id": member id, "display_name": ...}.
Member: TypeAlias = dict[str, Any]

# How many live seqs `resume` remembers per connection to skip a repeat (a gap fill).
RECENT_SEQS = 1024
SLOW_CLOSE_CODE = 4008
SLOW_CLOSE_REASON = "too slow: reconnect with ?after=<last seq>"
DEFAULT_OUTBOX_SIZE = 256


def public(event: Event) -> Event:
    """The event without its private keys: those starting with "_" are for the server (to
    decide what each connection is sent) and never go over the wire."""
    if not any(key.startswith("_") for key in event):
        return event
    return {key: value for key, value in event.items() if not key.startswith("_")}


class Frame(dict[str, Any]):
    """A published event; its JSON text is encoded once however many sockets it goes to."""

    @cached_property
    def text(self) -> str:
        return json.dumps(public(self), separators=(",", ":"))


def encode(event: Event) -> str:
    if isinstance(event, Frame):
        return event.text
    return json.dumps(public(event), separators=(",", ":"))


class SubscriberClosed(Exception):
    """The connection was closed by the hub; send `code` and `reason` to the client."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class Subscriber:
    """One websocket connection: who it is and the bounded queue of events to send it."""

    def __init__(
        self,
        member_id: int,
        display_name: str,
        *,
        presence_hidden: bool = False,
        maxsize: int = DEFAULT_OUTBOX_SIZE,
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.member_id = member_id
        self.display_name = display_name
        self.presence_hidden = presence_hidden
        self.maxsize = maxsize
        # None is the wake-up sentinel that close() leaves for a writer blocked in get().
        self._outbox: asyncio.Queue[Event | None] = asyncio.Queue(maxsize)
        self.closed = asyncio.Event()
        self.close_reason: tuple[int, str] | None = None

    def __repr__(self) -> str:
        return f"<Subscriber member={self.member_id} pending={self.pending}>"

    @property
    def pending(self) -> int:
        return self._outbox.qsize()

    def offer(self, event: Event) -> bool:
        """Queue `event` without waiting; False if the outbox is full or closed."""
        if self.closed.is_set():
            return False
        try:
            self._outbox.put_nowait(event)
        except asyncio.QueueFull:
            return False
        return True

    def close(self, code: int, reason: str) -> None:
        """Mark the connection closed; the first reason wins, later calls do nothing."""
        if self.closed.is_set():
            return
        self.close_reason = (code, reason)
        self.closed.set()
        # Events still queued are dropped: the client resumes from its last seq anyway,
        # and emptying the queue makes room for the sentinel on a full outbox.
        while not self._outbox.empty():
            self._outbox.get_nowait()
        self._outbox.put_nowait(None)

    async def next_event(self) -> Event:
        """The next event to send; raises `SubscriberClosed` once the hub closed us."""
        if self.close_reason is None:
            event = await self._outbox.get()
            if event is not None:
                return event
        assert self.close_reason is not None
        raise SubscriberClosed(*self.close_reason)


class _Room:
    def __init__(self) -> None:
        # Dicts, not sets: insertion order keeps fan-out and presence deterministic.
        self.subscribers: dict[Subscriber, None] = {}
        self.by_member: dict[int, dict[Subscriber, None]] = {}
        # The newest message seq this process has delivered here: where a gap fill starts.
        self.last_seq: int | None = None

    def is_visible(self, member_id: int) -> bool:
        return any(not s.presence_hidden for s in self.by_member.get(member_id, ()))

    def add(self, subscriber: Subscriber) -> bool:
        """Add `subscriber`; True if that changed who is visibly present."""
        was_visible = self.is_visible(subscriber.member_id)
        self.subscribers[subscriber] = None
        self.by_member.setdefault(subscriber.member_id, {})[subscriber] = None
        return not was_visible and self.is_visible(subscriber.member_id)

    def remove(self, subscriber: Subscriber) -> bool:
        """Remove `subscriber`; True if that changed who is visibly present."""
        if subscriber not in self.subscribers:
            return False
        del self.subscribers[subscriber]
        member_id = subscriber.member_id
        was_visible = self.is_visible(member_id)
        connections = self.by_member[member_id]
        del connections[subscriber]
        if not connections:
            del self.by_member[member_id]
        return was_visible and not self.is_visible(member_id)

    def members(self) -> list[Member]:
        present: list[Member] = []
        for member_id, connections in self.by_member.items():
            visible = [s for s in connections if not s.presence_hidden]
            if visible:
                present.append({"id": member_id, "display_name": visible[0].display_name})
        return present


def _present(*groups: Iterable[Member]) -> list[tuple[int, str]]:
    """(id, name) once per member however many processes they are connected to, by name."""
    seen: dict[int, str] = {}
    for group in groups:
        for member in group:
            seen.setdefault(int(member["id"]), str(member["display_name"]))
    return sorted(seen.items(), key=lambda item: item[1].casefold())


class Hub:
    """Rooms of subscribers; publishing is synchronous and never waits on a reader."""

    def __init__(self, *, presence_delay: float = 0.0) -> None:
        # With a delay, presence changes within it go out as one event: 500 members
        # joining at once cost a few presence events per member, not 500.
        self.presence_delay = presence_delay
        self._presence_due: dict[int, asyncio.TimerHandle] = {}
        self._local_changed: set[int] = set()
        self._rooms: dict[int, _Room] = {}
        # room id -> origin (another process) -> its visibly present members.
        self._remote: dict[int, dict[str, list[Member]]] = {}
        self.on_local_presence: Callable[[int, list[Member]], None] | None = None
        self.delivered = 0
        self.dropped_slow = 0

    def subscribe(
        self, room_id: int, subscriber: Subscriber, *, last_seq: int | None = None
    ) -> None:
        """Add `subscriber`; `last_seq` is the room's newest seq the caller read (if any)."""
        room = self._rooms.setdefault(room_id, _Room())
        if room.last_seq is None:
            room.last_seq = last_seq
        if subscriber in room.subscribers:
            return
        if room.add(subscriber) and (event := self._presence_changed(room_id, room)):
            self.publish(room_id, event)

    def unsubscribe(self, room_id: int, subscriber: Subscriber) -> None:
        """Stop delivering to `subscriber`; safe to call again after the hub dropped it."""
        self._remove(room_id, [subscriber])

    def publish(self, room_id: int, event: Event) -> None:
        """Queue `event` for everyone in the room, dropping those whose outbox is full."""
        next_event: Event | None = event
        # A loop, not recursion: dropping slow readers can change presence, whose event
        # can overflow more readers; each round removes at least one, so it ends.
        while next_event is not None:
            room = self._rooms.get(room_id)
            if room is None:
                return
            frame = next_event if isinstance(next_event, Frame) else Frame(next_event)
            if frame.get("type") == "message" and frame.get("seq") is not None:
                room.last_seq = max(room.last_seq or 0, int(frame["seq"]))
            slow = self._deliver(room.subscribers, frame)
            next_event = self._remove(room_id, slow, publish=False)

    def broadcast(self, event: Event) -> None:
        """Queue `event` once for every connection in every room (live updates' status)."""
        frame = Frame(event)
        seen: set[Subscriber] = set()
        for room_id, room in list(self._rooms.items()):
            fresh = [s for s in room.subscribers if s not in seen]
            seen.update(fresh)
            if slow := self._deliver(fresh, frame):
                self._remove(room_id, slow)

    def room_ids(self) -> list[int]:
        """The rooms (keys) that have subscribers here."""
        return list(self._rooms)

    def last_seqs(self) -> dict[int, int]:
        """Each room's newest delivered seq, for the rooms that have subscribers here."""
        return {
            room_id: room.last_seq
            for room_id, room in self._rooms.items()
            if room.last_seq is not None
        }

    def send_to(self, room_id: int, member_id: int, event: Event) -> None:
        """Queue `event` for every connection of one member in the room (held, crisis)."""
        room = self._rooms.get(room_id)
        if room is None or member_id not in room.by_member:
            return
        slow = self._deliver(room.by_member[member_id], event)
        presence = self._remove(room_id, slow, publish=False)
        if presence is not None:
            self.publish(room_id, presence)

    def presence(self, room_id: int) -> list[Event]:
        """Distinct members visibly present in the room, by display name."""
        return [{"display_name": name} for _, name in self._present(room_id)]

    def _present(self, room_id: int) -> list[tuple[int, str]]:
        room = self._rooms.get(room_id)
        local = [] if room is None else room.members()
        return _present(local, *self._remote.get(room_id, {}).values())

    def local_presence(self) -> dict[int, list[Member]]:
        """Who is visibly present in each room with subscribers in this process."""
        return {room_id: room.members() for room_id, room in self._rooms.items()}

    def set_remote_presence(self, room_id: int, origin: str, members: list[Member]) -> None:
        """Another process says who is visibly present there; tell this room if it changed."""
        origins = self._remote.setdefault(room_id, {})
        if origins.get(origin, []) == members:
            return
        if members:
            origins[origin] = members
        else:
            origins.pop(origin, None)
            if not origins:
                del self._remote[room_id]
        if room_id in self._rooms and (event := self._presence_changed(room_id, None)):
            self.publish(room_id, event)

    def forget_all_remote(self) -> None:
        """Forget every other process's presence (they say it again when asked)."""
        for room_id, origins in list(self._remote.items()):
            for origin in list(origins):
                self.set_remote_presence(room_id, origin, [])

    def forget_origin(self, origin: str) -> None:
        """Another process went away: nobody is present through it any more."""
        for room_id in [r for r, origins in self._remote.items() if origin in origins]:
            self.set_remote_presence(room_id, origin, [])

    def close_all(self, code: int, reason: str) -> None:
        """Close every connection (they reconnect and resume with `?after`)."""
        for room in list(self._rooms.values()):
            for subscriber in list(room.subscribers):
                subscriber.close(code, reason)

    def subscribers(self, room_id: int) -> list[Subscriber]:
        room = self._rooms.get(room_id)
        return [] if room is None else list(room.subscribers)

    def _deliver(self, subscribers: Iterable[Subscriber], event: Event) -> list[Subscriber]:
        """Offer `event` to each subscriber; return those to drop from the room."""
        gone: list[Subscriber] = []
        for subscriber in subscribers:
            if subscriber.offer(event):
                self.delivered += 1
                continue
            if not subscriber.closed.is_set():
                subscriber.close(SLOW_CLOSE_CODE, SLOW_CLOSE_REASON)
                self.dropped_slow += 1
            gone.append(subscriber)
        return gone

    def _remove(
        self, room_id: int, subscribers: list[Subscriber], *, publish: bool = True
    ) -> Event | None:
        """Remove subscribers; publish (or return) the presence event if it changed."""
        room = self._rooms.get(room_id)
        if room is None or not subscribers:
            return None
        changed = False
        for subscriber in subscribers:
            changed = room.remove(subscriber) or changed
        if not room.subscribers:
            del self._rooms[room_id]
            if (due := self._presence_due.pop(room_id, None)) is not None:
                due.cancel()
            if room_id in self._local_changed:
                # A change not yet told to other processes: tell them the room is empty.
                self._local_changed.discard(room_id)
                changed = True
            if changed and self.on_local_presence is not None:
                self.on_local_presence(room_id, [])
            return None
        if not changed:
            return None
        event = self._presence_changed(room_id, room)
        if event is None:
            return None
        if publish:
            self.publish(room_id, event)
            return None
        return event

    def _presence_changed(self, room_id: int, room: _Room | None) -> Event | None:
        """The presence event to publish now, or None when it goes out after the delay."""
        if self.presence_delay <= 0:
            return self._presence_event(room_id, room)
        if room is not None:
            self._local_changed.add(room_id)
        if room_id not in self._presence_due:
            loop = asyncio.get_running_loop()
            self._presence_due[room_id] = loop.call_later(
                self.presence_delay, self._presence_now, room_id
            )
        return None

    def _presence_now(self, room_id: int) -> None:
        del self._presence_due[room_id]
        local = room_id in self._local_changed
        self._local_changed.discard(room_id)
        if (room := self._rooms.get(room_id)) is not None:
            self.publish(room_id, self._presence_event(room_id, room if local else None))

    def _presence_event(self, room_id: int, room: _Room | None) -> Event:
        """The room's presence event; `room` given means the local members just changed."""
        if room is not None and self.on_local_presence is not None:
            self.on_local_presence(room_id, room.members())
        present = self._present(room_id)
        return {
            "type": "presence",
            "room_id": room_id,
            "members": [{"display_name": name} for _, name in present],
            # Private, in the same order: so a reader's blocks can leave members out.
            "_ids": [member_id for member_id, _ in present],
        }


async def resume(
    subscriber: Subscriber,
    replayed: Iterable[Event] | AsyncIterable[Event],
    *,
    after: int = 0,
) -> AsyncGenerator[Event, None]:
    """Yield the replayed history, then live events minus messages already sent.

    `subscriber` must have been subscribed before the history was read (see the module
    docstring); `replayed` may be read page by page. A message already sent (covered by
    the replay, or delivered again by a gap fill after the relay reconnected) is skipped.
    Ends by raising `SubscriberClosed` when the hub closes the subscriber.
    """
    covered = after
    if isinstance(replayed, AsyncIterable):
        async for event in replayed:
            covered = max(covered, int(event["seq"]))
            yield event
    else:
        for event in replayed:
            covered = max(covered, int(event["seq"]))
            yield event
    # Seqs sent live, oldest first; a set, not a high-water mark, so that a message
    # published a moment out of order is never dropped.
    sent: dict[int, None] = {}
    while True:
        event = await subscriber.next_event()
        # A resend's duplicate acknowledgement is the author's answer, so it always goes.
        if event.get("type") == "message" and not event.get("duplicate"):
            seq = int(event["seq"])
            if seq <= covered or seq in sent:
                continue
            sent[seq] = None
            if len(sent) > RECENT_SEQS:
                del sent[next(iter(sent))]
        yield event
