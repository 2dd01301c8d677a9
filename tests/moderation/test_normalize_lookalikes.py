"""Unicode tricks (zero-width, lookalike letters, spacing) do not get past crisis detection or
watched words, and the text that is stored stays exactly as written."""

from __future__ import annotations

import pytest

from moderation.crisis import CrisisDetector, CrisisLevel
from moderation.decision import Action, Policy
from moderation.normalize import fold, prototypes
from moderation.pipeline import Pipeline
from moderation.toxicity import EmbeddedScorer
from moderation.watched import HOLD, WatchList, check_word

ZWSP, ZWNJ, ZWJ, WJ, SHY, RLO = "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\u202e"

# Letters that look like Latin ones but that NFKD leaves alone: from Cyrillic, Greek,
# Cherokee, Lisu, Armenian and the long s (U+017F), which is drawn like an f.
CYRILLIC = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "i": "\u0456", "y": "\u0443"}
OTHER = {
    "k": "\u03ba",  # Greek kappa
    "m": "\u217f",  # small roman numeral one thousand
    "s": "\ua4e2",  # Lisu S
    "f": "\u017f",  # long s
    "l": "\u04cf",  # Cyrillic palochka
    "d": "\u13e7",  # Cherokee
    "o": "\u0585",  # Armenian oh
    "w": "\u0461",  # Cyrillic omega
}


def swap(text: str, letters: dict[str, str]) -> str:
    return "".join(letters.get(char, char) for char in text)


CRISIS_TRICKS = [
    swap("I want to kill myself", {"i": CYRILLIC["i"]}),
    swap("I want to kill myself", CYRILLIC),
    swap("I want to kill myself", OTHER),
    swap("I want to end my life", {**CYRILLIC, **OTHER}),
    swap("I want to die", OTHER),
    f"I want to k{ZWSP}il{ZWJ}l my{ZWNJ}se{WJ}lf",
    f"I want to k{SHY}ill mys{RLO}elf",
    "I want to k i l l  m y s e l f",
    "I want to k.i.l.l m.y.s.e.l.f",
    "I want to " + "".join(chr(ord(c) + 0xFEE0) for c in "kill") + " myself",
    swap("I want to k i l l  m y s e l f", CYRILLIC),
]


@pytest.fixture(scope="module")
def detector() -> CrisisDetector:
    return CrisisDetector.default()


@pytest.mark.parametrize("text", CRISIS_TRICKS)
def test_crisis_detection_sees_through_unicode_tricks(detector: CrisisDetector, text: str) -> None:
    assert detector.detect(text).level != CrisisLevel.NONE, (text, fold(text))


def test_lookalikes_from_confusables_fold_to_the_letter_they_pass_for() -> None:
    # Every lookalike Unicode names for a Latin letter reads as that letter; i and l, which
    # lookalikes are drawn as both, may be read as either.
    missed = [
        source
        for source, prototype in prototypes().items()
        if not source.isascii()
        and len(prototype) == 1
        and prototype.isascii()
        and prototype.isalpha()
        and fold(source) != prototype.casefold()
        and {fold(source), prototype.casefold()} != {"i", "l"}
    ]
    assert missed == []


@pytest.mark.parametrize("phrase", ["proana", "thinspo"])
def test_watched_words_see_through_unicode_tricks(phrase: str) -> None:
    watch = WatchList.of([check_word(1, phrase, HOLD)])
    tricks = [
        swap(phrase, CYRILLIC),
        swap(phrase, OTHER),
        ZWSP.join(phrase),
        SHY.join(phrase),
        " ".join(phrase),
        "".join(chr(ord(c) + 0xFEE0) for c in phrase),
    ]
    for trick in tricks:
        text = f"Looking for {trick} tips"
        [hit] = watch.find(text)
        assert hit.word.phrase == phrase
        # The hit points at the text as written, lookalikes and all.
        assert hit.text == trick, (hit.text, trick)


def test_matching_never_changes_the_stored_text() -> None:
    source = swap("Looking for pr\u200boana tips", CYRILLIC)
    policy = Policy(watched=WatchList.of([check_word(1, "proana", HOLD)]))
    (assessment,) = Pipeline(EmbeddedScorer()).assess_batch([source], policy)
    assert assessment.watched.source == source
    assert assessment.decision.action == Action.REVIEW
    assert [hit.word.phrase for hit in assessment.watched.held] == ["proana"]
