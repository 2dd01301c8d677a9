"""Profiles as other members see them, and blocking the author of a post one can read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts import blocks
from forum.accounts.boundaries import viewer_boundaries
from forum.accounts.models import User
from forum.cache import RemembersBlocks
from forum.errors import NotFound
from forum.i18n import _
from forum.review.reports import reportable_or_404


@dataclass(frozen=True)
class Profile:
    member: User
    is_you: bool
    you_blocked: bool


def profile_json(profile: Profile) -> dict[str, object]:
    """What any signed-in member may know about another: never their username or id."""
    member = profile.member
    return {
        "display_name": member.display_name,
        "availability": member.availability or "",
        "taking_break": member.taking_break,
        "member_since": member.created_at.strftime("%Y-%m"),
        "is_you": profile.is_you,
        "you_blocked": profile.you_blocked,
    }


async def profile_of(
    db: AsyncSession, username: str, viewer: User, cache: RemembersBlocks | None
) -> Profile:
    """A member's profile. Whether they blocked the viewer changes nothing here."""
    member = await blocks.get_member_or_404(db, username)
    # The viewer's blocks as every page reads them (remembered briefly).
    you_blocked = (await viewer_boundaries(db, cache, viewer)).hides_author(member.id)
    return Profile(member, member.id == viewer.id, you_blocked)


async def post_author_or_404(db: AsyncSession, viewer: User, post_id: int) -> tuple[User, str]:
    """The author of a post the viewer can read, and the post's link."""
    content, _circle = await reportable_or_404(db, viewer, "post", post_id)
    if content.author_id is None:
        raise NotFound(_("The author of that post has left Circles."))
    return await blocks.get_user_by_id_or_404(db, content.author_id), content.link
