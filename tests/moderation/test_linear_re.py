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


def test_taking_out_look_arounds_leaves_what_they_guarded() -> None:
    source = r"(?<![a-z])(?:kill(?!ing) me)(?:(?![a-z])|(?=i(?:m|ve)?(?![a-z])))"
    assert linear_re._without_lookarounds(source) == "(?:kill me)(?:|)"
    # Brackets inside a class or escaped are letters, not groups.
    assert linear_re._without_lookarounds(r"a[(?=]b\(?=c") == r"a[(?=]b\(?=c"


def test_the_prefilter_is_sure_only_of_no() -> None:
    prefilter = linear_re.Prefilter([r"(?<![a-z])end it(?![a-z])", r"goodbye"])
    assert prefilter.usable
    assert prefilter.none_can_match("a quiet evening with tea")
    assert not prefilter.none_can_match("i want to end it")
    assert not prefilter.none_can_match("pretend items")  # a superset: the scan decides
    assert not prefilter.none_can_match("adiós, goodbye café")  # not ASCII: scan as before


def test_the_crisis_rules_skip_the_scan_only_where_it_finds_nothing() -> None:
    from moderation.crisis import CrisisDetector

    dispatch = CrisisDetector.default()._dispatch
    assert dispatch._none.usable
    quiet = "the bus was late again so i walked home in the rain"
    assert dispatch._none.none_can_match(quiet)
    warning = "i wrote letters to my family for after im gone"
    assert not dispatch._none.none_can_match(warning)
    assert list(dispatch.find(warning))  # and the scan finds the rule
    for text in [*SENTENCES, quiet]:
        folded = text.casefold()
        if dispatch._none.none_can_match(folded):
            assert list(dispatch._find_keyed(folded)) == []
