"""Delivering committed events to this process's chat rooms and live review queues.

One `Live` per process. Every event, local or from another process, goes through one
inbox drained by one task, so each room sees messages in commit order. With PostgreSQL
the inbox is fed by the relay's LISTEN connection, the sending process included (its own
messages come from a small cache instead of the database); with SQLite, a single
process, it is fed straight from `committed()` after each commit.

Presence is per process in the hub; with PostgreSQL each process tells the others who
is visibly present in its rooms (outside any transaction) and merges what they say.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forum.cache import TTLCache
from forum.events import LiveEvent, take_pending
from realtime.hub import Event, Hub, Member
from realtime.pg_relay import PgRelay

log = logging.getLogger("circles.live")

# The queue hub's key for site staff, who see every circle's items.
ALL_CIRCLES = 0
RESTART_CODE = 1012
RESTART_REASON = "live updates restarting: reconnect with ?after=<last seq>"
PRESENCE_LIMIT = 100

# For each notification id: its member and the event their pages get (forum.notifications).
# Re-checks one open socket's access; closes it when the access is gone (forum.sockets).
Recheck = Callable[[], Coroutine[Any, Any, None]]
MessageLoader = Callable[[AsyncSession, list[int]], Awaitable[dict[int, Event]]]
NotificationLoader = Callable[[AsyncSession, list[int]], Awaitable[dict[int, tuple[int, Event]]]]


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
        # Set by the app: drop a member's cached copy (its unread count changed).
        self.forget_user: Callable[[int], None] = lambda user_id: None
        # Keyed by member id: each of their open sockets' access re-check.
        self._rechecks: dict[int, set[Recheck]] = {}
        self.origin = secrets.token_hex(8)
        self._recent: TTLCache[int, Event] = TTLCache(60.0, 2_000)
        self._inbox: asyncio.Queue[LiveEvent] = asyncio.Queue()
        self._consumer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
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
            except Exception:  # one bad event must not stop every later one
                log.exception("live: failed to deliver %d events", len(batch))

    def _forget_counted(self, events: list[LiveEvent]) -> None:
        for event in events:
            if event.get("kind") in ("notification", "notifications_read"):
                self.forget_user(int(event["user_id"]))

    async def _deliver(self, batch: list[LiveEvent]) -> None:
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
            elif kind == "queue":
                self._queue(event)
            elif kind == "notification":
                if (notice := notices.get(int(event["id"]))) is not None:
                    self.user_hub.publish(*notice)
            elif kind == "access":
                self._recheck(int(event["user_id"]))
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
        self.hub.close_all(RESTART_CODE, RESTART_REASON)
        self.queue_hub.close_all(RESTART_CODE, RESTART_REASON)
        self.user_hub.close_all(RESTART_CODE, RESTART_REASON)

    def _ready(self) -> None:
        self.hub.forget_all_remote()
        assert self.relay is not None
        self._spawn(self.relay.notify({"kind": "hello", "origin": self.origin}))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
