"""Starting threads, replying, editing and deleting one's own posts, reading pages."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.circles import service as circles
from forum.circles.service import CircleView
from forum.db import utcnow
from forum.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound
from forum.threads import repository
from forum.threads.models import Post, PostRevision, PostStatus, Thread
from moderation.sanitize import render_markdown

MAX_TITLE = 200
MAX_BODY = 20_000
FORMER_MEMBER = "a former member"


@dataclass(frozen=True)
class PostView:
    post: Post
    author_name: str

    @property
    def removed_by_author(self) -> bool:
        return self.post.status == PostStatus.REMOVED and self.post.removed_by == "author"


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    view: CircleView
    posts: list[PostView]
    next_cursor: str | None


@dataclass(frozen=True)
class ThreadSummary:
    thread: Thread
    author_name: str


def encode_cursor(*parts: object) -> str:
    raw = "|".join(p.isoformat() if isinstance(p, datetime) else str(p) for p in parts)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded.encode()).decode().split("|")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("That page link is not valid.", code="bad_cursor") from None


def decode_post_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    parts = _decode_cursor(cursor)
    if len(parts) != 1 or not parts[0].isdigit():
        raise BadRequest("That page link is not valid.", code="bad_cursor")
    return int(parts[0])


def decode_thread_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    parts = _decode_cursor(cursor)
    try:
        return datetime.fromisoformat(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        raise BadRequest("That page link is not valid.", code="bad_cursor") from None


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not 3 <= len(title) <= MAX_TITLE:
        raise Invalid(f"A title is 3 to {MAX_TITLE} characters.", field="title")
    return title


def check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise Invalid("Please write something before posting.", field="body")
    if len(body) > MAX_BODY:
        raise Invalid(
            f"Posts can be at most {MAX_BODY:,} characters; this one has {len(body):,}.",
            field="body",
        )
    return body


async def start_thread(
    db: AsyncSession, user: User, view: CircleView, title: str, body: str
) -> tuple[Thread, Post]:
    circles.require_can_post(view)
    title, body = check_title(title), check_body(body)
    now = utcnow()
    thread = Thread(
        circle_id=view.circle.id, author_id=user.id, title=title, created_at=now, last_post_at=now
    )
    db.add(thread)
    await db.flush()
    post = Post(
        thread_id=thread.id,
        author_id=user.id,
        body=body,
        body_html=render_markdown(body),
        status=PostStatus.PUBLISHED,
        created_at=now,
    )
    db.add(post)
    await db.flush()
    return thread, post


async def reply(db: AsyncSession, user: User, thread: Thread, view: CircleView, body: str) -> Post:
    circles.require_can_post(view)
    body = check_body(body)
    now = utcnow()
    post = Post(
        thread_id=thread.id,
        author_id=user.id,
        body=body,
        body_html=render_markdown(body),
        status=PostStatus.PUBLISHED,
        created_at=now,
    )
    db.add(post)
    thread.last_post_at = now
    thread.reply_count += 1
    await db.flush()
    return post


async def get_thread_or_404(
    db: AsyncSession, thread_id: int, user: User | None
) -> tuple[Thread, CircleView]:
    found = await repository.get_thread_with_circle(db, thread_id)
    if found is None:
        raise NotFound("That thread doesn't exist, or has been removed.")
    thread, circle = found
    view = await _circle_view(db, circle.slug, user)
    return thread, view


async def _circle_view(db: AsyncSession, slug: str, user: User | None) -> CircleView:
    try:
        return await circles.get_circle_view_or_404(db, slug, user)
    except NotFound:
        raise NotFound("That thread doesn't exist, or has been removed.") from None


async def get_own_post_or_404(
    db: AsyncSession, post_id: int, user: User
) -> tuple[Post, Thread, CircleView]:
    found = await repository.get_post_with_thread(db, post_id)
    if found is None:
        raise NotFound("That post doesn't exist.")
    post, thread, circle = found
    view = await _circle_view(db, circle.slug, user)
    if post.author_id != user.id:
        raise Forbidden("You can only change your own posts.", code="not_author")
    if post.status == PostStatus.REMOVED:
        raise Conflict("That post has been removed.", code="post_removed")
    return post, thread, view


async def read_thread_page(
    db: AsyncSession,
    thread: Thread,
    view: CircleView,
    viewer: User | None,
    cursor: str | None,
    page_size: int,
) -> ThreadPage:
    after_id = decode_post_cursor(cursor)
    rows = await repository.list_posts(
        db, thread.id, after_id, page_size + 1, viewer.id if viewer else None
    )
    posts = [PostView(post, name or FORMER_MEMBER) for post, name in rows[:page_size]]
    next_cursor = encode_cursor(posts[-1].post.id) if len(rows) > page_size else None
    return ThreadPage(thread, view, posts, next_cursor)


async def list_threads(
    db: AsyncSession, view: CircleView, cursor: str | None, page_size: int
) -> tuple[list[ThreadSummary], str | None]:
    rows = await repository.list_threads(
        db, view.circle.id, decode_thread_cursor(cursor), page_size + 1
    )
    threads = [ThreadSummary(thread, name or FORMER_MEMBER) for thread, name in rows[:page_size]]
    next_cursor = None
    if len(rows) > page_size:
        last = threads[-1].thread
        next_cursor = encode_cursor(last.last_post_at, last.id)
    return threads, next_cursor


async def edit_post(db: AsyncSession, user: User, post: Post, body: str) -> Post:
    body = check_body(body)
    if body == post.body:
        return post
    db.add(PostRevision(post_id=post.id, body=post.body, body_html=post.body_html))
    post.body = body
    post.body_html = render_markdown(body)
    post.edited_at = utcnow()
    await db.flush()
    return post


async def delete_own_post(db: AsyncSession, user: User, post: Post) -> Post:
    """Removes the words, keeps the place in the conversation ("removed by its author")."""
    post.status = PostStatus.REMOVED
    post.removed_by = "author"
    post.body = ""
    post.body_html = ""
    await repository.delete_revisions(db, post.id)
    await db.flush()
    return post


async def post_revisions(db: AsyncSession, post: Post) -> Sequence[PostRevision]:
    return await repository.list_revisions(db, post.id)
