"""What the crisis model reads: negation scoping in the bag of words."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.crisis_bag import TermIndex
from moderation.crisis_features import (
    CHAR_BUCKETS,
    char_grams,
    char_weights,
    scoped_words,
    terms,
    word_weights,
)


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


def test_char_grams_stay_inside_words_and_are_stable() -> None:
    doc, bucket, counts = char_grams(["ok", "", "..", "ok ok"])
    # " ok ": " o", "ok", "k ", " ok", "ok ", " ok " -- six n-grams, none across a text.
    assert doc.tolist() == [0] * 6 + [3] * 6
    assert counts[:6].tolist() == [1.0] * 6 and counts[6:].tolist() == [2.0] * 6
    assert bucket[:6].tolist() == bucket[6:].tolist()
    again = char_grams(["ok"])
    assert again[1].tolist() == bucket[:6].tolist()
    assert ((bucket >= 0) & (bucket < CHAR_BUCKETS)).all()


def test_char_weights_are_unit_length_per_text() -> None:
    doc, bucket, counts = char_grams(["i am so tired", "goodbye everyone"])
    idf = np.ones(CHAR_BUCKETS, dtype=np.float32)
    weights = char_weights(doc, bucket, counts, idf, 2)
    for row in (0, 1):
        assert float(np.sum(weights[doc == row] ** 2)) == pytest.approx(1.0, abs=1e-5)


def test_batched_bag_equals_the_text_by_text_bag() -> None:
    texts = [
        "im not depressed anymore, but i want to die",
        "never a b c d e f die. not today",
        "",
        "goodbye everyone i wont be around",
    ]
    token_ids = [[5, 7, 5, 9], [1, 2], [], [7, 5, 7]]
    bags = [terms(t, ids) for t, ids in zip(texts, token_ids, strict=True)]
    # An unknown word, and so every pair with it (a pair is never in more texts than its
    # halves), as in a vocabulary cut at a minimum document count.
    everything = {term for bag in bags for term in bag}
    vocabulary = sorted(t for t in everything if "die" not in t.split(" ") and "#9" not in t)
    index = {term: i for i, term in enumerate(vocabulary)}
    idf = np.linspace(1.0, 2.0, len(vocabulary)).astype(np.float32)
    doc, found, weights = TermIndex.of(vocabulary).weights(texts, token_ids, idf)
    for row, bag in enumerate(bags):
        expected = word_weights(bag, index, idf)
        got = dict(zip(found[doc == row].tolist(), weights[doc == row].tolist(), strict=True))
        assert got.keys() == expected.keys()
        assert all(got[k] == pytest.approx(v, abs=1e-6) for k, v in expected.items())
