"""Normalisation folds evasive spellings and keeps a map back to the original text."""

from __future__ import annotations

import pytest

from moderation.normalize import fold, normalize


def _fullwidth(text: str) -> str:
    """The fullwidth forms of ASCII letters, as typed to dodge filters."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in text)


def _script(text: str) -> str:
    """Mathematical bold script letters, as produced by "fancy text" generators."""
    return "".join(chr(ord(c) - ord("a") + 0x1D4EA) if c.isalpha() else c for c in text)


def _original_of(source: str, needle: str) -> str:
    norm = normalize(source)
    start = norm.text.index(needle)
    begin, end = norm.original_span(start, start + len(needle))
    return source[begin:end]


def test_fullwidth_letters_fold_to_ascii() -> None:
    assert fold(_fullwidth("kill myself")) == "kill myself"


def test_styled_mathematical_letters_fold_to_ascii() -> None:
    assert fold(_script("kill myself")) == "kill myself"


def test_zero_width_characters_inside_words_are_removed() -> None:
    assert fold("ki\u200bll my\u200dse\ufeffl\u00adf") == "kill myself"


def test_accents_are_stripped() -> None:
    assert fold("Suïcídé") == "suicide"


def test_cyrillic_lookalike_letters_fold_to_latin() -> None:
    assert fold("k\u0456ll mys\u0435lf") == "kill myself"


def test_case_is_folded() -> None:
    assert fold("KILL MYSELF Now") == "kill myself now"


@pytest.mark.parametrize(
    ("typed", "folded"),
    [("su1cide", "suicide"), ("k!ll mys3lf", "kill myself"), ("$elf h4rm", "self harm")],
)
def test_letter_number_swaps_inside_words_are_undone(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_quantities_keep_their_digits() -> None:
    text = "3 years clean, 100mg twice at 2am, 5kms run, in my 20s, 1 friend"
    assert fold(text) == text.lower()


def test_exclamation_marks_after_a_word_are_not_read_as_letters() -> None:
    assert fold("help me!!!") == "help me!!!"


def test_at_sign_of_a_mention_is_kept() -> None:
    assert fold("@sam thanks") == "@sam thanks"


def test_spaced_out_letters_are_joined_and_wide_gaps_split_words() -> None:
    assert fold("k i l l  m y s e l f") == "kill myself"


def test_letters_split_by_dots_or_dashes_are_joined() -> None:
    assert fold("s.u.i.c.i.d.e and d-i-e") == "suicide and die"


def test_ordinary_sentences_with_one_letter_words_are_untouched() -> None:
    assert fold("I am a fan of plan B") == "i am a fan of plan b"


def test_spaced_digits_are_not_joined() -> None:
    assert fold("count 1 2 3 go") == "count 1 2 3 go"


def test_runs_of_one_letter_collapse_to_one() -> None:
    assert fold("I want to dieeeee sooooo bad") == "i want to die so bad"


def test_double_letters_are_kept() -> None:
    assert fold("kill all the bees") == "kill all the bees"


def test_apostrophes_inside_words_are_removed_straight_or_curly() -> None:
    assert fold("I don't, I can\u2019t, I\u2019m done") == "i dont, i cant, im done"


def test_title_run_into_body_gets_a_space_at_the_case_change() -> None:
    assert fold("I want to dieIt hurts") == "i want to die it hurts"


def test_span_of_spaced_out_phrase_points_at_whole_original() -> None:
    assert _original_of("ok k i l l  m y s e l f now", "kill myself") == "k i l l  m y s e l f"


def test_span_of_elongated_word_covers_all_repeated_letters() -> None:
    assert _original_of("I want to dieeee!!", "die") == "dieeee"


def test_span_of_word_split_by_zero_width_character_covers_it() -> None:
    assert _original_of("so ki\u200bll me", "kill") == "ki\u200bll"


def test_span_of_fullwidth_word_points_at_fullwidth_original() -> None:
    assert _original_of(_fullwidth("ab suicide"), "suicide") == _fullwidth("suicide")


def test_span_after_a_removed_apostrophe_is_shifted_back() -> None:
    assert _original_of("I can't go on", "go on") == "go on"


def test_span_at_end_of_text_is_empty_at_end_of_original() -> None:
    norm = normalize("abc\u200b")
    assert norm.original_span(len(norm.text), len(norm.text)) == (4, 4)


@pytest.mark.parametrize(
    "text", ["k i l l  m y s e l f", "su1cide!!!", _fullwidth("full"), "dieeee", "I\u2019mDone", ""]
)
def test_folding_twice_changes_nothing_more(text: str) -> None:
    assert fold(fold(text)) == fold(text)
