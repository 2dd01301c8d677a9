"""Mentions: "@" and a member's display name in a post tells that member.

Display names may hold spaces, so after each "@" the longest run of up to six words that
is (case and lookalike letters folded, as the member picker folds them) the display name
of a member of the circle is the one mentioned: "@Robin Ash, thank you" finds Robin Ash
before any Robin. Only members of the post's circle can be mentioned, nobody is told of
their own words, and members who blocked each other, either way, are never told.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.circles.models import Membership
from forum.names import name_key

MAX_WORDS = 6
MAX_MENTIONS = 10  # people told by one post: more reads as a broadcast, not a mention
# What may follow "@": up to the end of the line, another "@" or punctuation that ends a name.
ENDS = ',.;:!?()\\[\\]"\u201c\u201d@'
AFTER_AT = re.compile(f"(?<![\\w@])@([^\\s{ENDS}][^\\n{ENDS}]{{0,60}})")
WORD = re.compile("\\S+")


def candidates(text: str) -> list[list[str]]:
    """For each "@", the display names it could start, longest first."""
    found = []
    for match in AFTER_AT.finditer(text):
        words = WORD.findall(match.group(1))[:MAX_WORDS]
        names = [" ".join(words[:n]) for n in range(len(words), 0, -1)]
        if names:
            found.append(names)
    return found


async def mentioned(
    db: AsyncSession, text: str, circle_id: int, author_id: int | None
) -> list[User]:
    """The circle's members this text mentions, in the order they are first named."""
    if "@" not in text:
        return []
    options = candidates(text)
    keys = {name_key(name) for names in options for name in names} - {""}
    if not keys:
        return []
    rows = await db.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.circle_id == circle_id, User.display_name_key.in_(keys))
    )
    by_key = {user.display_name_key: user for user in rows.scalars()}
    people: list[User] = []
    for names in options:
        user = next((by_key[k] for n in names if (k := name_key(n)) in by_key), None)
        if user is not None and user.id != author_id and user not in people:
            people.append(user)
    return people[:MAX_MENTIONS]
