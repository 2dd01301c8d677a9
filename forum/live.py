"""Delivering committed events to this process's chat rooms and live review queues.

One `Live` per process. Every event, local or from another process, goes through one
inbox drained by one task, so each room sees messages in commit order. With PostgreSQL
the inbox is fed by the relay's LISTEN connection, the sending process included (its own
messages come from a small cache instead of the database); with SQLite, a single
process, it is fed straight from `committed()` after each commit.

When the relay loses its connection (the database restarting, or only the LISTEN
connection dropped), open sockets stay open and are told `{"type": "status", "state":
"reconnecting"}`. Once the relay listens again, the first thing the inbox's task does is
fill the gap from the database: every socket re-checks its access (a withdrawal may be
among what was missed), each room with subscribers here gets the messages after the last
seq this process delivered to it, each review queue a "refresh", each bell its unread
count; then every socket hears `{"type": "status", "state": "live"}`. Only if the gap
cannot be read are sockets closed with 1012, to resume with `?after` themselves. Chat
removals missed meanwhile are not replayed (a socket sees them when it next connects).

Presence is per process in the hub; with PostgreSQL each process tells the others who
is visibly present in its rooms (outside any transaction) and merges what they say.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forum.cache import TTLCache
from forum.db import ping
from forum.events import LiveEvent, take_pending
from forum.outage import is_unavailable
from realtime.hub import Event, Hub, Member
from realtime.pg_relay import PgRelay

log = logging.getLogger("circles.live")

# The queue hub's key for site staff, who see every circle's items.
ALL_CIRCLES = 0
RESTART_CODE = 1012
RESTART_REASON = "live updates restarting: reconnect with ?after=<last seq>"
RECONNECTING: Event = {
    "type": "status",
    "state": "reconnecting",
    "message": "Live updates are reconnecting. Nothing already sent is lost; "
    "what you missed will follow in a moment.",
}
LIVE: Event = {"type": "status", "state": "live"}
REFRESH: Event = {
    "type": "refresh",
    "message": "Live updates were interrupted for a moment: the queue may have changed.",
}
# Reading the gap may first meet a pooled connection that died with the old server.
GAP_ATTEMPTS = 10
GAP_RETRY_SECONDS = 0.3
PRESENCE_LIMIT = 100

# For each notification id: its member and the event their pages get (forum.notifications).
# Re-checks one open socket's access; closes it when the access is gone (forum.sockets).
Recheck = Callable[[], Coroutine[Any, Any, None]]
MessageLoader = Callable[[AsyncSession, list[int]], Awaitable[dict[int, Event]]]
NotificationLoader = Callable[[AsyncSession, list[int]], Awaitable[dict[int, tuple[int, Event]]]]
# A room's published messages after a seq, in order (forum.chat.service.replay).
MessageReplay = Callable[[async_sessionmaker[AsyncSession], int, int], AsyncIterator[Event]]
# For member ids: each one's unread event now (forum.notifications.service.unread_events).
UnreadLoader = Callable[[AsyncSession, list[int]], Awaitable[dict[int, Event]]]


def listen_dsn(database_url: str) -> str | None:
    """The asyncpg DSN to LISTEN on, or None when the database is not PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Live:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], database_url: str, hub: Hub
    ) -> None:
        self.sessions = sessions
        self.hub = hub
        self.queue_hub = Hub()
        # Keyed by member id: each member's open pages, for their notifications.
        self.user_hub = Hub()
        # Set by the app: the chat and notifications packages sit above this module.
        self.load_messages: MessageLoader | None = None
        self.load_notifications: NotificationLoader | None = None
        self.replay_messages: MessageReplay | None = None
        self.load_unread: UnreadLoader | None = None
        # Set by the app: drop a member's cached copy (its unread count changed).
        self.forget_user: Callable[[int], None] = lambda user_id: None
        # Keyed by member id: each of their open sockets' access re-check.
        self._rechecks: dict[int, set[Recheck]] = {}
        self.origin = secrets.token_hex(8)
        self._recent: TTLCache[int, Event] = TTLCache(60.0, 2_000)
        self._inbox: asyncio.Queue[LiveEvent] = asyncio.Queue()
        self._consumer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # Set while the relay is (or was) away and the gap is not filled yet; `_outages`
        # counts losses, so a fill overtaken by another loss does not say "live".
        self._gap = False
        self._outages = 0
        dsn = listen_dsn(database_url)
        self.relay = (
            None
            if dsn is None
            else PgRelay(dsn, self._receive, on_lost=self._lost, on_ready=self._ready)
        )

    @property
    def ready(self) -> bool:
        """False while the relay reconnects: a socket opened now would miss events."""
        return self.relay is None or self.relay.ready

    async def start(self) -> None:
        if self.relay is not None:
            self.hub.on_local_presence = self._local_presence
            await self.relay.start()

    async def stop(self) -> None:
        if self.relay is not None:
            await self.relay.notify({"kind": "bye", "origin": self.origin})
            await self.relay.stop()
        for task in [*self._tasks, *([self._consumer] if self._consumer else [])]:
            task.cancel()

    def remember(self, message_id: int, event: Event) -> None:
        """The sender's copy of a message event, so its own notification needs no query."""
        self._recent.put(message_id, event)

    def watch(self, user_id: int, recheck: Recheck) -> None:
        """Run `recheck` whenever the member's access may have been withdrawn."""
        self._rechecks.setdefault(user_id, set()).add(recheck)

    def unwatch(self, user_id: int, recheck: Recheck) -> None:
        rechecks = self._rechecks.get(user_id)
        if rechecks is not None:
            rechecks.discard(recheck)
            if not rechecks:
                del self._rechecks[user_id]

    def committed(self, db: AsyncSession) -> None:
        """Call after `db` commits: deliver what it emitted (via the relay on PostgreSQL)."""
        events = take_pending(db)
        # At once, before the next request: the bell on their next page shows the change.
        self._forget_counted(events)
        if self.relay is None:
            for event in events:
                self._receive(event)

    def _receive(self, event: LiveEvent) -> None:
        if self._consumer is None or self._consumer.done():
            self._consumer = asyncio.get_running_loop().create_task(self._consume())
        self._inbox.put_nowait(event)

    async def _consume(self) -> None:
        while True:
            batch = [await self._inbox.get()]
            while not self._inbox.empty():
                batch.append(self._inbox.get_nowait())
            try:
                await self._deliver(batch)
            except Exception as exc:  # one bad event must not stop every later one
                log.exception("live: failed to deliver %d events", len(batch))
                # Their messages are read again with the next gap fill, in order.
                self._gap = self._gap or is_unavailable(exc)

    def _forget_counted(self, events: list[LiveEvent]) -> None:
        for event in events:
            if event.get("kind") in ("notification", "notifications_read"):
                self.forget_user(int(event["user_id"]))

    async def _deliver(self, batch: list[LiveEvent]) -> None:
        if self._gap and self.ready:
            # Before anything heard since reconnecting: what was missed comes first.
            await self._fill_gap()
        if self.relay is not None:
            self._forget_counted(batch)  # other processes' members, cached here too
        messages = await self._message_events(
            [e["id"] for e in batch if e.get("kind") == "message"]
        )
        notices = await self._notifications([e for e in batch if e.get("kind") == "notification"])
        for event in batch:
            kind = event.get("kind")
            if kind == "message":
                if (message := messages.get(event["id"])) is not None:
                    self.hub.publish(event["room_id"], message)
            elif kind == "removed":
                self.hub.publish(
                    event["room_id"],
                    {"type": "removed", "id": event["id"], "room_id": event["room_id"]},
                )
            elif kind == "reactions":
                self.hub.publish(
                    event["room_id"],
                    {
                        "type": "reactions",
                        "id": event["id"],
                        "room_id": event["room_id"],
                        "counts": event["counts"],
                    },
                )
            elif kind == "queue":
                self._queue(event)
            elif kind == "notification":
                if (notice := notices.get(int(event["id"]))) is not None:
                    self.user_hub.publish(*notice)
            elif kind == "access":
                self._recheck(int(event["user_id"]))
            elif kind == "resumed":
                pass  # only wakes this task, for the gap fill above
            elif kind == "notifications_read":
                update = {"type": "unread", "count": int(event["unread"])}
                self.user_hub.publish(int(event["user_id"]), update)
            elif event.get("origin") != self.origin:
                self._from_other_process(event)

    async def _notifications(self, batch: list[LiveEvent]) -> dict[int, tuple[int, Event]]:
        """The events for notifications whose member has a page open here (only those read)."""
        ids = [int(e["id"]) for e in batch if self.user_hub.subscribers(int(e["user_id"]))]
        if not ids or self.load_notifications is None:
            return {}
        async with self.sessions() as db:
            return await self.load_notifications(db, ids)

    async def _message_events(self, ids: list[int]) -> dict[int, Event]:
        found: dict[int, Event] = {}
        missing = []
        for message_id in ids:
            if (cached := self._recent.get(message_id)) is not None:
                found[message_id] = cached.value
            else:
                missing.append(message_id)
        if missing and self.load_messages is not None:
            async with self.sessions() as db:
                found.update(await self.load_messages(db, missing))
        return found

    def _recheck(self, user_id: int) -> None:
        """Each of the member's sockets here asks again whether it may stay open."""
        self.forget_user(user_id)
        for recheck in list(self._rechecks.get(user_id, ())):
            self._spawn(recheck())

    def _queue(self, event: LiveEvent) -> None:
        update = {k: v for k, v in event.items() if k != "kind"}
        update["type"] = "queue"
        self.queue_hub.publish(ALL_CIRCLES, update)
        self.queue_hub.publish(int(event["circle_id"]), update)

    def _from_other_process(self, event: LiveEvent) -> None:
        kind, origin = event.get("kind"), str(event.get("origin"))
        if kind == "presence":
            self.hub.set_remote_presence(int(event["room_id"]), origin, event["members"])
        elif kind == "hello":
            # A process (re)started listening: tell it who is here.
            for room_id, members in self.hub.local_presence().items():
                self._local_presence(room_id, members)
        elif kind == "bye":
            self.hub.forget_origin(origin)

    def _local_presence(self, room_id: int, members: list[Member]) -> None:
        if self.relay is None:
            return
        event = {
            "kind": "presence",
            "origin": self.origin,
            "room_id": room_id,
            "members": members[:PRESENCE_LIMIT],
        }
        self._spawn(self.relay.notify(event))

    def _lost(self) -> None:
        """Keep every socket open, saying live updates are reconnecting."""
        self._gap = True
        self._outages += 1
        for hub in (self.hub, self.queue_hub, self.user_hub):
            hub.broadcast(RECONNECTING)

    def _ready(self) -> None:
        self.hub.forget_all_remote()
        assert self.relay is not None
        self._spawn(self.relay.notify({"kind": "hello", "origin": self.origin}))
        # Wakes the inbox's task even if nothing else arrives: it fills the gap first.
        self._receive({"kind": "resumed"})

    async def _fill_gap(self) -> None:
        outage = self._outages
        for attempt in range(1, GAP_ATTEMPTS + 1):
            try:
                await self._refill()
                break
            except Exception as exc:
                if outage != self._outages:
                    return  # lost again: the fill after the next reconnect covers this
                if not is_unavailable(exc) or attempt == GAP_ATTEMPTS:
                    log.exception("live: could not read what was missed; sockets will resume")
                    self._restart_all()
                    break
                await asyncio.sleep(GAP_RETRY_SECONDS)
        if outage == self._outages:  # not lost again meanwhile
            self._gap = False
            for hub in (self.hub, self.queue_hub, self.user_hub):
                hub.broadcast(LIVE)

    async def _refill(self) -> None:
        """Publish what this process missed while the relay was away (safe to repeat)."""
        # A dead pooled connection fails here, where the fill is tried again, rather than
        # in a socket's re-check, which would keep the socket rather than guess.
        await ping(self.sessions)
        # A withdrawn access may be among what was missed: every open socket asks again
        # whether it may stay, before any message is delivered to it.
        for user_id in self._rechecks:
            self.forget_user(user_id)
        await asyncio.gather(*(check() for checks in self._rechecks.values() for check in checks))
        if self.replay_messages is not None:
            for room_id, last_seq in self.hub.last_seqs().items():
                async for message in self.replay_messages(self.sessions, room_id, last_seq):
                    self.hub.publish(room_id, message)
        self.queue_hub.broadcast(REFRESH)
        users = self.user_hub.room_ids()
        if users and self.load_unread is not None:
            async with self.sessions() as db:
                unread = await self.load_unread(db, users)
            for user_id, event in unread.items():
                self.user_hub.publish(user_id, event)

    def _restart_all(self) -> None:
        """Close every socket; clients reconnect and resume from the database with ?after."""
        for hub in (self.hub, self.queue_hub, self.user_hub):
            hub.close_all(RESTART_CODE, RESTART_REASON)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
