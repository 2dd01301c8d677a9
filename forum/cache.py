"""Rendered thread pages kept in memory, dropped when the thread changes."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    etag: str
    expires_at: float


class PageCache:
    """An LRU of rendered pages keyed by (thread id, page).

    Writes in this process drop a thread's pages at once. Another process's writes
    reach this one when the entry's time-to-live runs out, which bounds how stale a
    page can be when several processes serve one database.
    """

    def __init__(
        self, ttl: float, max_entries: int = 2000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._pages: OrderedDict[tuple[int, str], CachedPage] = OrderedDict()

    def get(self, thread_id: int, page: str) -> CachedPage | None:
        key = (thread_id, page)
        entry = self._pages.get(key)
        if entry is None:
            return None
        if entry.expires_at < self.clock():
            del self._pages[key]
            return None
        self._pages.move_to_end(key)
        return entry

    def put(self, thread_id: int, page: str, body: bytes, etag: str) -> None:
        if self.ttl <= 0:
            return
        self._pages[(thread_id, page)] = CachedPage(body, etag, self.clock() + self.ttl)
        self._pages.move_to_end((thread_id, page))
        while len(self._pages) > self.max_entries:
            self._pages.popitem(last=False)

    def invalidate_thread(self, thread_id: int) -> None:
        for key in [key for key in self._pages if key[0] == thread_id]:
            del self._pages[key]

    def clear(self) -> None:
        self._pages.clear()
