"""All SQL for exporting and deleting one member's own data, across the domains' tables.

Deleting relies on the foreign keys to `users`: sessions, tokens, memberships and blocks
go with the account (ON DELETE CASCADE); threads, posts, chat messages, reports and
review items keep their rows with the member removed (ON DELETE SET NULL). The
moderation log has no foreign keys (it is append-only) and keeps what it recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, delete, exists, literal, or_, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.chat.models import ChatMessage, MessageStatus, Room
from forum.circles.models import Circle, CircleRole, Membership
from forum.reactions.models import MessageReaction, PostReaction
from forum.review.models import Report, ReviewItem
from forum.rules.models import RuleProposal, RuleStance
from forum.threads.models import Post, PostRevision, PostStatus, Thread

REMOVED_TITLE = "(title removed by its author)"


async def memberships(db: AsyncSession, user_id: int) -> Sequence[tuple[Membership, Circle]]:
    rows = await db.execute(
        select(Membership, Circle)
        .join(Circle, Circle.id == Membership.circle_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.joined_at, Circle.id)
    )
    return [(membership, circle) for membership, circle in rows]


async def threads_started(db: AsyncSession, user_id: int) -> Sequence[tuple[Thread, str]]:
    rows = await db.execute(
        select(Thread, Circle.slug)
        .join(Circle, Circle.id == Thread.circle_id)
        .where(Thread.author_id == user_id)
        .order_by(Thread.id)
    )
    return [(thread, slug) for thread, slug in rows]


async def posts_written(db: AsyncSession, user_id: int) -> Sequence[Post]:
    return (await db.scalars(select(Post).where(Post.author_id == user_id).order_by(Post.id))).all()


async def revisions_of_posts(db: AsyncSession, user_id: int) -> Sequence[PostRevision]:
    result = await db.scalars(
        select(PostRevision)
        .join(Post, Post.id == PostRevision.post_id)
        .where(Post.author_id == user_id)
        .order_by(PostRevision.id)
    )
    return result.all()


async def chat_messages(
    db: AsyncSession, user_id: int
) -> Sequence[tuple[ChatMessage, Room, str | None]]:
    """Chat messages in circles' rooms and in direct conversations (no circle)."""
    rows = await db.execute(
        select(ChatMessage, Room, Circle.slug)
        .join(Room, Room.id == ChatMessage.room_id)
        .outerjoin(Circle, Circle.id == Room.circle_id)
        .where(ChatMessage.author_id == user_id)
        .order_by(ChatMessage.id)
    )
    return [(message, room, slug) for message, room, slug in rows]


async def reports_made(db: AsyncSession, user_id: int) -> Sequence[tuple[Report, str, int]]:
    """The member's own reports, with what they reported (never who else reported it)."""
    rows = await db.execute(
        select(Report, ReviewItem.content_type, ReviewItem.content_id)
        .join(ReviewItem, ReviewItem.id == Report.item_id)
        .where(Report.reporter_id == user_id)
        .order_by(Report.id)
    )
    return [(report, content_type, content_id) for report, content_type, content_id in rows]


async def owned_circle_ids(db: AsyncSession, user_id: int) -> list[int]:
    result = await db.scalars(
        select(Membership.circle_id).where(
            Membership.user_id == user_id, Membership.role == CircleRole.OWNER
        )
    )
    return list(result)


async def has_another_owner(db: AsyncSession, circle_id: int, user_id: int) -> bool:
    found = await db.scalar(
        select(Membership.user_id)
        .where(
            Membership.circle_id == circle_id,
            Membership.user_id != user_id,
            Membership.role == CircleRole.OWNER,
        )
        .limit(1)
    )
    return found is not None


async def successor(db: AsyncSession, circle_id: int, user_id: int) -> Membership | None:
    """Who takes a circle over: its longest-serving moderator, else its longest member."""
    moderators_first = case((Membership.role == CircleRole.MODERATOR, 0), else_=1)
    return await db.scalar(
        select(Membership)
        .where(Membership.circle_id == circle_id, Membership.user_id != user_id)
        .order_by(moderators_first, Membership.joined_at, Membership.user_id)
        .limit(1)
    )


async def remove_words(db: AsyncSession, user_id: int) -> None:
    """Take the member's words out of threads, posts and chat; their places stay.

    A thread only they wrote in is removed; one others replied to keeps the replies under
    a placeholder title. Posts read "Removed by its author", as a deleted post does.
    """
    mine = Post.author_id == user_id
    others_wrote = exists().where(
        Post.thread_id == Thread.id, or_(Post.author_id.is_(None), Post.author_id != user_id)
    )
    await db.execute(
        update(Thread)
        .where(and_(Thread.author_id == user_id, ~others_wrote))
        .values(status=PostStatus.REMOVED)
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(Thread)
        .where(Thread.author_id == user_id)
        .values(title=REMOVED_TITLE)
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        delete(PostRevision)
        .where(PostRevision.post_id.in_(select(Post.id).where(mine)))
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(Post)
        .where(mine)
        .values(
            status=PostStatus.REMOVED, removed_by="author", body="", body_html="", moderation=None
        )
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(ChatMessage)
        .where(ChatMessage.author_id == user_id)
        .values(status=MessageStatus.REMOVED, body="", body_html="", moderation=None)
        .execution_options(synchronize_session=False)
    )


async def delete_user(db: AsyncSession, user_id: int) -> None:
    await db.execute(
        delete(User).where(User.id == user_id).execution_options(synchronize_session=False)
    )


async def rule_proposals(db: AsyncSession, user_id: int) -> Sequence[tuple[RuleProposal, str]]:
    rows = await db.execute(
        select(RuleProposal, Circle.slug)
        .join(Circle, Circle.id == RuleProposal.circle_id)
        .where(RuleProposal.author_id == user_id)
        .order_by(RuleProposal.id)
    )
    return [(proposal, slug) for proposal, slug in rows]


async def rule_stances(db: AsyncSession, user_id: int) -> Sequence[RuleStance]:
    result = await db.scalars(
        select(RuleStance).where(RuleStance.user_id == user_id).order_by(RuleStance.proposal_id)
    )
    return result.all()


async def reactions_given(db: AsyncSession, user_id: int) -> list[tuple[str, int, str, datetime]]:
    """(content type, id, kind, when) of every reaction the member gave, oldest first."""
    posts = select(
        literal("post").label("type"),
        PostReaction.post_id.label("target"),
        PostReaction.kind,
        PostReaction.created_at.label("at"),
    ).where(PostReaction.user_id == user_id)
    messages = select(
        literal("chat_message").label("type"),
        MessageReaction.message_id.label("target"),
        MessageReaction.kind,
        MessageReaction.created_at.label("at"),
    ).where(MessageReaction.user_id == user_id)
    rows = await db.execute(union_all(posts, messages).order_by("at", "target"))
    return [(kind, int(target), given, at) for kind, target, given, at in rows]
