"""In-memory caches for the read path: rendered pages, principals, memberships."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from forum import i18n

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


# The read path's types are the domain's; this module names none of them (see DESIGN.md).
P = TypeVar("P")
M = TypeVar("M")
S = TypeVar("S")


@dataclass(frozen=True)
class Entry(Generic[V]):
    value: V
    expires_at: float


class TTLCache(Generic[K, V]):
    """A small LRU whose entries also expire, for data other processes may change."""

    def __init__(
        self, ttl: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[K, Entry[V]] = OrderedDict()

    def get(self, key: K) -> Entry[V] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires_at < self.clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: K, value: V) -> None:
        if self.ttl <= 0:
            return
        self._entries[key] = Entry(value, self.clock() + self.ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def drop(self, key: K) -> None:
        self._entries.pop(key, None)

    def drop_where(self, matches: Callable[[K, V], bool]) -> None:
        for key in [k for k, e in self._entries.items() if matches(k, e.value)]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()


class PerLanguage(Generic[K, V]):
    """A TTLCache whose keys also hold the request's language (forum.i18n).

    What was rendered for a Spanish reader is only ever handed to another Spanish
    reader, and callers need not name the language.
    """

    def __init__(self, ttl: float, max_entries: int = 10_000) -> None:
        self._entries: TTLCache[tuple[K, str], V] = TTLCache(ttl, max_entries)

    def get(self, key: K) -> Entry[V] | None:
        return self._entries.get((key, i18n.current_locale()))

    def put(self, key: K, value: V) -> None:
        self._entries.put((key, i18n.current_locale()), value)

    def drop_where(self, matches: Callable[[K, V], bool]) -> None:
        """Drop in every language."""
        self._entries.drop_where(lambda key, value: matches(key[0], value))

    def clear(self) -> None:
        self._entries.clear()


class Pending(Generic[K, V]):
    """Builds under way, by key and the request's language (see PerLanguage)."""

    def __init__(self) -> None:
        self._futures: dict[tuple[K, str], asyncio.Future[V]] = {}

    def get(self, key: K) -> asyncio.Future[V] | None:
        return self._futures.get((key, i18n.current_locale()))

    def __setitem__(self, key: K, future: asyncio.Future[V]) -> None:
        self._futures[(key, i18n.current_locale())] = future

    def pop(self, key: K, default: asyncio.Future[V] | None = None) -> asyncio.Future[V] | None:
        return self._futures.pop((key, i18n.current_locale()), default)


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    etag: str


class PageCache(PerLanguage[tuple[int, str], CachedPage]):
    """Rendered anonymous pages keyed by (thread id, page), in each language apart.

    Writes in this process drop a thread's pages at once. Another process's writes
    reach this one when the entry's time-to-live runs out, which bounds how stale a
    page can be when several processes serve one database.
    """

    def __init__(self, ttl: float) -> None:
        super().__init__(ttl, max_entries=2000)

    def invalidate_thread(self, thread_id: int) -> None:
        self.drop_where(lambda key, _: key[0] == thread_id)


class RemembersBlocks(Protocol):
    """The part of the read cache that boundaries use: whom each member blocked."""

    blocked: TTLCache[int, frozenset[int]]


class ReadCache(Generic[P, M, S]):
    """What the read path may reuse for a few seconds: principals, memberships, threads.

    Writes in this process drop the affected entries when they commit; writes in other
    processes show once `ttl` seconds have passed. Writes never read from here.
    """

    def __init__(self, ttl: float, principal_id: Callable[[P], int]) -> None:
        self.principal_id = principal_id  # which member a remembered principal is
        self.principals: TTLCache[tuple[str, str], P] = TTLCache(ttl)
        self.memberships: TTLCache[tuple[int, int], M | None] = TTLCache(ttl)
        # Rendered posts: in the language they were rendered in (forum.i18n).
        self.threads: PerLanguage[tuple[int, str], S] = PerLanguage(ttl, 2000)
        # Whom each member blocked (forum.accounts.boundaries), for their reads.
        self.blocked: TTLCache[int, frozenset[int]] = TTLCache(ttl)
        self.building: Pending[tuple[int, str], S] = Pending()
        self._generations: dict[int, int] = {}

    def generation(self, thread_id: int) -> int:
        """Changes whenever the thread is forgotten; a build that saw an older one is stale."""
        return self._generations.get(thread_id, 0)

    def forget_thread(self, thread_id: int) -> None:
        self._generations[thread_id] = self.generation(thread_id) + 1
        self.threads.drop_where(lambda key, _: key[0] == thread_id)

    def forget_user(self, user_id: int) -> None:
        self.principals.drop_where(lambda _, user: self.principal_id(user) == user_id)
        self.blocked.drop(user_id)
        # Access events (forum.events.access_changed) call this on every process: a member
        # removed from a private circle stops reading it everywhere at once.
        self.memberships.drop_where(lambda key, _: key[1] == user_id)

    def forget_membership(self, circle_id: int, user_id: int) -> None:
        self.memberships.drop((circle_id, user_id))
