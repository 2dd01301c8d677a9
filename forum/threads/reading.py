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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import jinja2
from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.boundaries import Boundaries
from forum.accounts.models import User
from forum.cache import ReadCache
from forum.circles import repository as circles_repository
from forum.circles.models import Circle, Membership
from forum.circles.service import CircleView
from forum.config import Settings
from forum.content_warnings import wrappers_for
from forum.errors import NotFound
from forum.i18n import N_, _, current_locale, reasons_said
from forum.reactions import repository as reactions
from forum.reactions.kinds import ordered
from forum.reactions.models import PostReaction
from forum.threads import post_pieces, reaction_bar, repository, service
from forum.threads.models import PostStatus, Thread
from forum.threads.service import ThreadPage


@dataclass(frozen=True)
class PostSlot:
    """One post's slot: whose it is, and what every other signed-in reader sees there.

    Controls are stored as the parts either side of the reader's CSRF token (joined with
    it when served). A published post also remembers where its body sits in the piece
    before the slot, so a reader's boundaries can collapse or replace just the body.
    """

    author_id: int | None
    post_id: int
    # Others see a report link on published posts (and a block control when the author
    # is still a member), else nothing.
    for_others: tuple[bytes, ...]
    # The author's edit and delete controls.
    for_author: tuple[bytes, bytes] | None
    body_span: tuple[int, int] | None = None  # UTF-8 offsets of the published body
    text: str = ""  # the published body as written, for muted words
    # Its content warnings: the body (body_span) is wrapped as each reader chose.
    warnings: tuple[str, ...] = ()
    # Supportive reactions: (kind, count) for each kind given, in KINDS order; and
    # whether the author turned them off (then nothing is counted or offered).
    reactions: tuple[tuple[str, int], ...] = ()
    reactions_off: bool = False


@dataclass(frozen=True)
class ThreadSnapshot:
    thread: Thread
    circle: Circle
    slots: tuple[PostSlot, ...]
    pieces: tuple[bytes, ...]  # rendered posts (UTF-8), split at the slots: len(slots) + 1
    api_body: bytes
    next_cursor: str | None
    # Members with posts here that others can't see (held, rejected, removed): their
    # view of the thread is personal, so it is read from the database, not the snapshot.
    personal: frozenset[int]


@dataclass(frozen=True)
class ThreadRead:
    snapshot: ThreadSnapshot
    view: CircleView


NOT_FOUND = N_("That thread doesn't exist, or has been removed.")

Reads = ReadCache[User, Membership, ThreadSnapshot]


class Reader(Protocol):
    """What the read path needs of the running app (the web layer's AppState)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def templates(self) -> jinja2.Environment: ...

    @property
    def read_cache(self) -> Reads: ...


async def _membership(
    db: AsyncSession, cache: Reads, circle_id: int, user: User | None
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
    app: Reader,
    thread_id: int,
    cursor: str,
    viewer: User | None,
    post_json: Callable[..., dict[str, object]],
) -> ThreadSnapshot:
    found = await repository.get_thread_with_circle(db, thread_id)
    if found is None:
        raise NotFound(_(NOT_FOUND))
    thread, circle = found
    view = CircleView(circle, None)
    page = await service.read_thread_page(db, thread, view, viewer, cursor, app.settings.page_size)
    personal = await repository.authors_with_unpublished_posts(db, thread.id)
    shown = [
        p.post.id
        for p in page.posts
        if p.post.status == PostStatus.PUBLISHED and not p.post.reactions_off
    ]
    counts = await reactions.counts(db, PostReaction, shown)
    html = app.templates.get_template("_posts.html").render(
        posts=page.posts,
        viewer_id=viewer.id if viewer else None,
        slot=Markup(post_pieces.SLOT),
        body_open=Markup(post_pieces.BODY_OPEN),
        body_close=Markup(post_pieces.BODY_CLOSE),
    )
    pieces, spans = post_pieces.split_pieces(html)
    posts = []
    for p in page.posts:
        data = post_json(p.post, p.author_name)
        if p.post.id in shown:
            data["reactions"] = ordered(counts.get(p.post.id, {}))
        if viewer is not None and p.post.author_id == viewer.id and p.post.moderation:
            stored = p.post.moderation  # its reasons worded in the reader's language
            data["moderation"] = {**stored, "reasons": reasons_said(stored.get("reasons", []))}
        posts.append(data)
    for obj in (thread, circle):
        db.expunge(obj)
    return ThreadSnapshot(
        thread=thread,
        circle=circle,
        slots=tuple(
            PostSlot(
                p.post.author_id,
                p.post.id,
                post_pieces.others_actions(p.post.id, p.post.author_id, p.author_name)
                if p.post.status == PostStatus.PUBLISHED
                else (),
                None if p.post.status == PostStatus.REMOVED else post_pieces.own_actions(p.post.id),
                span,
                p.post.body if span is not None else "",
                # Only a published post's body has markers (a span), so only it is wrapped.
                tuple(p.post.content_warnings or ()) if span is not None else (),
                tuple((k, n) for k, n in ordered(counts.get(p.post.id, {})).items() if n),
                p.post.reactions_off,
            )
            for p, span in zip(page.posts, spans, strict=True)
        ),
        pieces=pieces,
        api_body=thread_api_body(page, posts),
        next_cursor=page.next_cursor,
        personal=frozenset(personal),
    )


def _visible_to(snapshot: ThreadSnapshot, user: User | None) -> bool:
    if snapshot.thread.status == PostStatus.PUBLISHED:
        return True
    return user is not None and (user.id == snapshot.thread.author_id or user.is_staff)


async def _shared_build(
    db: AsyncSession,
    app: Reader,
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
    app: Reader,
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
        raise NotFound(_(NOT_FOUND))
    if not _visible_to(snapshot, user):
        raise NotFound(_(NOT_FOUND))
    if user is not None and user.id in snapshot.personal:
        snapshot = await _build(db, app, thread_id, cursor, user, post_json)
    return ThreadRead(snapshot, CircleView(circle, membership))


def _covered(slot: PostSlot, boundaries: Boundaries | None) -> str | None:
    """Whether this reader's boundaries cover the post: "blocked", "muted" or None."""
    if boundaries is None or slot.body_span is None or slot.author_id == boundaries.viewer_id:
        return None
    if boundaries.hides_author(slot.author_id):
        return "blocked"
    if boundaries.mutes(slot.text, slot.author_id):
        return "muted"
    return None


