"""The crisis model's bag of terms for a whole batch at once, with numpy.

Gives the same weights as ``crisis_features.terms`` and ``word_weights`` text by text, but
without building a string for every word pair and token pair: a pair can be in the
vocabulary only if both its halves are (a pair is in at least as many texts as each half),
so pairs are looked up as two vocabulary indices in one sorted array.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain, repeat

import numpy as np

from moderation.crisis_features import (
    _NEGATORS,
    _SCOPE_ENDS,
    _SCOPE_WORDS,
    _WORD_OR_STOP,
    IntArray,
    Vector,
)

_NONE = -1
# What each piece of a text is, for negation scoping (see ``scoped_words``).
_PLAIN, _NEGATOR, _SCOPE_END, _MARK, _MARK_BREAK = 0, 1, 2, 3, 4
_BREAK = "\x00"  # between two texts: ends a scope and a pair
_KINDS: dict[str, int] = {
    **{word: _NEGATOR for word in _NEGATORS},
    **{word: _SCOPE_END for word in _SCOPE_ENDS},
    **{mark: _MARK for mark in '.,;:!?()"\n'},
    _BREAK: _MARK_BREAK,
}


class TermIndex:
    """Vocabulary indices of words, wordllama tokens, and their pairs."""

    def __init__(self, words: Mapping[str, int], arrays: Mapping[str, IntArray]) -> None:
        """``words``: the whole vocabulary (term -> index); ``arrays``: what ``arrays``
        computed from it, stored in the artifact so loading does not redo it."""
        self.size = len(words)
        self._words = words
        self._tokens: IntArray = arrays["token_index"].astype(np.int64)
        self._pair_keys: IntArray = arrays["pair_keys"].astype(np.int64)
        self._pair_values: IntArray = arrays["pair_values"].astype(np.int64)
        if self._pair_keys.shape != self._pair_values.shape or not len(self._tokens):
            raise ValueError("term index arrays do not fit")

    @classmethod
    def of(cls, vocabulary: Sequence[str]) -> TermIndex:
        return cls({term: i for i, term in enumerate(vocabulary)}, cls.arrays(vocabulary))

    @staticmethod
    def arrays(vocabulary: Sequence[str]) -> dict[str, IntArray]:
        """Token id -> vocabulary index (-1 when unknown), and the pairs as sorted
        ``first * size + second`` keys with their vocabulary indices."""
        index = {term: i for i, term in enumerate(vocabulary)}
        tokens = {int(term[1:]): i for term, i in index.items() if _is_token(term)}
        table = np.full(max(tokens, default=0) + 1, _NONE, dtype=np.int64)
        for token, i in tokens.items():
            table[token] = i
        keys: list[int] = []
        values: list[int] = []
        for i, term in enumerate(vocabulary):
            halves = _halves(term)
            if halves is None:
                continue
            first, second = (index.get(half) for half in halves)
            if first is not None and second is not None:
                keys.append(first * len(vocabulary) + second)
                values.append(i)
        order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
        return {
            "token_index": table,
            "pair_keys": np.array(keys, dtype=np.int64)[order],
            "pair_values": np.array(values, dtype=np.int64)[order],
        }

    def weights(
        self, folded: Sequence[str], token_ids: Sequence[Sequence[int]], idf: Vector
    ) -> tuple[IntArray, IntArray, Vector]:
        """(text, vocabulary index, weight) of every known term: sublinear tf-idf, each
        text's row scaled to unit length; sorted by text, then index."""
        word_doc, words = self._word_ids(folded)
        token_doc = np.repeat(
            np.arange(len(token_ids), dtype=np.int64), [len(ids) for ids in token_ids]
        )
        tokens = np.fromiter(chain.from_iterable(token_ids), dtype=np.int64, count=len(token_doc))
        tokens = np.where(
            tokens < len(self._tokens),
            self._tokens[np.minimum(tokens, len(self._tokens) - 1)],
            _NONE,
        )
        docs = [word_doc, word_doc[:-1], token_doc, token_doc[:-1]]
        found = [words, self._pairs(words, word_doc), tokens, self._pairs(tokens, token_doc)]
        doc_all, terms = np.concatenate(docs), np.concatenate(found)
        known = terms != _NONE
        keys, counts = np.unique(doc_all[known] * self.size + terms[known], return_counts=True)
        doc_of, index = keys // self.size, keys % self.size
        raw = (1.0 + np.log(counts)) * idf[index].astype(np.float64)
        norms = np.sqrt(np.bincount(doc_of, weights=raw * raw, minlength=len(folded)))
        weights: Vector = (raw / np.maximum(norms[doc_of], 1e-300)).astype(np.float32)
        return doc_of, index, weights

    def _word_ids(self, folded: Sequence[str]) -> tuple[IntArray, IntArray]:
        """Each text's words (``scoped_words``, negation marked) as vocabulary indices, and
        the text each belongs to; the batch at once."""
        pieces: list[str] = []
        for text in folded:
            pieces.extend(_WORD_OR_STOP.findall(text))
            pieces.append(_BREAK)
        kinds = np.fromiter(map(_KINDS.get, pieces, repeat(_PLAIN)), dtype=np.int8)
        position = np.arange(len(pieces))
        # A negation governs the next _SCOPE_WORDS plain words, until a mark or "but".
        last = np.maximum.accumulate(np.where(kinds != _PLAIN, position, -1))
        negated = (
            (kinds == _PLAIN)
            & (last >= 0)
            & (kinds[np.maximum(last, 0)] == _NEGATOR)
            & (position - last <= _SCOPE_WORDS)
        )
        doc = np.cumsum(kinds == _MARK_BREAK) - (kinds == _MARK_BREAK)
        kept = (kinds == _PLAIN) | (kinds == _NEGATOR) | (kinds == _SCOPE_END)
        get = self._words.get
        ids = np.fromiter(map(get, pieces, repeat(_NONE)), dtype=np.int64, count=len(pieces))
        for at in np.flatnonzero(negated):
            ids[at] = get("~" + pieces[at], _NONE)
        return doc[kept].astype(np.int64), ids[kept]

    def _pairs(self, items: IntArray, doc: IntArray) -> IntArray:
        """Vocabulary indices of consecutive pairs within a text (``_NONE`` for unknown
        ones); one per item but the last."""
        out: IntArray = np.full(max(len(items) - 1, 0), _NONE, dtype=np.int64)
        if len(items) < 2 or not len(self._pair_keys):
            return out
        first, second = items[:-1], items[1:]
        known = (first != _NONE) & (second != _NONE) & (doc[:-1] == doc[1:])
        keys = first[known] * self.size + second[known]
        at = np.minimum(np.searchsorted(self._pair_keys, keys), len(self._pair_keys) - 1)
        hit = self._pair_keys[at] == keys
        out[known] = np.where(hit, self._pair_values[at], _NONE)
        return out


def _is_token(term: str) -> bool:
    return term.startswith("#") and term[1:].isdigit()


def _halves(term: str) -> tuple[str, str] | None:
    """The two halves of a word pair ("not suicidal") or a token pair ("#12#345")."""
    if " " in term:
        first, _, second = term.partition(" ")
        return first, second
    if term.startswith("#") and "#" in term[1:]:
        cut = term.index("#", 1)
        return term[:cut], term[cut:]
    return None
