"""The thread read path: one snapshot per thread page, shared by every viewer.

Reads outnumber writes by far. A snapshot holds a page's posts already rendered (for
the thread page) and serialised (for the API), with a slot in each post for what only
the viewer sees (edit and delete on their own posts, a report form on others'). Serving
a page fills the slots and renders the shell; the database is only asked when the
snapshot is cold, or when the viewer has posts in the thread that others cannot see.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.cache import ReadCache
from forum.circles import repository as circles_repository
from forum.circles.models import Circle, Membership
from forum.circles.service import CircleView
from forum.content_warnings import wrappers_for
from forum.errors import NotFound
from forum.state import AppState
from forum.threads import repository, service
from forum.threads.models import Post, PostStatus, Thread
from forum.threads.service import ThreadPage

SLOT = "<!--circles:slot-->"  # bleach strips comments from posts, so only we write this
# Either side of a published post's body when it carries content warnings: how it is shown
# (with its warning, blurred, hidden) is each reader's own choice.
CW_OPEN, CW_CLOSE = "<!--circles:cw-open-->", "<!--circles:cw-close-->"
_MARKERS = re.compile("|".join(re.escape(m) for m in (SLOT, CW_OPEN, CW_CLOSE)))


@dataclass(frozen=True)
class PostSlot:
    """One post's slot: whose it is, and what every other signed-in reader sees there."""

    author_id: int | None
    for_others: bytes  # a report link on published posts, else nothing
    # The author's edit and delete controls, either side of their CSRF token.
    for_author: tuple[bytes, bytes] | None
    # The post's content warnings when its body is wrapped per reader (CW_OPEN, CW_CLOSE).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThreadSnapshot:
    thread: Thread
    circle: Circle
    slots: tuple[PostSlot, ...]
    # Rendered posts (UTF-8), split at the slots, and for warned posts also either side of
    # the body: len(slots) + 1 + 2 per slot with warnings.
    pieces: tuple[bytes, ...]
    api_body: bytes
    next_cursor: str | None
    # Members with posts here that others can't see (held, rejected, removed): their
    # view of the thread is personal, so it is read from the database, not the snapshot.
    personal: frozenset[int]


@dataclass(frozen=True)
class ThreadRead:
    snapshot: ThreadSnapshot
    view: CircleView


NOT_FOUND = "That thread doesn't exist, or has been removed."


async def _membership(
    db: AsyncSession, cache: ReadCache, circle_id: int, user: User | None
) -> Membership | None:
    if user is None:
        return None
    key = (circle_id, user.id)
    if (entry := cache.memberships.get(key)) is not None:
        return entry.value
    membership = await circles_repository.get_membership(db, circle_id, user.id)
    if membership is not None:
        db.expunge(membership)
    cache.memberships.put(key, membership)
    return membership


def thread_api_body(page: ThreadPage, posts: list[dict[str, object]]) -> bytes:
    circle = page.view.circle
    return json.dumps(
        {
            "id": page.thread.id,
            "title": page.thread.title,
            "circle": {"slug": circle.slug, "name": circle.name},
            "created_at": page.thread.created_at.isoformat(),
            "posts": posts,
            "next_cursor": page.next_cursor,
        },
        separators=(",", ":"),
    ).encode()


async def _build(
    db: AsyncSession,
    app: AppState,
    thread_id: int,
    cursor: str,
    viewer: User | None,
    post_json: Callable[..., dict[str, object]],
) -> ThreadSnapshot:
    found = await repository.get_thread_with_circle(db, thread_id)
    if found is None:
        raise NotFound(NOT_FOUND)
    thread, circle = found
    view = CircleView(circle, None)
    page = await service.read_thread_page(db, thread, view, viewer, cursor, app.settings.page_size)
    personal = await repository.authors_with_unpublished_posts(db, thread.id)
    html = app.templates.get_template("_posts.html").render(
        posts=page.posts,
        viewer_id=viewer.id if viewer else None,
        slot=Markup(SLOT),
        cw_open=Markup(CW_OPEN),
        cw_close=Markup(CW_CLOSE),
    )
    posts = []
    for p in page.posts:
        data = post_json(p.post, p.author_name)
        if viewer is not None and p.post.author_id == viewer.id and p.post.moderation:
            data["moderation"] = p.post.moderation
        posts.append(data)
    for obj in (thread, circle):
        db.expunge(obj)
    return ThreadSnapshot(
        thread=thread,
        circle=circle,
        slots=tuple(
            PostSlot(
                p.post.author_id,
                _report_link(p.post.id, p.author_name)
                if p.post.status == PostStatus.PUBLISHED
                else b"",
                None if p.post.status == PostStatus.REMOVED else _own_actions(p.post.id),
                _wrapped_warnings(p.post),
            )
            for p in page.posts
        ),
        pieces=tuple(piece.encode() for piece in _MARKERS.split(html)),
        api_body=thread_api_body(page, posts),
        next_cursor=page.next_cursor,
        personal=frozenset(personal),
    )


