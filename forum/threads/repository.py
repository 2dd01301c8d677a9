"""All SQL about threads, posts and post revisions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.circles.models import Circle
from forum.threads.models import Post, PostRevision, PostStatus, Thread

VISIBLE_TO_ALL = (PostStatus.PUBLISHED, PostStatus.REMOVED)


async def get_thread_with_circle(db: AsyncSession, thread_id: int) -> tuple[Thread, Circle] | None:
    row = await db.execute(
        select(Thread, Circle)
        .join(Circle, Circle.id == Thread.circle_id)
        .where(Thread.id == thread_id)
    )
    found = row.first()
    return (found[0], found[1]) if found else None


async def get_post_with_thread(
    db: AsyncSession, post_id: int
) -> tuple[Post, Thread, Circle] | None:
    row = await db.execute(
        select(Post, Thread, Circle)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Circle, Circle.id == Thread.circle_id)
        .where(Post.id == post_id)
    )
    found = row.first()
    return (found[0], found[1], found[2]) if found else None


async def list_posts(
    db: AsyncSession, thread_id: int, after_id: int | None, limit: int, viewer_id: int | None
) -> Sequence[tuple[Post, str | None]]:
    """One page of a thread's posts, oldest first, with each author's display name."""
    visible: ColumnElement[bool] = Post.status.in_(VISIBLE_TO_ALL)
    if viewer_id is not None:
        visible = visible | (Post.author_id == viewer_id)
    query = (
        select(Post, User.display_name)
        .outerjoin(User, User.id == Post.author_id)
        .where(Post.thread_id == thread_id, visible)
        .order_by(Post.id)
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(Post.id > after_id)
    result = await db.execute(query)
    return [(post, name) for post, name in result]


async def list_threads(
    db: AsyncSession,
    circle_id: int,
    before: tuple[datetime, int] | None,
    limit: int,
    hidden_authors: Collection[int] = (),
) -> Sequence[tuple[Thread, str | None]]:
    """One page of a circle's threads, most recent activity first (without those started
    by `hidden_authors`: members the reader blocked)."""
    query = (
        select(Thread, User.display_name)
        .outerjoin(User, User.id == Thread.author_id)
        .where(Thread.circle_id == circle_id, Thread.status == PostStatus.PUBLISHED)
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(limit)
    )
    if hidden_authors:
        query = query.where(
            or_(Thread.author_id.is_(None), Thread.author_id.not_in(list(hidden_authors)))
        )
    if before is not None:
        query = query.where(tuple_(Thread.last_post_at, Thread.id) < tuple_(*before))
    result = await db.execute(query)
    return [(thread, name) for thread, name in result]


async def list_revisions(db: AsyncSession, post_id: int) -> Sequence[PostRevision]:
    result = await db.scalars(
        select(PostRevision).where(PostRevision.post_id == post_id).order_by(PostRevision.id)
    )
    return result.all()


async def delete_revisions(db: AsyncSession, post_id: int) -> None:
    await db.execute(delete(PostRevision).where(PostRevision.post_id == post_id))


async def first_post_id(db: AsyncSession, thread_id: int) -> int | None:
    return await db.scalar(
        select(Post.id).where(Post.thread_id == thread_id).order_by(Post.id).limit(1)
    )


async def authors_with_unpublished_posts(db: AsyncSession, thread_id: int) -> list[int]:
    result = await db.scalars(
        select(Post.author_id)
        .where(
            Post.thread_id == thread_id,
            Post.status != PostStatus.PUBLISHED,
            Post.author_id.is_not(None),
            Post.removed_by.is_distinct_from("author"),
        )
        .distinct()
    )
    return [author for author in result if author is not None]
