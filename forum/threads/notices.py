"""What a thread's author is told when someone replies to it, and members when a post
mentions them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts import repository as accounts
from forum.circles import repository as circles
from forum.circles.models import Circle, Visibility
from forum.notifications.service import notify
from forum.people.mentions import mentioned
from forum.threads.models import Post, PostStatus, Thread


async def tell_of_reply(db: AsyncSession, post: Post, thread: Thread, circle: Circle) -> None:
    """A reply went up (at once, or once a moderator approved it): tell the thread's
    author, unless they wrote it, either has blocked the other, or they can no longer read
    the circle."""
    author_id, replier_id = thread.author_id, post.author_id
    if author_id is None or replier_id is None or author_id == replier_id:
        return
    if post.status != PostStatus.PUBLISHED or thread.status != PostStatus.PUBLISHED:
        return
    if await accounts.block_exists_between(db, author_id, replier_id):
        return
    if circle.visibility != Visibility.PUBLIC and (
        await circles.get_membership(db, circle.id, author_id) is None
    ):
        return
    replier = await accounts.get_user(db, replier_id)
    data = {
        "thread_id": thread.id,
        "post_id": post.id,
        "thread_title": thread.title,
        "member": replier.display_name if replier else None,  # worded when read
    }
    await notify(db, author_id, "reply", data)


async def tell_of_mentions(
    db: AsyncSession,
    post: Post,
    thread: Thread,
    circle: Circle,
    opens_thread: bool,
    before: str | None = None,
) -> None:
    """A post went up (at once, or once approved): tell each member it mentions by display
    name. The thread's author is told of a reply as a reply already, not twice. After an
    edit, `before` is the text people already read: only those it did not mention are told.
    """
    if post.status != PostStatus.PUBLISHED or thread.status != PostStatus.PUBLISHED:
        return
    people = await mentioned(db, post.body, circle.id, post.author_id)
    if people and before:
        told = {person.id for person in await mentioned(db, before, circle.id, post.author_id)}
        people = [person for person in people if person.id not in told]
    if not people:
        return
    writer = await accounts.get_user(db, post.author_id) if post.author_id else None
    for person in people:
        if person.id == thread.author_id and not opens_thread:
            continue  # told of the reply already
        if post.author_id and await accounts.block_exists_between(db, person.id, post.author_id):
            continue
        data = {
            "thread_id": thread.id,
            "post_id": post.id,
            "thread_title": thread.title,
            "member": writer.display_name if writer else "A member",
        }
        await notify(db, person.id, "mention", data)
