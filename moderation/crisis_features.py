"""What the crisis model reads: words, token embeddings, and what the rules found.

Shared by training (``moderation.crisis_train``) and scoring (``moderation.crisis_model``)
so both see exactly the same numbers. Needs numpy, and for the embeddings the tokenizer
and 256-d token vectors that ship inside the ``wordllama`` wheel (read from the installed
package, never downloaded).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

_WORD = re.compile(r"[a-z0-9]+")
# Words and the marks that close a negation's reach (folded text has no apostrophes: "dont").
_WORD_OR_STOP = re.compile(r"[a-z0-9]+|[.,;:!?()\"\n]")
_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "nor",
        "cannot",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "wont",
        "wouldnt",
        "cant",
        "couldnt",
        "shouldnt",
        "havent",
        "hasnt",
        "hadnt",
        "aint",
    ]
)
# A negation governs the next few words of its clause, not the rest of the post (NegEx).
_SCOPE_WORDS = 5
_SCOPE_ENDS = frozenset({"but", "though", "although", "because", "cause", "yet"})
EMBEDDING_DIM = 256
# Long posts say what matters early; the cap keeps a 40k-character post as cheap as a long one.
MAX_TOKENS = 512
_TOKENIZER = ("tokenizers", "l2_supercat_tokenizer_config.json")
_WEIGHTS = ("weights", "l2_supercat_256.safetensors")

# What the rules found, as numbers the model can weigh (see ``rule_features``).
RULE_FEATURES = (
    "rule_concern",
    "rule_urgent",
    "rule_suicide",
    "rule_self_harm",
    "rule_distress",
    "rule_harm_to_others",
    "rule_about_others",
    "rule_discounted",
)


class EmbeddingsUnavailable(RuntimeError):
    """The wordllama package (tokenizer and token vectors) is not installed."""


@dataclass(frozen=True)
class RuleFindings:
    """The rules' verdict on one text, reduced to what the model reads."""

    level: int  # 0 none, 1 concern, 2 urgent
    categories: frozenset[str]
    about_others: bool
    # Matches dropped as negated, idiomatic or past: "I have never been suicidal".
    discounted: bool


# Texts of at most this many words are read by the short-message head.
SHORT_WORDS = 30

# Character n-grams inside words (scikit-learn's char_wb, 2-5 characters), hashed into a
# fixed number of buckets: misspellings, run-together titles and word stems without a
# vocabulary to ship. Computed with numpy for a whole batch at once.
CHAR_BUCKETS = 1 << 18
CHAR_MIN, CHAR_MAX = 2, 5
# Long posts say what matters early; the cap keeps a 40k-character post cheap.
MAX_CHARS = 4000
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACE, _SEPARATOR = 32, 1
_HASH_BASE = np.uint64(1099511628211)
_HASH_MIX = np.uint64(0xFF51AFD7ED558CCD)


def words(folded: str) -> list[str]:
    return _WORD.findall(folded)


def is_short(folded: str) -> bool:
    return len(_WORD.findall(folded)) <= SHORT_WORDS


def scoped_words(folded: str) -> list[str]:
    """The words, with those a negation governs marked: "im not depressed anymore" gives
    ``im not ~depressed ~anymore``, so "depressed" there counts apart from "im depressed".

    The reach ends after a few words, at punctuation, or at "but" (NegEx's scoping).
    """
    out: list[str] = []
    reach = 0
    for word in _WORD_OR_STOP.findall(folded):
        if not word[0].isalnum():
            reach = 0
        elif word in _NEGATORS:
            out.append(word)
            reach = _SCOPE_WORDS
        elif word in _SCOPE_ENDS:
            out.append(word)
            reach = 0
        elif reach:
            out.append("~" + word)
            reach -= 1
        else:
            out.append(word)
    return out


def terms(folded: str, token_ids: Sequence[int]) -> list[str]:
    """What the bag of terms counts: words and word pairs ("not suicidal", "last year"),
    negation marked (``scoped_words``), and wordllama's subword tokens and token pairs
    (misspellings, run-together titles)."""
    found = scoped_words(folded)
    tokens = [f"#{i}" for i in token_ids]
    return [
        *found,
        *(f"{a} {b}" for a, b in pairwise(found)),
        *tokens,
        *(f"{a}{b}" for a, b in pairwise(tokens)),
    ]