def _post_for(
    slot: PostSlot, piece: bytes, covered: str | None, warned: tuple[bytes, bytes] | None
) -> tuple[bytes, ...]:
    """Piece i with post i's body as this reader sees it: as written, collapsed or hidden,
    and under its content warnings as the reader chose."""
    if slot.body_span is None or (covered is None and warned is None):
        return (piece,)
    start, end = slot.body_span
    if covered == "blocked":
        return piece[:start], post_pieces.blocked_note(current_locale()), piece[end:]
    body: tuple[bytes, ...] = (piece[start:end],)
    if warned is not None:
        body = (warned[0], *body, warned[1])
    if covered == "muted":
        body = (post_pieces.muted_open(current_locale()), *body, post_pieces.MUTED_CLOSE)
    return piece[:start], *body, piece[end:]


def posts_html(
    snapshot: ThreadSnapshot,
    user: User | None,
    csrf_token: str,
    boundaries: Boundaries | None = None,
    reacting: reaction_bar.Reacting | None = None,
) -> bytes:
    """The page's posts for this viewer: their own get edit and delete, others' a report link
    and a block control; posts the viewer's boundaries cover are collapsed or hidden, and
    warned posts are shown as the viewer chose (anonymous readers get the defaults).
    Reactions are counted for everyone and offered as buttons to the circle's members."""
    plain = not any(slot.warnings or slot.reactions for slot in snapshot.slots)
    if user is None and plain:
        return b"".join(snapshot.pieces)
    token = str(escape(csrf_token)).encode()
    if boundaries is not None and not boundaries.active:
        boundaries = None
    prefs = user.content_warning_prefs if user is not None else None
    parts: list[bytes] = []
    for slot, piece in zip(snapshot.slots, snapshot.pieces, strict=False):
        covered = _covered(slot, boundaries)
        warned = None
        if slot.warnings:
            is_author = user is not None and slot.author_id == user.id
            warned = wrappers_for(slot.warnings, prefs, is_author)
        parts += _post_for(slot, piece, covered, warned)
        if slot.body_span is not None and covered != "blocked":
            parts.append(
                reaction_bar.for_reader(
                    slot.post_id,
                    slot.author_id,
                    slot.reactions,
                    slot.reactions_off,
                    user.id if user else None,
                    token,
                    reacting,
                )
            )
        if user is None:
            continue
        if slot.author_id != user.id:
            blocked = covered == "blocked"
            parts.append(
                token.join(
                    post_pieces.unblock_actions(slot.post_id) if blocked else slot.for_others
                )
            )
        elif slot.for_author is not None:
            parts.append(token.join(slot.for_author))
    parts.append(snapshot.pieces[-1])
    return b"".join(parts)


def api_body(snapshot: ThreadSnapshot, boundaries: Boundaries | None) -> bytes:
    """The API's page for this reader: posts by members they blocked lose their words
    (`"blocked": true`); posts with their muted words say `"muted": true` for the client
    to collapse."""
    if boundaries is None or not boundaries.active:
        return snapshot.api_body
    changes = {
        index: covered
        for index, slot in enumerate(snapshot.slots)
        if (covered := _covered(slot, boundaries)) is not None
    }
    title = title_hidden(snapshot.thread, boundaries)
    if not changes and title is None:
        return snapshot.api_body
    data = json.loads(snapshot.api_body)
    for index, covered in changes.items():
        post = data["posts"][index]
        post[covered] = True
        if covered == "blocked":
            post["body_html"] = ""
    if title == "blocked":
        data["title"], data["blocked"] = "", True
    elif title == "muted":
        data["title_muted"] = True
    return json.dumps(data, separators=(",", ":")).encode()


def title_hidden(thread: Thread, boundaries: Boundaries | None) -> str | None:
    """Why this reader doesn't see the thread's title ("blocked", "muted"), or None."""
    if boundaries is None or thread.author_id == boundaries.viewer_id:
        return None
    if boundaries.hides_author(thread.author_id):
        return "blocked"
    if boundaries.mutes(thread.title, thread.author_id):
        return "muted"
    return None
