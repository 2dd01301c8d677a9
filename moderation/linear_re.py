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


def _linear(pattern: str, flags: int, memory_mb: int = 8) -> Any | None:
    if flags & ~re.IGNORECASE or _PYTHON_ONLY.search(pattern):
        return None
    prefix = "(?i)" if flags & re.IGNORECASE else ""
    options = re2.Options()
    options.log_errors = False  # a refused pattern simply stays with Python's engine
    options.max_mem = memory_mb << 20
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

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self._engine(text).finditer(text)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self._engine(text).sub(repl, text)


def compile(pattern: str, flags: int = 0) -> Pattern:
    return Pattern(pattern, flags)


def _without_lookarounds(pattern: str) -> str:
    """`pattern` with every look-ahead and look-behind taken out: an assertion only ever
    narrows what matches, so what is left matches at least as much."""
    out: list[str] = []
    i, depth_skip, in_class = 0, 0, False
    depth = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if not depth_skip:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
            if not depth_skip and pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
                depth_skip = depth
                i += 1
                continue
        elif char == ")":
            depth -= 1
            if depth_skip and depth < depth_skip:
                depth_skip = 0
                i += 1
                continue
        if not depth_skip:
            out.append(char)
        i += 1
    return "".join(out)


class Prefilter:
    """Says, in one linear pass, that none of many patterns can match an ASCII text.

    For a scan that tries patterns word by word (the crisis rules): most texts hold none
    of them, and this tells so without the scan. It matches a superset of the patterns
    (look-arounds dropped), so "no" is certain and "maybe" means scan as before.
    """

    # RE2 builds its automaton as it reads. For the crisis rules' 300-odd patterns the
    # default 8 MB is too little: it keeps starting over (6 s for 1,000 posts). With 64 MB
    # the first thousand posts build it (about 2 s in all, once per process) and then a post
    # takes some 15 microseconds; the process grows by about 11 MB.
    MEMORY_MB = 64

    def __init__(self, bodies: list[str]) -> None:
        source = "|".join(f"(?:{_without_lookarounds(body)})" for body in bodies)
        self._linear = _linear(source, 0, self.MEMORY_MB) if bodies else None

    @property
    def usable(self) -> bool:
        return self._linear is not None

    def none_can_match(self, text: str) -> bool:
        return self._linear is not None and text.isascii() and self._linear.search(text) is None
