"""What the review queue can point at. Each kind of content registers how to load and change it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class ContentInfo:
    content_type: str
    content_id: int
    circle_id: int
    author_id: int | None
    status: str
    body_html: str
    title: str | None = None  # the thread's title, when the content opens a thread
    thread_id: int | None = None
    link: str = ""
    removed_by: str | None = None
    # False while the conversation it belongs to is itself held, rejected or removed.
    in_public_thread: bool = True


class ContentKind(Protocol):
    async def load(self, db: AsyncSession, content_id: int) -> ContentInfo | None: ...

    async def set_status(
        self,
        db: AsyncSession,
        content_id: int,
        status: str,
        moderation: dict[str, Any] | None,
    ) -> ContentInfo: ...


KINDS: dict[str, ContentKind] = {}


def register(content_type: str, kind: ContentKind) -> None:
    KINDS[content_type] = kind


# Content reviewed as another kind: its id resolves to that kind's id (None: no such thing).
Resolve = Callable[[AsyncSession, int], Awaitable[int | None]]
ALIASES: dict[str, tuple[str, Resolve]] = {}


def register_alias(content_type: str, stands_for: str, resolve: Resolve) -> None:
    ALIASES[content_type] = (stands_for, resolve)
