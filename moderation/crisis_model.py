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

from moderation.crisis_features import (
    EMBEDDING_DIM,
    RULE_FEATURES,
    Embedder,
    RuleFindings,
    Vector,
    is_short,
    rule_features,
    terms,
    word_weights,
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
        self._word_coef = coef[:size]
        self._dense_coef = coef[size:]
        self._intercept = arrays["intercept"].astype(np.float32)
        self._embedder = embedder

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
        for row, (text, ids) in enumerate(zip(folded, token_ids, strict=True)):
            bag = terms(text, ids)
            weights = word_weights(bag, self.vocabulary, self._idf)
            if weights:
                index = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
                value = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
                out[row] += value @ self._word_coef[index]
        return out

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