def char_grams(folded: Sequence[str]) -> tuple[IntArray, IntArray, Vector]:
    """Each text's hashed character n-grams as (text index, bucket, count), sorted.

    Words are runs of letters and digits, padded with a space each side; an n-gram never
    spans two words (char_wb). The hash is a fixed polynomial over the bytes, mixed, so the
    buckets are the same on every machine and in every process.
    """
    stripped = (_NOT_ALNUM.sub(" ", text[:MAX_CHARS]).strip() for text in folded)
    cleaned = [f" {text} " if text else "" for text in stripped]
    if not cleaned:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    joined = "\x01".join(cleaned) + "\x01"
    codes = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).astype(np.uint64)
    lengths = np.fromiter((len(c) + 1 for c in cleaned), dtype=np.int64, count=len(cleaned))
    owner = np.repeat(np.arange(len(cleaned), dtype=np.int64), lengths)
    spaces = np.concatenate(([0], np.cumsum(codes == _SPACE)))
    separators = np.concatenate(([0], np.cumsum(codes == _SEPARATOR)))
    keys = []
    rolling = codes.copy()
    buckets = np.uint64(CHAR_BUCKETS)
    with np.errstate(over="ignore"):
        for n in range(2, CHAR_MAX + 1):
            rolling = rolling[:-1] * _HASH_BASE + codes[n - 1 :]
            if n < CHAR_MIN:
                continue
            start = np.arange(len(rolling))
            # Within one text, and no space inside the n-gram (only at its ends).
            keep = separators[start + n] == separators[start]
            keep &= spaces[start + n - 1] == spaces[start + 1]
            mixed = rolling[keep] + np.uint64(n)
            mixed ^= mixed >> np.uint64(33)
            mixed *= _HASH_MIX
            mixed ^= mixed >> np.uint64(29)
            bucket = (mixed % buckets).astype(np.int64)
            keys.append(owner[: len(rolling)][keep] * CHAR_BUCKETS + bucket)
    unique, counts = np.unique(np.concatenate(keys), return_counts=True)
    return unique // CHAR_BUCKETS, unique % CHAR_BUCKETS, counts.astype(np.float32)


def char_weights(
    doc: IntArray, bucket: IntArray, counts: Vector, idf: Vector, texts: int
) -> Vector:
    """Sublinear tf-idf of ``char_grams``' counts, each text's row scaled to unit length."""
    weights: Vector = ((1.0 + np.log(counts)) * idf[bucket]).astype(np.float32)
    norms = np.sqrt(np.bincount(doc, weights=weights * weights, minlength=texts))
    return (weights / np.maximum(norms[doc], 1e-12)).astype(np.float32)


def rule_features(found: RuleFindings) -> list[float]:
    return [
        float(found.level >= 1),
        float(found.level >= 2),
        float("suicide" in found.categories),
        float("self_harm" in found.categories),
        float("distress" in found.categories),
        float("harm_to_others" in found.categories),
        float(found.about_others),
        float(found.discounted),
    ]


def document_frequencies(texts: Sequence[Sequence[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for tokens in texts:
        counts.update(set(tokens))
    return counts


def smooth_idf(document_count: int, frequency: int) -> float:
    """scikit-learn's smoothed idf: ln((1 + n) / (1 + df)) + 1."""
    return math.log((1 + document_count) / (1 + frequency)) + 1.0


def word_weights(
    tokens: Sequence[str], vocabulary: Mapping[str, int], idf: Vector
) -> dict[int, float]:
    """Sublinear tf-idf of the known words, scaled to unit length (index -> weight)."""
    counts = Counter(i for i in map(vocabulary.get, tokens) if i is not None)
    weights = {i: (1.0 + math.log(n)) * float(idf[i]) for i, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {i: w / norm for i, w in weights.items()} if norm else {}


class Embedder:
    """Mean of wordllama's token vectors over a text, scaled to unit length."""

    def __init__(self, root: Path) -> None:
        # Imported here: the package stays importable (rules only) without them.
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(root.joinpath(*_TOKENIZER)))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        table = load_file(str(root.joinpath(*_WEIGHTS)))["embedding.weight"]
        self._vectors: Vector = np.ascontiguousarray(table, dtype=np.float32)
        if self._vectors.shape[1] != EMBEDDING_DIM:
            raise EmbeddingsUnavailable(f"unexpected token vectors {self._vectors.shape}")

    @classmethod
    def default(cls) -> Embedder:
        return _default_embedder()

    def embed(self, folded: Sequence[str]) -> tuple[Vector, list[list[int]]]:
        """One unit-length row per (already normalised) text, zeros for an empty text; and
        each text's token ids."""
        out = np.zeros((len(folded), EMBEDDING_DIM), dtype=np.float32)
        if not folded:
            return out, []
        encodings = self._tokenizer.encode_batch(list(folded), add_special_tokens=False)
        token_ids: list[list[int]] = [e.ids for e in encodings]
        lengths = np.array([len(t) for t in token_ids], dtype=np.int64)
        filled = np.flatnonzero(lengths)
        if filled.size == 0:
            return out, token_ids
        ids = np.fromiter(
            (i for t in token_ids for i in t), dtype=np.int64, count=int(lengths.sum())
        )
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[filled]
        sums = np.add.reduceat(self._vectors[ids], starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        out[filled] = sums / np.maximum(norms, 1e-12)
        return out, token_ids


@cache
def _default_embedder() -> Embedder:
    # The package's folder, found without importing it (its __init__ pulls in a downloader).
    spec = find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingsUnavailable("the wordllama package is not installed")
    return Embedder(Path(next(iter(spec.submodule_search_locations))))
