"""One PostgreSQL LISTEN connection per process: events from every process, in commit order.

Writers send `NOTIFY` inside their transaction (`SELECT pg_notify(channel, payload)`), so
an event exists only if its transaction commits, and PostgreSQL delivers notifications
from different transactions in commit order to every listener, the sending process
included. Each payload is a small JSON object of ids (NOTIFY allows 8,000 bytes); the
receiver reads anything bigger from the database.

If the listening connection drops, notifications sent meanwhile are lost to this
process: `on_lost` runs at once (the owner tells its sockets it is reconnecting), and
the relay tries again every `retry_seconds`, a short fixed interval: one connection
attempt per process is cheap, and a database that comes back should be heard within a
second, not after a backoff grown to half a minute. Once it listens again, `on_ready`
runs (the owner reads from the database what it missed).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

log = logging.getLogger("circles.relay")

CHANNEL = "circles_events"
MAX_PAYLOAD = 7900  # PostgreSQL's limit is 8,000 bytes
RETRY_SECONDS = 0.5
# How the LISTEN connection shows in pg_stat_activity (to operators, and to tests).
APP_NAME = "circles-relay"
# A server that does not answer at all (a dropped route) must not stall the retries.
CONNECT_TIMEOUT = 5.0


def encode_payload(event: dict[str, Any]) -> str:
    text = json.dumps(event, separators=(",", ":"))
    if len(text.encode()) > MAX_PAYLOAD:
        raise ValueError(f"a relay payload must stay under {MAX_PAYLOAD} bytes: {text[:80]}...")
    return text


class PgRelay:
    def __init__(
        self,
        dsn: str,
        sink: Callable[[dict[str, Any]], None],
        *,
        on_lost: Callable[[], None] = lambda: None,
        on_ready: Callable[[], None] = lambda: None,
        channel: str = CHANNEL,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.dsn = dsn
        self.sink = sink
        self.on_lost = on_lost
        self.on_ready = on_ready
        self.channel = channel
        self.retry_seconds = retry_seconds
        self.ready = False
        self._conn: asyncpg.Connection | None = None
        # asyncpg runs one query at a time per connection.
        self._lock = asyncio.Lock()
        self._closing = False
        self._reconnecting: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._connect()

    async def _connect(self) -> None:
        conn = await asyncpg.connect(
            self.dsn, timeout=CONNECT_TIMEOUT, server_settings={"application_name": APP_NAME}
        )
        try:
            await conn.add_listener(self.channel, self._on_notify)
        except BaseException:
            conn.terminate()
            raise
        conn.add_termination_listener(self._on_terminated)
        self._conn = conn
        self.ready = True
        self.on_ready()

    async def notify(self, event: dict[str, Any]) -> None:
        """Send an event outside any transaction (presence); dropped while reconnecting."""
        conn = self._conn
        if conn is None or not self.ready:
            return
        async with self._lock:
            try:
                await conn.execute("SELECT pg_notify($1, $2)", self.channel, encode_payload(event))
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                log.warning("relay: could not notify: %s", exc)

    async def stop(self) -> None:
        self._closing = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        if self._conn is not None:
            async with self._lock:
                await self._conn.close()
        self.ready = False

    def _on_notify(self, conn: object, pid: int, channel: str, payload: object) -> None:
        try:
            event = json.loads(str(payload))
        except json.JSONDecodeError:
            log.warning("relay: ignored a payload that is not JSON: %.80s", payload)
            return
        if isinstance(event, dict):
            self.sink(event)

    def _on_terminated(self, conn: object) -> None:
        self.ready = False
        self._conn = None
        if self._closing:
            return
        log.warning("relay: lost the LISTEN connection; reconnecting")
        self.on_lost()
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        failures = 0
        while not self._closing:
            try:
                await self._connect()
                log.info("relay: listening again after %d failed attempts", failures)
                return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                failures += 1
                # Said once, then every minute or so: the retries themselves are frequent.
                if failures == 1 or failures % 120 == 0:
                    log.warning("relay: reconnect failed %d times (%s); retrying", failures, exc)
                await asyncio.sleep(self.retry_seconds)
