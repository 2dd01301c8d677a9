"""Regular expressions that read a text once (RE2) wherever that means the same as Python's.

The attack phrasings are long alternations, each branch opening with \\b. Python's
backtracking engine tries every branch at every character: one of them alone took 0.26 s
for 600 posts. RE2 runs them as one automaton in a single pass, 10 to 70 times faster.

RE2 and Python agree on ASCII text, but not beyond it: RE2's \\w and \\b know only ASCII
letters ("café" has no word end after the é), its \\s leaves out \\v and \\x1c-\\x1f, its $
matches only at the very end, and it has no look-arounds or back-references. So a pattern
takes RE2 only when it uses none of those, and only for a text that is all ASCII (nine
folded posts in ten); any other text, or pattern, takes Python's engine. The result is the
same either way, which tests/moderation/test_linear_re.py checks.

It is for patterns searched for, found a few times per text at most: RE2's Python
wrapper builds each match in Python, so a tokeniser that finds every word stays with re.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, cast

import re2

# Python-only meaning, or syntax RE2 refuses outright (it would fail at compile anyway).
_PYTHON_ONLY = re.compile(r"\\[sSZ]|\$|\(\?<?[=!]|\\[1-9]|\(\?P=")


def _linear(pattern: str, flags: int) -> Any | None:
    if flags & ~re.IGNORECASE or _PYTHON_ONLY.search(pattern):
        return None
    prefix = "(?i)" if flags & re.IGNORECASE else ""
    options = re2.Options()
    options.log_errors = False  # a refused pattern simply stays with Python's engine
    try:
        return re2.compile(prefix + pattern, options)
    except re2.error:
        return None


class Pattern:
    """A compiled pattern with the calls of re.Pattern the moderation code makes.

    RE2's match objects answer the same calls (group, groups, groupdict, start, end, span),
    so callers treat every match as a re.Match.
    """

    __slots__ = ("_linear", "_python", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._python = re.compile(pattern, flags)
        self._linear = _linear(pattern, flags)

    @property
    def linear(self) -> bool:
        """Whether ASCII texts take RE2."""
        return self._linear is not None

    def _engine(self, text: str) -> re.Pattern[str]:
        if self._linear is not None and text.isascii():
            return cast(re.Pattern[str], self._linear)
        return self._python

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self._engine(text).search(text, pos)

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self._engine(text).match(text, pos)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self._engine(text).fullmatch(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self._engine(text).finditer(text)

    def findall(self, text: str) -> list[Any]:
        return self._engine(text).findall(text)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self._engine(text).sub(repl, text)


def compile(pattern: str, flags: int = 0) -> Pattern:
    return Pattern(pattern, flags)
