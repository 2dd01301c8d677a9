"""Supportive reactions on posts: who may give them, and what the author sees.

Members of the circle (who accepted its ground rules) may react to someone else's
published post. Everyone who can read the thread sees the counts; only the author sees
who reacted, and the author can turn reactions off on their own post (those already
given stay stored, but are neither shown nor counted until turned back on). Members who
blocked each other, either way, can't react to each other's posts. There is no downvote.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.blocks import is_blocked_between
from forum.accounts.models import User
from forum.accounts.service import require_not_muted
from forum.circles import service as circles
from forum.circles.service import CircleView
from forum.errors import Conflict, Forbidden, NotFound
from forum.i18n import N_, _
from forum.reactions import repository as reactions
from forum.reactions.kinds import KINDS, Counts, check_kind, ordered
from forum.reactions.models import PostReaction
from forum.threads import repository, service
from forum.threads.models import Post, PostStatus, Thread

NO_POST = N_("That post doesn't exist.")
NOT_PUBLISHED = N_("Reactions are for published posts; this one isn't published.")
OWN_POST = N_("You can't react to your own post.")
TURNED_OFF = N_("The author has turned reactions off on this post.")
BLOCKED = N_("You can't react to this member's posts.")
ONLY_AUTHOR = N_("Only the post's author can see who reacted.")


@dataclass(frozen=True)
class PostReactions:
    post: Post
    thread: Thread
    counts: Counts  # every kind, zero included; all zero while turned off
    mine: frozenset[str]
    # (kind, display name) for each reaction, for the author only; else None.
    who: list[tuple[str, str]] | None = None


def reactions_json(found: PostReactions) -> dict[str, object]:
    data: dict[str, object] = {
        "post_id": found.post.id,
        "enabled": not found.post.reactions_off,
        "counts": found.counts,
        "mine": sorted(found.mine),
    }
    if found.who is not None:
        data["who"] = [
            {"kind": kind, "label": KINDS[kind][1], "display_name": name}
            for kind, name in found.who
        ]
    return data


async def _readable_post(
    db: AsyncSession, post_id: int, user: User
) -> tuple[Post, Thread, CircleView]:
    """The post if this member may read its thread (404 otherwise, as the thread page)."""
    found = await repository.get_post_with_thread(db, post_id)
    if found is None:
        raise NotFound(_(NO_POST))
    post, thread, _view = found
    _thread, view = await service.get_thread_or_404(db, thread.id, user)
    if post.status != PostStatus.PUBLISHED and post.author_id != user.id:
        raise NotFound(_(NO_POST))
    return post, thread, view


async def _state(db: AsyncSession, post: Post, thread: Thread, user: User) -> PostReactions:
    counts, mine = await reactions.summary(db, PostReaction, [post.id], user.id)
    shown: Counts = {} if post.reactions_off else counts.get(post.id, {})
    who = (
        await reactions.who(db, PostReaction, post.id, user.id)
        if post.author_id == user.id
        else None
    )
    return PostReactions(post, thread, ordered(shown), frozenset(mine.get(post.id, ())), who)


async def post_reactions(db: AsyncSession, post_id: int, user: User) -> PostReactions:
    post, thread, _view = await _readable_post(db, post_id, user)
    return await _state(db, post, thread, user)


async def react(
    db: AsyncSession, post_id: int, user: User, kind: str, given: bool | None
) -> PostReactions:
    """Give (`given`) or take back one reaction; doing either twice changes nothing more.
    `given` None (the page's toggle button) gives it unless this member already has."""
    check_kind(kind)
    post, thread, view = await _readable_post(db, post_id, user)
    if given is None:
        mine = await reactions.given_by(db, PostReaction, [post.id], user.id)
        given = kind not in mine.get(post.id, set())
    if given:
        await circles.require_can_write(db, view, user)
        require_not_muted(user)
        if post.status != PostStatus.PUBLISHED or thread.status != PostStatus.PUBLISHED:
            raise Conflict(_(NOT_PUBLISHED), code="not_published")
        if post.author_id == user.id:
            raise Forbidden(_(OWN_POST), code="own_post")
        if post.reactions_off:
            raise Forbidden(_(TURNED_OFF), code="reactions_off")
        if post.author_id is not None and await is_blocked_between(db, user.id, post.author_id):
            raise Forbidden(_(BLOCKED), code="blocked")
        await reactions.add(db, PostReaction, post.id, user.id, kind)
    else:
        await reactions.remove(db, PostReaction, post.id, user.id, kind)
    return await _state(db, post, thread, user)


async def own_post(db: AsyncSession, post_id: int, user: User) -> tuple[Post, Thread]:
    """The member's own post (404 to those who can't read it, 403 to other readers)."""
    post, thread, _view = await service.get_own_post_or_404(db, post_id, user)
    return post, thread


async def set_enabled(
    db: AsyncSession, post: Post, thread: Thread, user: User, enabled: bool
) -> PostReactions:
    post.reactions_off = not enabled
    await db.flush()
    return await _state(db, post, thread, user)


def require_author(found: PostReactions, user: User) -> None:
    if found.post.author_id != user.id:
        raise Forbidden(_(ONLY_AUTHOR), code="not_author")
