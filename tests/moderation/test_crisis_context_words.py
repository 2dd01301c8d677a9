"""Rules: negation over verbs of having the thought, double negatives, recovery told after."""

from __future__ import annotations

import pytest

from moderation.crisis import CrisisDetector, CrisisLevel, _default_path

RULES = CrisisDetector.from_file(_default_path())


@pytest.mark.parametrize(
    "text",
    [
        "never felt suicidal, but i get lonely",
        "I'm not thinking about suicide, I'm thinking about lunch",
        "I haven't thought about suicide in ages",
        "I've never tried to kill myself and never will",
        "been suicide free for a year now",
        "the suicidal thoughts have faded since I changed meds",
        "it's been a month since I last wanted to die",
    ],
)
def test_denials_and_recoveries_raise_nothing(text: str) -> None:
    assert RULES.detect(text).level is CrisisLevel.NONE


@pytest.mark.parametrize(
    "text",
    [
        "not a day goes by where I haven't thought about killing myself",
        "I can't remember a single day I haven't wanted to die",
        "I felt suicidal all week",
        "I keep thinking about suicide",
        "I tried to kill myself on Friday",
    ],
)
def test_double_negatives_and_plain_thoughts_still_count(text: str) -> None:
    assert RULES.detect(text).level is not CrisisLevel.NONE
