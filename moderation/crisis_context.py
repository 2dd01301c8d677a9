"""Whose words a crisis match is, and whether they are negated, idiomatic or in the past."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"[a-z0-9]+")
_CLAUSE_BREAK = re.compile(r"[.!?;:\n]|\bbut\b|\bthough\b")
WINDOW = 80


@dataclass(frozen=True)
class Context:
    """Word lists from the data file; phrase lists compiled to match on space-joined words."""

    negators: re.Pattern[str]
    questions: frozenset[str]
    # Before a negator, these make it a double negative that affirms ("not a day goes by
    # that I havent thought about killing myself").
    affirming: re.Pattern[str]
    fillers: frozenset[str]
    self_words: frozenset[str]
    other_words: frozenset[str]
    past_before: re.Pattern[str]
    past_after: re.Pattern[str]


def build_context(raw: Mapping[str, Any]) -> Context:
    def phrases(key: str, anchor: str = "") -> re.Pattern[str]:
        words = [" ".join(_WORD.findall(p)) for p in raw.get(key, [])]
        alternatives = "|".join(re.escape(w) for w in words if w) or "(?!)"
        return re.compile(rf"(?:^| )(?:{alternatives})(?: |$){anchor}")

    return Context(
        negators=phrases("negators", anchor="$"),
        questions=frozenset(raw.get("negation_questions", [])),
        affirming=phrases("negation_affirming"),
        fillers=frozenset(raw.get("fillers", [])),
        self_words=frozenset(raw.get("self_words", [])),
        other_words=frozenset(raw.get("other_words", [])),
        past_before=phrases("past_before"),
        past_after=phrases("past_after"),
    )


def overlaps(regex: re.Pattern[str] | None, text: str, start: int, end: int) -> bool:
    """Whether a match of ``regex`` overlaps ``text[start:end]``; looks only nearby."""
    if regex is None:
        return False
    near = max(0, start - WINDOW)
    return any(
        s < end and start < e
        for s, e in (m.span() for m in regex.finditer(text, near, end + WINDOW))
    )


def whose(text: str, start: int, end: int, category: str, ctx: Context) -> str | None:
    """``"self"``, ``"other"``, or None when the match is negated or in the past."""
    before = _clause_tail(text[max(0, start - WINDOW) : start])
    after = _clause_head(text[end : end + WINDOW // 2])
    if _negated(before, ctx) or ctx.past_before.search(" ".join(before)):
        return None
    if ctx.past_after.search(" ".join(after[:4])):
        return None
    # Abuse and threats name their target; only self-directed crisis needs a subject check.
    if category == "harm_to_others" or ctx.self_words.intersection(_WORD.findall(text[start:end])):
        return "self"
    for word in reversed(before[-6:]):
        if word in ctx.self_words:
            return "self"
        if word in ctx.other_words:
            return "other"
    return "self"


def _clause_tail(text: str) -> list[str]:
    breaks = list(_CLAUSE_BREAK.finditer(text))
    return _WORD.findall(text[breaks[-1].end() :] if breaks else text)


def _clause_head(text: str) -> list[str]:
    found = _CLAUSE_BREAK.search(text)
    return _WORD.findall(text[: found.start()] if found else text)


def _negated(before: Sequence[str], ctx: Context) -> bool:
    """A negator governs the match once filler words ("really", "want to") are skipped."""
    i = len(before)
    while i > 0 and before[i - 1] in ctx.fillers and len(before) - i < 6:
        i -= 1
    head = " ".join(before[:i])
    found = ctx.negators.search(head)
    if found is None:
        return False
    # "Why shouldn't I ..." asks rather than denies.
    asked = head[: found.start()].rsplit(" ", 1)[-1]
    return asked not in ctx.questions and not ctx.affirming.search(head[: found.start()])
