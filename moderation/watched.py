"""Watched words: a circle's own words and phrases, each with what happens when someone uses one.

Matching is whole-word and case-insensitive on text folded the way crisis detection folds
it (`moderation.normalize`), so "F.O.O", "f0o" or fullwidth letters match "foo", and
stretched words ("killll") match too; "as" never matches a watched "ass".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from moderation.content_warnings import WARNINGS
from moderation.normalize import Normalized, fold, normalize
from moderation.sanitize import plain_text

HOLD, WARN, BLOCK, REPLACE = "hold", "warn", "block", "replace"
ACTIONS = (HOLD, WARN, BLOCK, REPLACE)
MAX_WORDS = 100
MAX_PHRASE = 60
MAX_EXPLANATION = 300
MAX_REPLACEMENT = 60

_TOKEN = re.compile(r"[^\W_]+")
# Between the words of a phrase: anything but letters, digits and line breaks, or nothing
# ("pro ana", "pro-ana", "proana"); never across lines, so a title and body stay apart.
_GAP = r"(?:[^\w\n]|_)*"


class WatchError(ValueError):
    """A watched word that can't be kept as given; `field` names what to fix."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class WatchedWord:
    id: int
    phrase: str
    action: str
    warning: str | None = None  # warn: which content warning to add
    explanation: str | None = None  # block: what the author is told
    replacement: str | None = None  # replace: what is stored instead

    @property
    def key(self) -> str:
        """The folded phrase: two entries with the same key would match the same words."""
        return " ".join(_TOKEN.findall(fold(self.phrase)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "phrase": self.phrase,
            "action": self.action,
            "warning": self.warning,
            "explanation": self.explanation,
            "replacement": self.replacement,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WatchedWord:
        return cls(
            id=int(data["id"]),
            phrase=str(data["phrase"]),
            action=str(data["action"]),
            warning=data.get("warning"),
            explanation=data.get("explanation"),
            replacement=data.get("replacement"),
        )


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def check_word(
    word_id: int,
    phrase: str,
    action: str,
    warning: str | None = None,
    explanation: str | None = None,
    replacement: str | None = None,
) -> WatchedWord:
    """A watched word as stored, or WatchError saying what to change; extras are dropped."""
    phrase = _one_line(phrase)
    if not phrase:
        raise WatchError("Please enter a word or phrase to watch for.", "phrase")
    if len(phrase) > MAX_PHRASE:
        raise WatchError(f"A watched phrase can be at most {MAX_PHRASE} characters.", "phrase")
    if not _TOKEN.search(fold(phrase)):
        raise WatchError("A watched phrase needs at least one letter or number.", "phrase")
    if action not in ACTIONS:
        raise WatchError(
            "Choose what happens: hold for review, add a content warning, block, or replace.",
            "action",
        )
    word = WatchedWord(word_id, phrase, action)
    if action == WARN:
        if warning not in WARNINGS:
            raise WatchError(
                "Choose which content warning to add: " + ", ".join(WARNINGS) + ".", "warning"
            )
        return WatchedWord(word_id, phrase, action, warning=warning)
    if action == BLOCK:
        explanation = _one_line(explanation)
        if not explanation:
            raise WatchError(
                "Please write a short explanation; it is what the author will read.",
                "explanation",
            )
        if len(explanation) > MAX_EXPLANATION:
            raise WatchError(
                f"An explanation can be at most {MAX_EXPLANATION} characters.", "explanation"
            )
        return WatchedWord(word_id, phrase, action, explanation=explanation)
    if action == REPLACE:
        replacement = _one_line(replacement)
        if not replacement:
            raise WatchError("Please write the text to put in its place.", "replacement")
        if len(replacement) > MAX_REPLACEMENT:
            raise WatchError(
                f"A replacement can be at most {MAX_REPLACEMENT} characters.", "replacement"
            )
        return WatchedWord(word_id, phrase, action, replacement=replacement)
    return word


def _word_body(word: WatchedWord, marked: bool) -> str:
    """The phrase as a regex on folded text.

    Folding cuts a run of three or more letters to one ("killll" -> "kil"), so a doubled
    letter may match a single one; `marked` names those places (`d0`, `d1`...) so `find`
    can check the single letter really was such a run, and "as" never matches "ass".
    """
    parts = []
    doubles = 0
    for token in _TOKEN.findall(fold(word.phrase)):
        pieces = []
        for run in re.finditer(r"(\w)\1|\w", token):
            letter = re.escape(run.group(1) or run.group())
            if run.group(1) is None:
                pieces.append(letter)
            elif marked:
                pieces.append(f"(?:{letter}{letter}|(?P<d{doubles}>{letter}))")
                doubles += 1
            else:
                pieces.append(f"{letter}{letter}?")
        parts.append("".join(pieces))
    return _GAP.join(parts)


def _bounded(body: str) -> str:
    return rf"(?<!\w)(?:{body})(?!\w)"


@dataclass(frozen=True)
class Hit:
    """One use of a watched word; `start`/`end` index the text that was searched."""

    word: WatchedWord
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Watched:
    """What a circle's watched words made of one text."""

    source: str  # the text to store: replacements made
    visible: str = ""  # its visible text (moderation.sanitize.plain_text), once looked at
    hits: tuple[Hit, ...] = ()  # uses found in what will be stored (and its visible text)
    replaced: tuple[Hit, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.replaced)

    @property
    def blocked(self) -> Hit | None:
        return next((hit for hit in self.hits if hit.word.action == BLOCK), None)

    @property
    def held(self) -> tuple[Hit, ...]:
        # A word to replace that survived replacement was hidden by formatting: a person looks.
        return tuple(hit for hit in self.hits if hit.word.action in (HOLD, REPLACE))

    @property
    def warnings(self) -> tuple[str, ...]:
        wanted = {hit.word.warning for hit in self.hits if hit.word.action == WARN}
        return tuple(key for key in WARNINGS if key in wanted)


@dataclass(frozen=True)
class WatchList:
    words: tuple[WatchedWord, ...] = ()
    _patterns: tuple[tuple[WatchedWord, re.Pattern[str]], ...] = field(default=(), compare=False)
    _any: re.Pattern[str] | None = field(default=None, compare=False)

    @classmethod
    def of(cls, words: Iterable[WatchedWord]) -> WatchList:
        return _compiled(tuple(words))

    def find(self, text: str) -> list[Hit]:
        """Every use of a watched word in `text`, in order; overlapping uses all count."""
        if self._any is None:
            return []
        folded = normalize(text)
        hits = []
        # Where some word starts; then which words (several may start at one place).
        found = self._any.search(folded.text)
        while found is not None:
            at = found.start()
            for word, pattern in self._patterns:
                match = pattern.match(folded.text, at)
                if match is not None and _doubles_were_runs(match, folded):
                    start, end = folded.original_span(at, match.end())
                    hits.append(Hit(word, start, end, text[start:end]))
            found = self._any.search(folded.text, at + 1)
        return sorted(hits, key=lambda hit: (hit.start, hit.start - hit.end))

    def review(self, source: str, visible: str | None = None, markdown: bool = True) -> Watched:
        """Make the replacements in a Markdown source and find every other use that is left.

        Uses are looked for in the source and in its visible text (`visible`, when the
        caller has it already), so formatting or HTML entities ("f&#111;o") can't hide one.
        With `markdown` False the source is plain text (a thread title): nothing is escaped.
        """
        if not self.words:
            return Watched(source, visible or "")
        found = self.find(source)
        replaced = _non_overlapping([hit for hit in found if hit.word.action == REPLACE])
        stored = _replace(source, replaced, markdown)
        if replaced or visible is None:
            visible = plain_text(stored)
        # Unchanged text has been searched already; visible text equal to it needs no search.
        in_stored = self.find(stored) if replaced else found
        hits = {(hit.word.id, hit.text.casefold()): hit for hit in in_stored}
        for hit in [] if visible == stored else self.find(visible):
            hits.setdefault((hit.word.id, hit.text.casefold()), hit)
        return Watched(stored, visible, tuple(hits.values()), tuple(replaced))

    def replacement_clashes(self) -> list[tuple[WatchedWord, Hit]]:
        """Replacements that contain a watched word themselves (they would never settle)."""
        return [
            (word, hit)
            for word in self.words
            if word.action == REPLACE and word.replacement
            for hit in self.find(word.replacement)
        ]


def _doubles_were_runs(match: re.Match[str], folded: Normalized) -> bool:
    """A single letter standing for a doubled one must come from a run of three or more."""
    for name, letter in match.groupdict().items():
        if letter is not None:
            start, end = folded.original_span(*match.span(name))
            if end - start < 3:
                return False
    return True


@lru_cache(maxsize=256)
def _compiled(words: tuple[WatchedWord, ...]) -> WatchList:
    if not words:
        return WatchList()
    patterns = tuple((word, re.compile(_bounded(_word_body(word, True)))) for word in words)
    # One search finds where any word may start (most texts have none): word edges checked
    # once, not once per word, keeps it fast with a hundred words.
    combined = "|".join(_word_body(word, False) for word in words)
    return WatchList(words, patterns, re.compile(_bounded(combined)))


def _non_overlapping(hits: Sequence[Hit]) -> list[Hit]:
    """Leftmost first, then longest: the uses a replacement pass can make together."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, h.start - h.end)):
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def _replace(source: str, hits: Sequence[Hit], markdown: bool) -> str:
    out, pos = [], 0
    for hit in hits:
        replacement = hit.word.replacement or ""
        if markdown:
            # Said as written: "h*ck" must not turn into emphasis.
            replacement = _MARKDOWN_PUNCTUATION.sub(r"\\\1", replacement)
        out += [source[pos : hit.start], replacement]
        pos = hit.end
    out.append(source[pos:])
    return "".join(out)