def _wrapped_warnings(post: Post) -> tuple[str, ...]:
    """Must match _posts.html: only a published post's body is wrapped per reader."""
    if post.status != PostStatus.PUBLISHED:
        return ()
    return tuple(post.content_warnings or ())


def _visible_to(snapshot: ThreadSnapshot, user: User | None) -> bool:
    if snapshot.thread.status == PostStatus.PUBLISHED:
        return True
    return user is not None and (user.id == snapshot.thread.author_id or user.is_staff)


async def _shared_build(
    db: AsyncSession,
    app: AppState,
    thread_id: int,
    cursor: str,
    post_json: Callable[..., dict[str, object]],
) -> ThreadSnapshot:
    """Build a cold snapshot once, however many readers arrive while it is being built."""
    cache = app.read_cache
    key = (thread_id, cursor)
    if (pending := cache.building.get(key)) is not None:
        return await asyncio.shield(pending)
    generation = cache.generation(thread_id)
    future: asyncio.Future[ThreadSnapshot] = asyncio.get_running_loop().create_future()
    cache.building[key] = future
    try:
        snapshot = await _build(db, app, thread_id, cursor, None, post_json)
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # readers who waited get it raised; nobody else needs to
        raise
    finally:
        cache.building.pop(key, None)
    future.set_result(snapshot)
    # A write that landed while this was being built makes it stale: serve it once, don't keep it.
    if snapshot.thread.status == PostStatus.PUBLISHED and generation == cache.generation(thread_id):
        cache.threads.put(key, snapshot)
    return snapshot


async def read_thread(
    db: AsyncSession,
    app: AppState,
    thread_id: int,
    cursor: str,
    user: User | None,
    post_json: Callable[..., dict[str, object]],
) -> ThreadRead:
    """The snapshot this viewer may see; personal views are built fresh and not shared."""
    entry = app.read_cache.threads.get((thread_id, cursor))
    if entry is not None:
        snapshot = entry.value
    else:
        snapshot = await _shared_build(db, app, thread_id, cursor, post_json)
    circle = snapshot.circle
    membership = await _membership(db, app.read_cache, circle.id, user)
    if not circle.is_public and membership is None:
        raise NotFound(NOT_FOUND)
    if not _visible_to(snapshot, user):
        raise NotFound(NOT_FOUND)
    if user is not None and user.id in snapshot.personal:
        snapshot = await _build(db, app, thread_id, cursor, user, post_json)
    return ThreadRead(snapshot, CircleView(circle, membership))


def _report_link(post_id: int, author_name: str) -> bytes:
    return (
        f'<footer class="post-actions"><a href="/posts/{post_id}/report">Report<span '
        f'class="visually-hidden"> this post by {escape(author_name)}</span></a></footer>'
    ).encode()


def _own_actions(post_id: int) -> tuple[bytes, bytes]:
    before = (
        f'<footer class="post-actions"><a href="/posts/{post_id}/edit">Edit</a>'
        f'<form method="post" action="/posts/{post_id}/delete" class="inline-form">'
        '<input type="hidden" name="csrf_token" value="'
    )
    after = '"><button type="submit" class="link-button">Delete</button></form></footer>'
    return before.encode(), after.encode()


def posts_html(snapshot: ThreadSnapshot, user: User | None, csrf_token: str) -> bytes:
    """The page's posts for this viewer: their own get edit and delete, others' a report link.

    Warned posts are shown as this viewer chose (anonymous readers get the defaults).
    """
    if user is None and len(snapshot.pieces) == len(snapshot.slots) + 1:
        return b"".join(snapshot.pieces)
    prefs = user.content_warning_prefs if user is not None else None
    token = str(escape(csrf_token)).encode()
    pieces = iter(snapshot.pieces)
    parts = [next(pieces)]
    for slot in snapshot.slots:
        if slot.warnings:
            is_author = user is not None and slot.author_id == user.id
            before, after = wrappers_for(slot.warnings, prefs, is_author)
            parts += (before, next(pieces), after, next(pieces))
        if user is not None:
            parts += _controls(slot, user, token)
        parts.append(next(pieces))
    return b"".join(parts)


def _controls(slot: PostSlot, user: User, token: bytes) -> tuple[bytes, ...]:
    if slot.author_id != user.id:
        return (slot.for_others,)
    if slot.for_author is not None:
        return (slot.for_author[0], token, slot.for_author[1])
    return ()
