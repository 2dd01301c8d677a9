"""The learned half of crisis detection: a small linear model shipped in moderation/data/.

It reads a text's words (tf-idf), the mean of its wordllama token vectors, and what the
rules found, and gives three answers: how likely the author is in crisis, how likely it
is urgent (a plan, means, a time), and which warning sign it sounds like. The artifact is
plain arrays (``crisis_model.npz``, loaded without pickle) and a JSON file with the
vocabulary, thresholds and how it was made; ``circles models train-crisis`` rebuilds both.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from moderation.crisis_bag import TermIndex
from moderation.crisis_features import (
    CHAR_BUCKETS,
    EMBEDDING_DIM,
    RULE_FEATURES,
    Embedder,
    IntArray,
    RuleFindings,
    Vector,
    char_grams,
    char_weights,
    is_short,
    rule_features,
)

MODEL_FILES = ("crisis_model.npz", "crisis_model.json")

# Plain words for each warning sign, for moderators ("why this was flagged").
SIGNS = {
    "burden": "feeling like a burden",
    "no_reason": "no reason to live",
    "trapped": "feeling trapped",
    "goodbye": "saying goodbye",
    "giving_away": "giving things away",
    "letters_will": "letters or a will",
    "means": "getting the means",
    "plan_time": "a plan or a time",
    "sudden_calm": "sudden calm after despair",
    "self_harm": "self-harm",
    "wish_to_die": "wishing to die",
}


class ModelUnavailable(RuntimeError):
    """The shipped artifact is missing or does not match this code."""


@dataclass(frozen=True)
class ModelScore:
    """The model's answers for one text; probabilities in [0, 1]."""

    crisis: float
    urgent: float
    short: bool  # read by the short-text head, and judged by its thresholds
    sign: str | None  # the most likely warning sign, when the model is fairly sure of it
    sign_score: float


@dataclass(frozen=True)
class Thresholds:
    """Chosen by cross-validation on the training data only (see crisis_train)."""

    concern: float  # crisis probability at which a human should look
    rule: float  # the least the model must agree when a rule fired: below it, a false alarm
    concern_short: float  # the same two for texts of at most SHORT_WORDS words
    rule_short: float
    urgent: float  # urgent probability, among flagged texts, that makes it urgent
    sign: float  # sign probability needed to name the warning sign


