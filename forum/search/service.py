"""Searching what a reader may see: parsing the search, finding, and the snippets shown.

A search reads like a web search: words (all must match), "an exact phrase", `or`
between alternatives and `-word` to leave a word out. Snippets are plain text cut
from what the author wrote (never from post HTML); the parts that matched are marked
for the page, which escapes every part as it renders it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.boundaries import Boundaries
from forum.accounts.models import User
from forum.errors import BadRequest
from forum.i18n import _
from forum.search import repository
from forum.search.repository import Clause, Found, Scope, Terms

MAX_QUERY = 200
MAX_HITS = 25
SNIPPET_CHARS = 200
LEAD_CHARS = 60  # how much of the text before the first match a snippet shows

# A piece of a search: an optionally negated "quoted phrase" (the closing quote may be
# missing), or anything else up to the next space.
_PIECE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# Words as both backends' tokenizers see them: runs of letters and digits.
_WORD = re.compile(r"[^\W_]+")
# Outside quotes, punctuation parts words ("grief,loss"), except what joins the parts of
# one word ("self-care", "don't"), whose parts are then searched as a phrase.
_APART = re.compile("[^\\w'\u2019-]+")


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text))


def parse_query(raw: str) -> Terms:
    """The search as typed, parsed; empty and over-long searches are refused.

    As in PostgreSQL's `websearch_to_tsquery`, `or` separates clauses (`a b or c` finds
    what has a and b, or has c). A clause that only leaves words out would find nearly
    everything, so it is dropped.
    """
    text = " ".join(raw.split())
    if not text:
        raise BadRequest(_("Please type a word or phrase to search for."), code="empty_query")
    if len(text) > MAX_QUERY:
        raise BadRequest(
            _("A search can be at most %(max_query)s characters; this one has %(length)s.")
            % {"max_query": MAX_QUERY, "length": len(text)},
            code="query_too_long",
        )
    clauses: list[tuple[list[str], list[str]]] = [([], [])]
    for match in _PIECE.finditer(text):
        negated, phrase, word = match.group(1) == "-", match.group(2), match.group(3)
        pieces = [phrase]
        if word is not None:
            if word.lower() == "or":
                clauses.append(([], []))
                continue
            negated, pieces = word.startswith("-"), _APART.split(word)
        wanted, unwanted = clauses[-1]
        (unwanted if negated else wanted).extend(filter(None, map(_words, pieces)))
    return Terms(tuple(Clause(tuple(w), tuple(u)) for w, u in clauses if w))


Parts = tuple[tuple[str, bool], ...]  # a snippet's pieces, each marked if it matched


@dataclass(frozen=True)
class Hit:
    """One result as this reader sees it."""

    kind: str  # "thread" or "post"
    id: int
    thread_id: int
    circle: str  # the circle's slug
    circle_name: str
    title: str
    snippet: Parts
    created_at: datetime
    muted: bool = False  # it has one of the reader's muted words: shown collapsed

    @property
    def snippet_text(self) -> str:
        return "".join(text for text, _ in self.snippet)

    @property
    def url(self) -> str:
        anchor = f"#post-{self.id}" if self.kind == "post" else ""
        return f"/threads/{self.thread_id}{anchor}"


def hit_json(hit: Hit) -> dict[str, object]:
    data: dict[str, object] = {
        "type": hit.kind,
        "id": hit.id,
        "thread_id": hit.thread_id,
        "circle": hit.circle,
        "title": hit.title,
        "snippet": hit.snippet_text,
    }
    if hit.muted:  # as the thread API does: the words stay, the client collapses them
        data["muted"] = True
    return data


def highlighter(terms: Terms) -> re.Pattern[str]:
    """Finds the searched words and phrases in a text, whole words, any capitals."""
    wanted = {term for clause in terms.clauses for term in clause.wanted}
    # Longest first, so a phrase is marked whole rather than one of its words.
    phrases = sorted(wanted, key=len, reverse=True)
    alternatives = (r"[\W_]+".join(re.escape(word) for word in p.split()) for p in phrases)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])", re.IGNORECASE)


def _window(text: str, first: re.Match[str] | None) -> tuple[int, int]:
    """Where a snippet of `text` starts and ends: at spaces, the first match inside."""
    start = 0
    if first is not None and first.start() > LEAD_CHARS:
        space = text.find(" ", first.start() - LEAD_CHARS, first.start())
        start = space + 1 if space >= 0 else first.start() - LEAD_CHARS
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, max(end, first.end()) if first is not None else end


def snippet(text: str, marks: re.Pattern[str]) -> Parts:
    """Up to SNIPPET_CHARS of `text` on one line around its first match, matches marked."""
    text = " ".join(text.split())
    start, end = _window(text, marks.search(text))
    window = text[start:end]
    parts: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    at = 0
    for found in marks.finditer(window):
        if found.start() > at:
            parts.append((window[at : found.start()], False))
        parts.append((found.group(), True))
        at = found.end()
    if at < len(window):
        parts.append((window[at:], False))
    if end < len(text):
        parts.append(("…", False))
    return tuple(parts)


def _is_muted(found: Found, boundaries: Boundaries | None) -> bool:
    """Muted as the thread page would be: its title, or (a post) its whole body."""
    if boundaries is None:
        return False
    if boundaries.mutes(found.title, found.thread_author_id):
        return True
    return found.kind == "post" and boundaries.mutes(found.text, found.author_id)


async def search(
    db: AsyncSession, terms: Terms, user: User | None, boundaries: Boundaries | None
) -> list[Hit]:
    """The newest threads and published posts that match, in circles the reader may read,
    leaving out members they blocked; those with their muted words are marked `muted`."""
    if not terms.clauses:  # only words to leave out, or nothing a word can be made of
        return []
    scope = Scope(user.id if user else None, boundaries.blocked if boundaries else frozenset())
    found = [
        *await repository.find_threads(db, terms, scope, MAX_HITS),
        *await repository.find_posts(db, terms, scope, MAX_HITS),
    ]
    # A thread and its first post share a moment: the thread comes first.
    found.sort(key=lambda f: (f.created_at, f.kind == "thread", f.id), reverse=True)
    marks = highlighter(terms)
    return [
        Hit(
            kind=f.kind,
            id=f.id,
            thread_id=f.thread_id,
            circle=f.circle_slug,
            circle_name=f.circle_name,
            title=f.title,
            snippet=snippet(f.text, marks),
            created_at=f.created_at,
            muted=_is_muted(f, boundaries),
        )
        for f in found[:MAX_HITS]
    ]
