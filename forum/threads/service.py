"""Starting threads, replying, editing and deleting one's own posts, reading pages."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from forum import names
from forum.accounts.boundaries import Boundaries
from forum.accounts.models import User
from forum.accounts.service import require_not_muted
from forum.circle_moderation.service import refuse_blocked
from forum.circles import service as circles
from forum.circles.service import CircleView
from forum.content_warnings import check_warnings, screened_warnings
from forum.db import utcnow
from forum.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound
from forum.i18n import N_, _, number
from forum.review import service as review
from forum.threads import repository
from forum.threads.content import post_info, recount_reply
from forum.threads.models import Post, PostRevision, PostStatus, Thread
from forum.threads.notices import tell_of_mentions, tell_of_reply
from moderation.content_warnings import ordered
from moderation.decision import Policy
from moderation.pipeline import Assessment, Screener
from moderation.sanitize import render_markdown

MAX_TITLE = 200
MAX_BODY = 20_000
FORMER_MEMBER = N_("a former member")


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
class Written:
    """A new or edited post, with what the moderation pipeline made of it."""

    thread: Thread
    post: Post
    assessment: Assessment


@dataclass(frozen=True)
class ThreadSummary:
    thread: Thread
    author_name: str
    muted: bool = False  # the title has one of the reader's muted words


def encode_cursor(*parts: object) -> str:
    raw = "|".join(p.isoformat() if isinstance(p, datetime) else str(p) for p in parts)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded.encode()).decode().split("|")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest(_("That page link is not valid."), code="bad_cursor") from None


def decode_post_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    parts = _decode_cursor(cursor)
    if len(parts) != 1 or not re.fullmatch(r"[0-9]{1,18}", parts[0]):
        raise BadRequest(_("That page link is not valid."), code="bad_cursor")
    return int(parts[0])


def decode_thread_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    parts = _decode_cursor(cursor)
    try:
        return datetime.fromisoformat(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        raise BadRequest(_("That page link is not valid."), code="bad_cursor") from None


def check_title(title: str) -> str:
    # As sent, too (the documented limit): cleaning may shorten a title, never lengthen
    # what was accepted.
    if len(title) > MAX_TITLE:
        raise Invalid(
            _("A title is 3 to %(max_title)s characters.") % {"max_title": MAX_TITLE}, field="title"
        )
    title = names.clean(title)
    if not 3 <= len(title) <= MAX_TITLE:
        raise Invalid(
            _("A title is 3 to %(max_title)s characters.") % {"max_title": MAX_TITLE}, field="title"
        )
    return title


def _replaced_title(title: str) -> str:
    if len(title) > MAX_TITLE:
        raise Invalid(
            _(
                "With this circle's word replacements the title would be longer than %(max_title)s "
                "characters. Please shorten it."
            )
            % {"max_title": MAX_TITLE},
            field="title",
        )
    return title


def check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise Invalid(_("Please write something before posting."), field="body")
    if len(body) > MAX_BODY:
        raise Invalid(
            _("Posts can be at most %(max_body)s characters; this one has %(length)s.")
            % {"max_body": number(MAX_BODY), "length": number(len(body))},
            field="body",
        )
    return body


def _warnings(chosen: Sequence[str], assessment: Assessment) -> list[str] | None:
    """The author's warnings and those the circle's watched words add; None for none."""
    return list(screened_warnings(chosen, assessment)) or None


def _stored_body(body: str, assessment: Assessment) -> str:
    """What is kept: the body with the circle's replacements; a blocked word stops here."""
    refuse_blocked(assessment)
    return assessment.watched.source if assessment.watched.changed else body


def _status_for(assessment: Assessment) -> PostStatus:
    return PostStatus.PENDING if assessment.decision.held else PostStatus.PUBLISHED


def _author_note(assessment: Assessment) -> dict[str, object] | None:
    reasons = [r.to_dict() for r in assessment.decision.reasons]
    if not reasons:
        return None
    return {"held": assessment.decision.held, "reasons": reasons}


async def _screen(screener: Screener, view: CircleView, text: str) -> Assessment:
    return await screener.screen(text, Policy.from_dict(view.circle.moderation_policy))


async def start_thread(
    db: AsyncSession,
    user: User,
    view: CircleView,
    title: str,
    body: str,
    screener: Screener,
    warnings: Sequence[str] = (),
) -> Written:
    """Open a thread; the title and first post pass the moderation pipeline together."""
    await circles.require_can_write(db, view, user)
    require_not_muted(user)
    title, body, chosen = check_title(title), check_body(body), check_warnings(warnings)
    policy = Policy.from_dict(view.circle.moderation_policy)
    assessment = await screener.screen(f"{title}\n\n{body}", policy)
    # A title never holds a blank line and replacements never span lines: split it back.
    _title, _gap, body = _stored_body(f"{title}\n\n{body}", assessment).partition("\n\n")
    if assessment.watched.changed:
        # Titles are plain text, not Markdown: their replacements are made as written.
        title = _replaced_title(policy.watched.review(title, title, markdown=False).source)
    status = _status_for(assessment)
    now = utcnow()
    thread = Thread(
        circle_id=view.circle.id,
        author_id=user.id,
        title=title,
        created_at=now,
        last_post_at=now,
        status=status,
    )
    db.add(thread)
    await db.flush()
    post = Post(
        thread_id=thread.id,
        author_id=user.id,
        body=body,
        body_html=render_markdown(body),
        status=status,
        moderation=_author_note(assessment),
        content_warnings=_warnings(chosen, assessment),
        created_at=now,
    )
    db.add(post)
    await db.flush()
    await review.enqueue(db, post_info(post, thread, view.circle.id, True), assessment)
    await tell_of_mentions(db, post, thread, view.circle, opens_thread=True)
    return Written(thread, post, assessment)


