"""Posts as reviewable content: how the review queue loads and changes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from forum.review.content import ContentInfo, register, register_alias
from forum.threads import repository
from forum.threads.models import Post, PostStatus, Thread
from forum.threads.notices import tell_of_mentions, tell_of_reply


def recount_reply(thread: Thread, post: Post, status: str) -> None:
    """Keep the thread's reply count and last activity true as a reply is shown or hidden."""
    was_shown = post.status == PostStatus.PUBLISHED
    shown = status == PostStatus.PUBLISHED
    if shown and not was_shown:
        thread.reply_count += 1
        thread.last_post_at = max(thread.last_post_at, post.created_at)
    elif was_shown and not shown:
        thread.reply_count = max(0, thread.reply_count - 1)


def post_info(post: Post, thread: Thread, circle_id: int, opens_thread: bool) -> ContentInfo:
    return ContentInfo(
        content_type="post",
        content_id=post.id,
        circle_id=circle_id,
        author_id=post.author_id,
        status=post.status,
        body_html=post.body_html,
        title=thread.title if opens_thread else None,
        thread_id=thread.id,
        link=f"/threads/{thread.id}#post-{post.id}",
        removed_by=post.removed_by,
        in_public_thread=thread.status == PostStatus.PUBLISHED,
    )


class PostContent:
    async def load(self, db: AsyncSession, content_id: int) -> ContentInfo | None:
        found = await repository.get_post_with_thread(db, content_id)
        if found is None:
            return None
        post, thread, circle = found
        first = await repository.first_post_id(db, thread.id)
        return post_info(post, thread, circle.id, first == post.id)

    async def set_status(
        self, db: AsyncSession, content_id: int, status: str, moderation: dict[str, Any] | None
    ) -> ContentInfo:
        found = await repository.get_post_with_thread(db, content_id)
        if found is None:
            raise LookupError(f"post {content_id} vanished during review")
        post, thread, circle = found
        opens_thread = await repository.first_post_id(db, thread.id) == post.id
        goes_up = not opens_thread and post.status == PostStatus.PENDING
        was_held = post.status == PostStatus.PENDING
        if not opens_thread:
            recount_reply(thread, post, status)
        post.status = status
        post.moderation = moderation
        if status == PostStatus.REMOVED:
            post.removed_by = "moderator"
        if opens_thread:
            # A thread stands or falls with its opening post.
            thread.status = status
        await db.flush()
        if goes_up:
            await tell_of_reply(db, post, thread, circle)  # (it checks it is now published)
        if was_held:
            await tell_of_mentions(db, post, thread, circle, opens_thread)
        return post_info(post, thread, circle.id, opens_thread)


register("post", PostContent())
# A report on a thread is a report on its opening post.
register_alias("thread", "post", repository.first_post_id)

CONTEXT_SCAN = 100  # how far into a thread to look for the posts just before an item


@dataclass(frozen=True)
class PostsAround:
    """The posts either side of one under review, with their authors' names."""

    before: Sequence[tuple[Post, str | None]] = ()
    after: Sequence[tuple[Post, str | None]] = ()


async def posts_around(db: AsyncSession, content: ContentInfo | None) -> PostsAround:
    if content is None or content.thread_id is None:
        return PostsAround()
    start = await repository.list_posts(db, content.thread_id, None, CONTEXT_SCAN, None)
    before = [row for row in start if row[0].id < content.content_id][-2:]
    after = await repository.list_posts(db, content.thread_id, content.content_id, 2, None)
    return PostsAround(before, after)
