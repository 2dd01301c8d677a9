"""Settling a new member in: their region, who may message them, what they'd rather not
see, and the circles they join, saved together or not at all.

Everything here can be changed later on the account page; the page only gathers the
choices a newcomer most needs before their first visit to a circle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts import boundaries
from forum.accounts import service as accounts
from forum.accounts.models import User
from forum.chat import direct
from forum.circles import service as circles
from forum.circles.models import RuleItem
from forum.circles.service import CircleView
from forum.errors import Invalid, NotFound
from forum.i18n import _

MAX_SHOWN = 30  # circles offered on the page, newest first


@dataclass(frozen=True)
class Offered:
    """A public circle the newcomer could join, with the rules they'd be accepting."""

    view: CircleView
    rules: Sequence[RuleItem]


@dataclass(frozen=True)
class Choices:
    region: str
    dm_policy: str
    muted_text: str
    content_warnings: Mapping[str, str]
    # (slug, the ground rules version shown to them and accepted)
    joins: Sequence[tuple[str, int]]


async def circles_to_offer(db: AsyncSession, user: User) -> list[Offered]:
    """Public circles the member is not in yet, with each one's current ground rules."""
    open_to_join = [
        view
        for view in await circles.visible_circles(db, user)
        if view.circle.is_public and view.membership is None
    ]
    # Newest first (ties by id): the list is cut at MAX_SHOWN, and by name a new circle
    # could fall past the cut on a site with many.
    open_to_join.sort(key=lambda view: (view.circle.created_at, view.circle.id), reverse=True)
    views = open_to_join[:MAX_SHOWN]
    return [Offered(view, await circles.current_rules(db, view.circle)) for view in views]


async def settle_in(db: AsyncSession, user: User, choices: Choices) -> list[CircleView]:
    """Save every choice, or (on the first that can't be saved) none of them."""
    await accounts.set_region(db, user, choices.region)
    if choices.dm_policy:
        await direct.set_policy(db, user, choices.dm_policy)
    words = boundaries.parse_muted_text(choices.muted_text)
    if words:
        await boundaries.set_muted_words(db, user, words)
    if choices.content_warnings:
        await accounts.set_content_warning_prefs(db, user, choices.content_warnings)
    joined = []
    for slug, version in choices.joins:
        try:
            view = await circles.get_circle_view_or_404(db, slug, user)
        except NotFound:
            raise Invalid(
                _("There is no circle called “%(slug)s” any more.") % {"slug": slug},
                field="circles",
            ) from None
        await circles.join_circle(db, user, view, version)
        joined.append(view)
    return joined
