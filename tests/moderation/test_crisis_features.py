"""What the crisis model reads: negation scoping in the bag of words."""

from __future__ import annotations

from moderation.crisis_features import scoped_words, terms


def test_a_negation_marks_the_words_it_governs() -> None:
    assert scoped_words("im not depressed anymore") == ["im", "not", "~depressed", "~anymore"]
    assert scoped_words("i dont want to die") == ["i", "dont", "~want", "~to", "~die"]


def test_the_reach_ends_at_punctuation_but_and_a_few_words() -> None:
    assert scoped_words("not today, i want to die") == ["not", "~today", "i", "want", "to", "die"]
    assert scoped_words("not great but i want to die")[-4:] == ["i", "want", "to", "die"]
    marked = scoped_words("never a b c d e f die")
    assert marked == ["never", "~a", "~b", "~c", "~d", "~e", "f", "die"]


def test_negated_and_plain_words_are_different_terms() -> None:
    plain, negated = terms("i am depressed", []), terms("i am not depressed", [])
    assert "depressed" in plain and "depressed" not in negated
    assert "~depressed" in negated
