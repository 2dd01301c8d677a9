"""The reactions under a post on the thread page, as one reader sees them.

A member of the circle gets a button per reaction (pressed when they gave it); anyone
else, and the author, sees the counts; the author also gets a link to who reacted and
to the switch that turns reactions off.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import escape
from sqlalchemy.ext.asyncio import AsyncSession

from forum.i18n import _
from forum.reactions import repository as reactions
from forum.reactions.kinds import KINDS
from forum.reactions.models import PostReaction


@dataclass(frozen=True)
class Reacting:
    """What the reader may do with reactions: give them (a member), and which they gave."""

    member: bool
    mine: dict[int, set[str]]


async def reacting(
    db: AsyncSession, reacted: Sequence[int], user_id: int | None, member: bool
) -> Reacting | None:
    """The reactions this reader gave on the page (`reacted`: the posts that have any):
    the database is asked only when there are some to find."""
    if user_id is None:
        return None
    mine = await reactions.given_by(db, PostReaction, reacted, user_id) if member else {}
    return Reacting(member, mine)


def for_reader(
    post_id: int,
    author_id: int | None,
    counts: Sequence[tuple[str, int]],
    off: bool,
    viewer_id: int | None,
    token: bytes,
    reacting: Reacting | None,
) -> bytes:
    is_author = viewer_id is not None and author_id == viewer_id
    if reacting is None or not reacting.member or is_author or off or author_id is None:
        return counts_only(post_id, counts, is_author, off)
    return buttons(post_id, counts, reacting.mine.get(post_id, set()), token)


def _label(kind: str) -> str:
    symbol, words = KINDS[kind]
    return f'<span aria-hidden="true">{symbol}</span> {escape(_(words))}'


def counts_only(
    post_id: int, counts: Iterable[tuple[str, int]], for_author: bool, off: bool
) -> bytes:
    """The counts, read only; for the author, with the way to who reacted."""
    if off:
        if not for_author:
            return b""
        off_text, turn_on = escape(_("Reactions are off on this post.")), escape(_("Turn them on"))
        return (
            f'<p class="reactions reactions-off meta">{off_text} '
            f'<a href="/posts/{post_id}/reactions">{turn_on}</a></p>'
        ).encode()
    shown = [
        f'<li class="reaction-count-item">{_label(kind)} <span class="reaction-count">{count}'
        "</span></li>"
        for kind, count in counts
    ]
    if for_author:
        link = escape(_("Who reacted") if shown else _("Reactions"))
        shown.append(f'<li><a href="/posts/{post_id}/reactions">{link}</a></li>')
    if not shown:
        return b""
    label = escape(_("Reactions"))
    return f'<ul class="reactions" aria-label="{label}">{"".join(shown)}</ul>'.encode()


def buttons(
    post_id: int, counts: Iterable[tuple[str, int]], mine: set[str], csrf_token: bytes
) -> bytes:
    """A form with a toggle button per reaction (progressively enhanced by circles.js)."""
    given = dict(counts)
    label = escape(_("Reactions"))
    parts = [
        f'<form method="post" action="/posts/{post_id}/react" class="reactions reaction-form" '
        f'data-post="{post_id}" aria-label="{label}">'
        '<input type="hidden" name="csrf_token" value="'
    ]
    parts.append(csrf_token.decode())
    parts.append('">')
    for kind in KINDS:
        count = given.get(kind, 0)
        pressed = "true" if kind in mine else "false"
        parts.append(
            f'<button type="submit" name="kind" value="{kind}" class="reaction" '
            f'aria-pressed="{pressed}">{_label(kind)} <span class="reaction-count">'
            f"{count or ''}</span></button>"
        )
    parts.append("</form>")
    return "".join(parts).encode()
