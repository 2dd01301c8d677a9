"""Personal boundaries: muted words, the availability note, a break, and what a viewer hides.

Muted words match whole words, case-insensitively, on text folded the way crisis detection
folds it (`moderation.normalize.fold`), so "gr1ef" or "GRIEF" is muted by "grief". The
words a member writes are kept as written; only their folded forms are compared.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts import repository
from forum.accounts.models import User
from forum.cache import RemembersBlocks
from forum.errors import Invalid
from forum.i18n import _
from moderation.normalize import fold

MAX_MUTED_WORDS = 50
MAX_MUTED_LENGTH = 40
MAX_AVAILABILITY = 120
# Zero-width joiners hold emoji sequences together; other format characters (such as
# right-to-left overrides) could disguise a note, so they go.
_KEEP_FORMAT = frozenset("\u200d")
_TOKEN = re.compile(r"\w+")


def folded_word(word: str) -> str:
    """A muted word's folded form: its words, normalised, one space apart."""
    return " ".join(_TOKEN.findall(fold(word)))


def check_muted_words(words: Iterable[str]) -> list[str]:
    """Clean a member's list: trimmed, without blanks or repeats; limited in count and length."""
    kept: list[str] = []
    seen: set[str] = set()
    for raw in words:
        word = " ".join(raw.split())
        if not word:
            continue
        if len(word) > MAX_MUTED_LENGTH:
            raise Invalid(
                _(
                    "Each muted word or phrase can be at most %(max)d characters; "
                    "“%(start)s…” is longer."
                )
                % {"max": MAX_MUTED_LENGTH, "start": word[:MAX_MUTED_LENGTH]},
                field="muted_words",
            )
        key = folded_word(word)
        if not key:
            raise Invalid(
                _("“%(word)s” has no letters or numbers to look for.") % {"word": word},
                field="muted_words",
            )
        if key not in seen:
            seen.add(key)
            kept.append(word)
    if len(kept) > MAX_MUTED_WORDS:
        raise Invalid(
            _("You can mute up to %(max)d words or phrases; this list has %(count)d.")
            % {"max": MAX_MUTED_WORDS, "count": len(kept)},
            field="muted_words",
        )
    return kept


def parse_muted_text(text: str) -> list[str]:
    """The account page's box: one word or phrase per line (commas also separate)."""
    return [part for line in text.splitlines() for part in line.split(",")]


@lru_cache(maxsize=1024)
def muted_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a member's words, matched against folded text (None: nothing muted)."""
    alternatives = []
    for word in words:
        tokens = folded_word(word).split()
        if tokens:
            # The words of a phrase may be apart by any spaces or punctuation.
            alternatives.append(r"\W+".join(re.escape(token) for token in tokens))
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


# Texts up to this long are remembered folded (a chat message or a typical post is read
# by many members); longer ones are folded each time, to keep the cache small.
_REMEMBER_CHARS = 4000


@lru_cache(maxsize=2048)
def _folded_short(text: str) -> str:
    return fold(text)


def folded_text(text: str) -> str:
    return _folded_short(text) if len(text) <= _REMEMBER_CHARS else fold(text)


@dataclass(frozen=True)
class Boundaries:
    """What one reader has chosen not to see."""

    viewer_id: int
    muted: re.Pattern[str] | None
    blocked: frozenset[int]

    @property
    def active(self) -> bool:
        return self.muted is not None or bool(self.blocked)

    def hides_author(self, author_id: int | None) -> bool:
        return author_id is not None and author_id in self.blocked

    def mutes(self, text: str, author_id: int | None) -> bool:
        """True when someone else's text contains one of the reader's muted words."""
        if self.muted is None or author_id == self.viewer_id or not text:
            return False
        return self.muted.search(folded_text(text)) is not None


async def viewer_boundaries(
    db: AsyncSession, cache: RemembersBlocks | None, user: User
) -> Boundaries:
    """The member's boundaries; whom they blocked is remembered briefly for reads."""
    blocked: frozenset[int] | None = None
    if cache is not None and (entry := cache.blocked.get(user.id)) is not None:
        blocked = entry.value
    if blocked is None:
        blocked = frozenset(await repository.blocked_ids(db, user.id))
        if cache is not None:
            cache.blocked.put(user.id, blocked)
    return Boundaries(user.id, muted_pattern(tuple(user.muted_words or ())), blocked)


def check_availability(note: str) -> str | None:
    """A short plain-text note; control and direction-changing characters are removed."""
    kept = "".join(
        char
        for char in note
        if char in _KEEP_FORMAT or unicodedata.category(char) not in ("Cc", "Cf", "Co", "Cs")
    )
    kept = " ".join(kept.split())
    if len(kept) > MAX_AVAILABILITY:
        raise Invalid(
            _("The availability note can be at most %(max)d characters; this one has %(count)d.")
            % {"max": MAX_AVAILABILITY, "count": len(kept)},
            field="availability",
        )
    return kept or None


async def set_muted_words(db: AsyncSession, user: User, words: Sequence[str]) -> User:
    user.muted_words = check_muted_words(words)
    await db.flush()
    return user


async def set_availability(db: AsyncSession, user: User, note: str) -> User:
    user.availability = check_availability(note)
    await db.flush()
    return user


async def set_taking_break(db: AsyncSession, user: User, on_break: bool) -> User:
    """A break hides the member from chat presence (as hide_presence does) and says so."""
    user.taking_break = on_break
    await db.flush()
    return user


async def set_check_ins(db: AsyncSession, user: User, welcome: bool) -> User:
    """Whether moderators may write privately when worried; saying no stops new check-ins
    (a conversation already open stays, for the member to close)."""
    user.check_ins = welcome
    await db.flush()
    return user


class BoundaryChanges(Protocol):
    muted_words: list[str] | None
    availability: str | None
    taking_break: bool | None
    check_ins: bool | None


async def change_boundaries(db: AsyncSession, user: User, changes: BoundaryChanges) -> User:
    """Apply what a settings request names; fields left out (None) stay as they are."""
    if changes.muted_words is not None:
        await set_muted_words(db, user, changes.muted_words)
    if changes.availability is not None:
        await set_availability(db, user, changes.availability)
    if changes.taking_break is not None:
        await set_taking_break(db, user, changes.taking_break)
    if changes.check_ins is not None:
        await set_check_ins(db, user, changes.check_ins)
    return user


def presence_hidden(user: User) -> bool:
    """Chat lists a member as present unless they hide presence or are taking a break."""
    return user.hide_presence or user.taking_break
