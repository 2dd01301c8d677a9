"""RE2 serves a pattern only where it finds exactly what Python's engine finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation import attack_phrases, insults, linear_re, targets


def _patterns() -> list[linear_re.Pattern]:
    found = []
    for module in (attack_phrases, insults, targets):
        found += [p for p in vars(module).values() if isinstance(p, linear_re.Pattern)]
    return found


PATTERNS = _patterns()

SENTENCES = [
    "go cry somewhere else",
    "nobody here cares about your sob story.",
    "I hope you relapse and lose everything",
    "you are a pathetic waste of space",
    "refugees are all liars",
    "i hate myself, im such a failure",
    "we know where you live",
    "stop whining! grow up",
    "Holy shit, you ran the whole 5k!",
    "my dad used to call me a worthless idiot",
    "café people are all liars",  # not ASCII: Python's engine
    "you are a\x0bmoron",
    "shut up\n",
]


def test_the_attack_phrasings_take_the_linear_engine() -> None:
    assert attack_phrases.DISMISSALS.linear
    assert attack_phrases.THREATS.linear
    assert insults._EXCLUSION.linear


@pytest.mark.parametrize(
    "source",
    [r"(?<![\w@])@\w+", r"\bend$", r"[^\w\s]", r"(a)\1", r"\bword\Z"],
)
def test_what_re2_reads_differently_stays_with_python(source: str) -> None:
    assert not linear_re.compile(source).linear


def test_a_non_ascii_text_takes_python_where_re2_would_miss_a_word_end() -> None:
    pattern = linear_re.compile(r"\bcafé\b")
    assert pattern.linear
    found = pattern.search("un café.")
    assert found is not None and found.group(0) == "café"


def _same(pattern: linear_re.Pattern, text: str) -> None:
    python = re.compile(pattern.pattern, pattern._python.flags)
    ours = pattern.search(text)
    theirs = python.search(text)
    assert (ours is None) == (theirs is None), (pattern.pattern[:60], text)
    if ours is not None and theirs is not None:
        assert ours.span() == theirs.span()
        assert ours.groupdict() == theirs.groupdict()
    assert pattern.sub(" ", text) == python.sub(" ", text)
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in python.finditer(text)]


@pytest.mark.parametrize("text", SENTENCES)
def test_every_pattern_finds_the_same_in_these_lines(text: str) -> None:
    for pattern in PATTERNS:
        _same(pattern, text.casefold())
        _same(pattern, text)


_WORDS = st.sampled_from(
    [
        "you",
        "your",
        "u",
        "i",
        "im",
        "he",
        "she",
        "they",
        "all",
        "are",
        "is",
        "a",
        "so",
        "go",
        "cry",
        "nobody",
        "cares",
        "shut",
        "up",
        "hope",
        "die",
        "pathetic",
        "liar",
        "loser",
        "refugees",
        "people",
        "never",
        ".",
        "!",
        "?",
        ",",
        "'",
        "café",
        "\x0b",
        "\n",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, max_size=14))
def test_every_pattern_finds_the_same_in_any_line(words: list[str]) -> None:
    text = " ".join(words)
    for pattern in PATTERNS:
        _same(pattern, text)
