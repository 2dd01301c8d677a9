"""Members are known by display name; usernames are for logging in and stay private.

Where a member picks someone (to message, invite or block), they search display names
among the people they share a circle with, and the choice travels as that person's id.
An id names someone only when the two share a circle, so ids can't be walked to find
everyone on the site. The search folds case and lookalike letters with the display
name's key (forum.names.name_key): "ALICE", "alice" and "AIice" all find Alice.
Blocks don't change who comes up, either way: leaving out someone who blocked the viewer
would reveal the block, and what follows (a message refused) says the same whatever the
reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Exists, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from forum.accounts.models import User
from forum.circles.models import Circle, Membership
from forum.errors import BadRequest, Invalid, NotFound
from forum.fields import NamesMember
from forum.i18n import N_, _
from forum.names import name_key

MAX_QUERY = 48  # as long as a display name
MAX_FOUND = 10
NO_SUCH_PERSON = N_("There's no member by that name in a circle you share.")


@dataclass(frozen=True)
class Person:
    user: User
    circles: tuple[str, ...]  # the names of the circles the two share


def person_json(person: Person) -> dict[str, object]:
    return {
        "id": person.user.id,
        "display_name": person.user.display_name,
        "circles": list(person.circles),
    }


def _query_key(query: str) -> str:
    query = query.strip()
    if not query:
        raise BadRequest(_("Type part of a display name to search for."), code="empty_query")
    if len(query) > MAX_QUERY:
        raise BadRequest(
            _("A display name is at most %(max_query)s characters; search for part of it.")
            % {"max_query": MAX_QUERY},
            code="query_too_long",
        )
    return name_key(query)


def _shares_a_circle(viewer_id: int, circle_slug: str | None = None) -> Exists:
    mine, theirs = aliased(Membership), aliased(Membership)
    shared = [
        mine.user_id == viewer_id,
        theirs.user_id == User.id,
        mine.circle_id == theirs.circle_id,
    ]
    if circle_slug is not None:
        # Mention suggestions: members of this one circle, which the viewer is in too.
        shared.append(
            mine.circle_id == select(Circle.id).where(Circle.slug == circle_slug).scalar_subquery()
        )
    return exists().where(and_(*shared))


async def find(
    db: AsyncSession, viewer: User, query: str, circle_slug: str | None = None
) -> list[Person]:
    """Up to MAX_FOUND people sharing a circle with the viewer whose name holds `query`;
    with `circle_slug`, only fellow members of that circle (whom a post there can mention)."""
    key = _query_key(query)
    rows = (
        await db.scalars(
            select(User)
            .where(
                User.id != viewer.id,
                User.display_name_key.contains(key, autoescape=True),
                _shares_a_circle(viewer.id, circle_slug),
            )
            # Names that start with what was typed come first, then alphabetical.
            .order_by(~User.display_name_key.startswith(key, autoescape=True), User.display_name)
            .limit(MAX_FOUND)
        )
    ).all()
    shared = await _shared_circles(db, viewer.id, [user.id for user in rows])
    return [Person(user, tuple(shared.get(user.id, ()))) for user in rows]


async def _shared_circles(
    db: AsyncSession, viewer_id: int, user_ids: Sequence[int]
) -> dict[int, list[str]]:
    if not user_ids:
        return {}
    mine, theirs = aliased(Membership), aliased(Membership)
    rows = await db.execute(
        select(theirs.user_id, Circle.name)
        .join(mine, and_(mine.circle_id == theirs.circle_id, mine.user_id == viewer_id))
        .join(Circle, Circle.id == theirs.circle_id)
        .where(theirs.user_id.in_(user_ids))
        .order_by(Circle.name)
    )
    shared: dict[int, list[str]] = {}
    for user_id, circle_name in rows:
        shared.setdefault(user_id, []).append(circle_name)
    return shared


async def person_or_404(db: AsyncSession, viewer: User, user_id: int) -> User:
    """The member a picker chose: someone the viewer shares a circle with."""
    found = await db.scalar(select(User).where(User.id == user_id, _shares_a_circle(viewer.id)))
    if found is None:
        raise NotFound(_(NO_SUCH_PERSON), code="no_such_user", field="user_id")
    return found


async def named(db: AsyncSession, viewer: User, choice: NamesMember) -> User | str:
    """Who a form or body names: the member the picker chose, else the username typed
    (looked up, with its own message, by the feature that asked)."""
    if choice.user_id is not None:
        return await person_or_404(db, viewer, choice.user_id)
    if choice.username:
        return choice.username
    raise Invalid(
        _("Choose someone: start typing their display name."), code="no_member", field="user_id"
    )
