"""Matching muted words: whole words, any capitals, folded like crisis detection."""

from __future__ import annotations

import pytest

from forum.accounts.boundaries import Boundaries, check_availability, muted_pattern

VIEWER, AUTHOR = 1, 2


def mutes(words: tuple[str, ...], text: str) -> bool:
    return Boundaries(VIEWER, muted_pattern(words), frozenset()).mutes(text, AUTHOR)


@pytest.mark.parametrize(
    "text",
    [
        "grief",
        "So much GRIEF today.",
        "gr1ef",  # a number for a letter
        "g r i e f",  # spaced out
        "gr\u0456ef",  # a Cyrillic lookalike letter
        "\uff47\uff52\uff49\uff45\uff46",  # fullwidth
        "gri\u200bef",  # a zero-width space inside
        "(grief)",
    ],
)
def test_a_muted_word_is_found_however_it_is_written(text: str) -> None:
    assert mutes(("grief",), text)


@pytest.mark.parametrize("text", ["griefs", "begrief", "", "relief"])
def test_a_muted_word_is_not_found_inside_other_words(text: str) -> None:
    assert not mutes(("grief",), text)


def test_a_phrase_matches_across_spaces_and_punctuation_but_not_apart() -> None:
    assert mutes(("my ex",), "Then My  Ex. called")
    assert mutes(("my ex",), "my-ex")
    assert not mutes(("my ex",), "my next ex")


def test_words_in_other_scripts_match_as_whole_words() -> None:
    sorrow = "\u0433\u043e\u0440\u0435"  # Russian: grief
    assert mutes((sorrow,), f"\u041c\u043e\u0451 {sorrow} \u0432\u0435\u043b\u0438\u043a\u043e")
    assert not mutes((sorrow,), f"{sorrow}\u043b\u043a\u0430")  # a burner: the word inside


def test_nobody_is_muted_by_their_own_words_or_an_empty_list() -> None:
    assert not Boundaries(VIEWER, muted_pattern(("grief",)), frozenset()).mutes("grief", VIEWER)
    assert muted_pattern(()) is None
    assert not Boundaries(VIEWER, None, frozenset()).mutes("grief", AUTHOR)


def test_availability_keeps_emoji_but_drops_direction_tricks() -> None:
    assert check_availability("evenings \U0001f469\u200d\U0001f467 \u202eok") == (
        "evenings \U0001f469\u200d\U0001f467 ok"
    )
    assert check_availability("   ") is None