class CrisisModel:
    """Scores batches of normalised texts; safe to share between threads (read-only)."""

    def __init__(
        self, arrays: Mapping[str, npt.NDArray[Any]], meta: Mapping[str, Any], embedder: Embedder
    ) -> None:
        self.vocabulary: dict[str, int] = {w: i for i, w in enumerate(meta["vocabulary"])}
        self.signs: tuple[str, ...] = tuple(meta["signs"])
        self.version = str(meta["version"])
        self.thresholds = Thresholds(**meta["thresholds"])
        self.meta = dict(meta)
        self._idf: Vector = arrays["idf"].astype(np.float32)
        coef = arrays["coef"].astype(np.float32)
        size = len(self.vocabulary)
        expected = size + EMBEDDING_DIM + len(RULE_FEATURES)
        if coef.shape != (expected, 3 + len(self.signs)) or self._idf.shape != (size,):
            raise ModelUnavailable(f"crisis model arrays do not fit: coef {coef.shape}")
        # An artifact from before character n-grams reads words and vectors only.
        self._char_idf: Vector = arrays.get("char_idf", np.zeros(CHAR_BUCKETS)).astype(np.float32)
        self._char_coef: Vector = arrays.get("char_coef", np.zeros((CHAR_BUCKETS, 0))).astype(
            np.float32
        )
        if self._char_idf.shape != (CHAR_BUCKETS,) or self._char_coef.shape[0] != CHAR_BUCKETS:
            raise ModelUnavailable(f"crisis model char arrays do not fit: {self._char_coef.shape}")
        self._word_coef = coef[:size]
        self._dense_coef = coef[size:]
        self._intercept = arrays["intercept"].astype(np.float32)
        self._embedder = embedder
        try:
            stored = arrays if "pair_keys" in arrays else TermIndex.arrays(meta["vocabulary"])
            self._terms = TermIndex(self.vocabulary, stored)
        except (KeyError, ValueError) as exc:
            raise ModelUnavailable(f"crisis model term index: {exc}") from exc

    @classmethod
    def load(cls, folder: Path | None = None, embedder: Embedder | None = None) -> CrisisModel:
        folder = folder or Path(str(resources.files("moderation") / "data"))
        arrays_path, meta_path = (folder / name for name in MODEL_FILES)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            with np.load(arrays_path, allow_pickle=False) as stored:
                arrays = {key: stored[key] for key in stored.files}
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailable(f"cannot read the crisis model in {folder}: {exc}") from exc
        return cls(arrays, meta, embedder or Embedder.default())

    @classmethod
    def default(cls) -> CrisisModel:
        return _default_model()

    def logits(self, folded: Sequence[str], found: Sequence[RuleFindings]) -> Vector:
        """Raw scores (texts x heads): crisis (long texts), crisis (short texts), urgent,
        then one per warning sign."""
        vectors, token_ids = self._embedder.embed(folded)
        dense = np.hstack(
            [
                vectors,
                np.array([rule_features(f) for f in found], dtype=np.float32).reshape(
                    len(found), len(RULE_FEATURES)
                ),
            ]
        )
        out: Vector = dense @ self._dense_coef + self._intercept
        doc, index, weights = self._terms.weights(folded, token_ids, self._idf)
        _add_rows(out, doc, weights[:, None] * self._word_coef[index])
        self._add_chars(folded, out)
        return out

    def _add_chars(self, folded: Sequence[str], out: Vector) -> None:
        """Add the character n-grams' share to the first heads, for the whole batch."""
        if not self._char_coef.shape[1]:
            return
        doc, bucket, counts = char_grams(folded)
        if not doc.size:
            return
        weights = char_weights(doc, bucket, counts, self._char_idf, len(folded))
        _add_rows(
            out[:, : self._char_coef.shape[1]], doc, weights[:, None] * self._char_coef[bucket]
        )

    def score(self, folded: Sequence[str], found: Sequence[RuleFindings]) -> list[ModelScore]:
        if not folded:
            return []
        raw = self.logits(folded, found)
        short = np.array([is_short(text) for text in folded])
        crisis = _sigmoid(np.where(short, raw[:, 1], raw[:, 0]))
        urgent = _sigmoid(raw[:, 2])
        signs = _softmax(raw[:, 3:])
        best = signs.argmax(axis=1)
        return [
            ModelScore(
                float(crisis[i]),
                float(urgent[i]),
                bool(short[i]),
                self.signs[best[i]] if signs[i, best[i]] >= self.thresholds.sign else None,
                float(signs[i, best[i]]),
            )
            for i in range(len(folded))
        ]


def _add_rows(out: Vector, doc: IntArray, parts: Vector) -> None:
    """``out[doc[i]] += parts[i]`` for rows sorted by ``doc``, one numpy call."""
    if not len(doc):
        return
    starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
    out[doc[starts]] += np.add.reduceat(parts, starts, axis=0)


@cache
def _default_model() -> CrisisModel:
    return CrisisModel.load()


def _sigmoid(x: Vector) -> Vector:
    result: Vector = (1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))).astype(np.float32)
    return result


def _softmax(x: Vector) -> Vector:
    shifted = np.exp(x - x.max(axis=1, keepdims=True))
    result: Vector = shifted / shifted.sum(axis=1, keepdims=True)
    return result


def write_artifact(
    folder: Path, arrays: Mapping[str, npt.NDArray[Any]], meta: Mapping[str, Any]
) -> None:
    """Write the artifact byte for byte the same for the same model.

    ``np.savez`` stamps each member with the current time; this writes the same .npy
    members with a fixed date, and JSON with sorted keys.
    """
    folder.mkdir(parents=True, exist_ok=True)
    arrays_path, meta_path = (folder / name for name in MODEL_FILES)
    with zipfile.ZipFile(arrays_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())
    meta_path.write_text(json.dumps(meta, sort_keys=True, indent=1) + "\n", encoding="utf-8")
