"""Find where crisis rules match, trying at each word only the rules that can start there.

One big alternation of every pattern costs Python's regex engine a try of each branch at
every word. Instead, each word's first characters pick, from a table built once, the few
rules (and only their patterns) that can begin with them.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Hashable, Iterator, Sequence
from typing import Generic, TypeVar

from moderation.crisis_regex import bounded, compile_scanner, first_chars, prefixes
from moderation.linear_re import Prefilter

_ALNUM = string.ascii_lowercase + string.digits
_GAP = " "
_KEY = 3
# Every character that is not a lower-case letter or digit reads as the gap " " in keys.
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
# Where a pattern may start: bounded() forbids a letter before it, so only letter runs'
# starts and digits (a number's digits may each start "\d+" patterns) are candidates.
_STARTS = re.compile(r"[a-z]+|[0-9]")

R = TypeVar("R", bound=Hashable)


class Dispatch(Generic[R]):
    """Matches of rules (each a list of regex bodies), grouped by their first characters."""

    def __init__(self, rules: Sequence[tuple[R, Sequence[str]]]) -> None:
        self._order = [rule for rule, _ in rules]
        table: dict[str, list[tuple[R, list[str]]]] = {}
        elsewhere: list[tuple[R, str]] = []
        keyed_bodies: list[str] = []
        for rule, bodies in rules:
            keyed: dict[str, list[str]] = {}
            for body in bodies:
                keys = _keys(body)
                if keys is None:
                    elsewhere.append((rule, body))
                    continue
                keyed_bodies.append(body)
                for key in keys:
                    keyed.setdefault(key, []).append(body)
            for key, group in keyed.items():
                table.setdefault(key, []).append((rule, group))
        # Compiled once per distinct group: many keys share the same patterns.
        compiled: dict[str, re.Pattern[str]] = {}

        def regex(group: list[str]) -> re.Pattern[str]:
            source = bounded("|".join(group))
            return compiled.setdefault(source, re.compile(source))

        # Per key, one regex of all its patterns says whether any rule matches at this word
        # at all (mostly not); only then is each rule tried for its own match.
        self._table = {
            key: (
                regex([body for _, group in entries for body in group]),
                tuple((rule, regex(group)) for rule, group in entries),
            )
            for key, entries in table.items()
        }
        # Most posts hold no rule at all: one linear pass says so before the word-by-word scan.
        self._none = Prefilter(keyed_bodies)
        # Patterns that may open with punctuation keep the old way: one scan for them all.
        self._elsewhere = [
            (rule, re.compile(bounded(body)), compile_scanner([body])) for rule, body in elsewhere
        ]

    def find(self, text: str) -> Iterator[tuple[R, int, int]]:
        """Every (rule, start, end), by start and then rule order.

        A rule's later matches that begin inside its earlier one are the same words again.
        """
        found = [] if self._none.none_can_match(text) else list(self._find_keyed(text))
        if self._elsewhere:
            found.extend(self._find_elsewhere(text))
            rank = {rule: i for i, rule in enumerate(self._order)}
            found.sort(key=lambda hit: (hit[1], rank[hit[0]]))
        return iter(found)

    def _find_keyed(self, text: str) -> Iterator[tuple[R, int, int]]:
        table = self._table
        # The end of the text reads as a gap too.
        keys = _NOT_ALNUM.sub(_GAP, text) + _GAP * _KEY
        reached: dict[R, int] = {}
        for word in _STARTS.finditer(text):
            start = word.start()
            entry = table.get(keys[start : start + _KEY])
            if entry is None or not entry[0].match(text, start):
                continue
            for rule, regex in entry[1]:
                if start < reached.get(rule, 0):
                    continue
                hit = regex.match(text, start)
                if hit:
                    reached[rule] = hit.end()
                    yield rule, start, hit.end()

    def _find_elsewhere(self, text: str) -> Iterator[tuple[R, int, int]]:
        for rule, regex, scanner in self._elsewhere:
            if scanner is None:
                continue
            pos = reached = 0
            while found := scanner.search(text, pos):
                start = found.start()
                hit = regex.match(text, start)
                if hit and start >= reached:
                    reached = hit.end()
                    yield rule, start, hit.end()
                pos = start + 1


def _completions(prefix: str) -> Iterator[str]:
    """Every key starting with ``prefix`` (a shorter prefix is a whole match)."""
    for rest in itertools.product(_ALNUM + _GAP, repeat=_KEY - len(prefix)):
        yield prefix + "".join(rest)


def _keys(body: str) -> frozenset[str] | None:
    """The keys (first characters, " " for any other) a match can begin with; None if unknown."""
    found = prefixes(body, _KEY)
    if found is None or not all(p[:1] and p[0] in _ALNUM for p in found):
        leads = first_chars(body)
        if leads is None or not leads <= frozenset(_ALNUM):
            return None
        found = frozenset(leads)
    return frozenset(key for prefix in found for key in _completions(prefix))