async def reply(
    db: AsyncSession,
    user: User,
    thread: Thread,
    view: CircleView,
    body: str,
    screener: Screener,
    warnings: Sequence[str] = (),
) -> Written:
    await circles.require_can_write(db, view, user)
    require_not_muted(user)
    body, chosen = check_body(body), check_warnings(warnings)
    assessment = await _screen(screener, view, body)
    body = _stored_body(body, assessment)
    now = utcnow()
    post = Post(
        thread_id=thread.id,
        author_id=user.id,
        body=body,
        body_html=render_markdown(body),
        status=_status_for(assessment),
        moderation=_author_note(assessment),
        content_warnings=_warnings(chosen, assessment),
        created_at=now,
    )
    db.add(post)
    if post.status == PostStatus.PUBLISHED:
        thread.last_post_at = now
        thread.reply_count += 1
    await db.flush()
    await review.enqueue(db, post_info(post, thread, view.circle.id, False), assessment)
    await tell_of_reply(db, post, thread, view.circle)
    await tell_of_mentions(db, post, thread, view.circle, opens_thread=False)
    return Written(thread, post, assessment)


async def get_thread_or_404(
    db: AsyncSession, thread_id: int, user: User | None
) -> tuple[Thread, CircleView]:
    found = await repository.get_thread_with_circle(db, thread_id)
    if found is None:
        raise NotFound(_("That thread doesn't exist, or has been removed."))
    thread, circle = found
    view = await _circle_view(db, circle.slug, user)
    hidden = thread.status != PostStatus.PUBLISHED and not (
        user is not None and (user.id == thread.author_id or user.is_staff)
    )
    if hidden:
        raise NotFound(_("That thread doesn't exist, or has been removed."))
    return thread, view


async def _circle_view(db: AsyncSession, slug: str, user: User | None) -> CircleView:
    try:
        return await circles.get_circle_view_or_404(db, slug, user)
    except NotFound:
        raise NotFound(_("That thread doesn't exist, or has been removed.")) from None


async def get_own_post_or_404(
    db: AsyncSession, post_id: int, user: User
) -> tuple[Post, Thread, CircleView]:
    found = await repository.get_post_with_thread(db, post_id)
    if found is None:
        raise NotFound(_("That post doesn't exist."))
    post, thread, circle = found
    view = await _circle_view(db, circle.slug, user)
    if post.author_id != user.id:
        raise Forbidden(_("You can only change your own posts."), code="not_author")
    if post.status == PostStatus.REMOVED:
        raise Conflict(_("That post has been removed."), code="post_removed")
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
    posts = [PostView(post, name or _(FORMER_MEMBER)) for post, name in rows[:page_size]]
    next_cursor = encode_cursor(posts[-1].post.id) if len(rows) > page_size else None
    return ThreadPage(thread, view, posts, next_cursor)


async def list_threads(
    db: AsyncSession,
    view: CircleView,
    cursor: str | None,
    page_size: int,
    boundaries: Boundaries | None = None,
) -> tuple[list[ThreadSummary], str | None]:
    """A page of the circle's threads as this reader sees them: none started by members
    they blocked, and titles with their muted words marked to be collapsed."""
    hidden = boundaries.blocked if boundaries is not None else frozenset()
    rows = await repository.list_threads(
        db, view.circle.id, decode_thread_cursor(cursor), page_size + 1, hidden
    )
    threads = [
        ThreadSummary(
            thread,
            name or _(FORMER_MEMBER),
            boundaries is not None and boundaries.mutes(thread.title, thread.author_id),
        )
        for thread, name in rows[:page_size]
    ]
    next_cursor = None
    if len(rows) > page_size:
        last = threads[-1].thread
        next_cursor = encode_cursor(last.last_post_at, last.id)
    return threads, next_cursor


async def edit_post(
    db: AsyncSession,
    user: User,
    post: Post,
    thread: Thread,
    view: CircleView,
    body: str,
    screener: Screener,
    warnings: Sequence[str] | None = None,
) -> Written | None:
    """Edit one's own post, keeping the old text; the new text is screened again.

    `warnings` None keeps the post's content warnings; None is also the answer when only
    they changed (nothing to screen).
    """
    await circles.require_can_write(db, view, user)
    require_not_muted(user)
    if post.status == PostStatus.REJECTED:
        # The moderator's decision and the rule they cited stay with what they read.
        raise Conflict(
            _(
                "A moderator didn't publish this post, so it can't be edited. "
                "You can delete it and write a new one."
            ),
            code="post_rejected",
        )
    body = check_body(body)
    chosen = (post.content_warnings or ()) if warnings is None else check_warnings(warnings)
    if body == post.body:
        watched = Policy.from_dict(view.circle.moderation_policy).watched.review(body)
        new = list(ordered([*chosen, *watched.warnings])) or None
        if new != post.content_warnings:
            post.content_warnings = new
            await db.flush()
        return None
    assessment = await _screen(screener, view, body)
    body = _stored_body(body, assessment)
    before = post.body
    db.add(PostRevision(post_id=post.id, body=post.body, body_html=post.body_html))
    post.body = body
    post.body_html = render_markdown(body)
    post.edited_at = utcnow()
    post.moderation = _author_note(assessment)
    post.content_warnings = _warnings(chosen, assessment)
    opens_thread = await repository.first_post_id(db, thread.id) == post.id
    if assessment.decision.held:
        if not opens_thread:
            recount_reply(thread, post, PostStatus.PENDING)
        post.status = PostStatus.PENDING
    await db.flush()
    await review.enqueue(db, post_info(post, thread, view.circle.id, opens_thread), assessment)
    await tell_of_mentions(db, post, thread, view.circle, opens_thread, before=before)
    return Written(thread, post, assessment)


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
