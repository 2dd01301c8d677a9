"""A learned attack-at-target model: is this text aimed, with hostility, at a person or group?

The insult rules (insults.py) explain themselves but only know the phrasings they were
written from. This logistic regression reads the same text as word and character n-grams
(hashed, so no vocabulary needs shipping) plus a few cues a moderator can read back: the
embedded classifier's score, VADER's tone, who is in view (you, a name or @mention, a
group or identity word, only the author) and whether the rules fired. Its weights ship in
moderation/data/attack_model.npz (plain arrays, no pickle) and are rebuilt, the same
every time, by `circles models train-attacks` (attack_train.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from moderation.identity import GROUP_WORDS, IDENTITY_WORDS
from moderation.insults import EXPLETIVES, INSULT_WORDS, find_insult, polarity, tokens, tone
from moderation.normalize import fold
from moderation.targets import Target, find_target, judges_self
from moderation.wording import N_

MODEL_FILE = "attack_model.npz"
SHORT, LONG = 8, 25  # words, when the model does not say; see out_of_reach
N_FEATURES = 2**18
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_.-]{3,32}")
_NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+\b")
_SECOND = frozenset({"you", "your", "youre", "yours", "yourself", "u", "ur", "ya", "yall"})
_THIRD = frozenset({"he", "she", "him", "her", "they", "them", "hes", "shes", "theyre"})
_FIRST = frozenset({"i", "im", "me", "my", "myself", "ive", "id"})

# The cues, in the order of the model's dense weights; each lies in [0, 1] (or -1 .. 1).
CUES = (
    "classifier",
    "tone",
    "negative",
    "second_person",
    "name_or_mention",
    "third_person",
    "identity_or_group",
    "only_the_author",
    "insult_word",
    "swear_word",
    "judges_self",
    "target_self",
    "target_none",
    "target_unclear",
)
# How a cue is named in a moderator's reason (worded in the reader's language when shown).
CUE_WORDS = {
    "classifier": N_("the classifier's score"),
    "second_person": N_("'you'"),
    "name_or_mention": N_("a name or @mention"),
    "third_person": N_("he/she/they"),
    "identity_or_group": N_("a group or identity word"),
    "insult_word": N_("an insult word"),
    "negative": N_("a hostile tone"),
}


def word_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        n_features=N_FEATURES, ngram_range=(1, 2), alternate_sign=False, norm="l2"
    )


def char_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        n_features=N_FEATURES,
        analyzer="char_wb",
        ngram_range=(2, 5),
        alternate_sign=False,
        norm="l2",
    )


def cues(text: str, classifier: float) -> list[float]:
    """The dense cues of one text, in CUES order.

    The insult rules' own verdict is not among them: they were written from the forum
    set's train half, so on those rows they look near perfect and the model would learn
    to trust them more than they deserve. decide() weighs the rules beside the model.
    """
    folded = fold(text)
    words = set(tokens(folded))
    insult = find_insult(text)
    target = find_target(text, insult)
    scores = polarity(text)
    second = bool(words & _SECOND)
    named = bool(_MENTION.search(text) or _NAME.search(text))
    third = bool(words & _THIRD)
    groups = bool(words & (IDENTITY_WORDS | GROUP_WORDS))
    values = {
        "classifier": classifier,
        "tone": tone(text),
        "negative": float(scores["neg"]),
        "second_person": second,
        "name_or_mention": named,
        "third_person": third,
        "identity_or_group": groups,
        "only_the_author": bool(words & _FIRST) and not (second or named or third or groups),
        "insult_word": bool(words & INSULT_WORDS),
        "swear_word": bool(words & EXPLETIVES),
        "judges_self": judges_self(folded),
        "target_self": target == Target.SELF,
        "target_none": target == Target.NONE,
        "target_unclear": target == Target.UNCLEAR,
    }
    return [float(values[name]) for name in CUES]


def features(texts: Sequence[str], classifier: Sequence[float]) -> sparse.csr_matrix:
    """Word n-grams, character n-grams and the cues, side by side."""
    lowered = [fold(text) for text in texts]
    dense = np.array(
        [cues(t, s) for t, s in zip(texts, classifier, strict=True)], dtype=np.float64
    ).reshape(len(texts), len(CUES))
    return sparse.hstack(
        [
            word_vectorizer().transform(lowered),
            char_vectorizer().transform(lowered),
            sparse.csr_matrix(dense),
        ],
        format="csr",
    )


# An attack does not read warmly. Its training lines say "you" in two attacks of three, so
# on its own the model took "You are not alone. Warm milk helps me." for one; a line whose
# sentiment (VADER compound) reads this warm must reach the model's hold threshold, where
# it is sure, to be sent: sarcasm and wishes ("I hope your kids never speak to you again",
# "hope" being warm to VADER) read warm and are still attacks.
WARM = 0.3


def warm(text: str) -> bool:
    return polarity(text)["compound"] >= WARM


def out_of_reach(text: str, min_words: int, max_words: int) -> bool:
    """Lines unlike any the model learned from, which it leaves to the rules and the
    classifier. Shorter than nearly every benign training line (1st percentile): it has
    never seen "Thank you all" or "this f***ing week" said kindly and would read any short
    line to someone as an attack. Longer than every training line (one or two sentences):
    a long argument quoting and answering "you" is not what it was taught to tell apart."""
    return not min_words <= len(text.split()) <= max_words


@dataclass(frozen=True)
class AttackScore:
    """How likely the text attacks someone, and the cues that pushed it up most."""

    probability: float
    cues: tuple[str, ...]
    flagged: bool = False  # at or over the model's flag threshold: a moderator reads it
    strong: bool = False  # at or over its hold threshold: held until one has
    # Within the lengths it learned from (out_of_reach): when not, the classifier's score
    # stands alone in the decision (decision.Policy.flag_for).
    in_reach: bool = True


@dataclass(frozen=True)
class AttackModel:
    weights: NDArray[np.float64]  # one per column of features()
    intercept: float
    flag: float  # at or over: a moderator reads it
    hold: float  # at or over: held until one has
    meta: dict[str, Any]

    @property
    def min_words(self) -> int:
        return int(self.meta.get("min_words", SHORT))

    @property
    def max_words(self) -> int:
        return int(self.meta.get("max_words", LONG))

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unknown"))

    def score(self, texts: Sequence[str], classifier: Sequence[float]) -> list[AttackScore]:
        """Score a batch; `classifier` is the embedded classifier's toxicity per text."""
        if not texts:
            return []
        matrix = features(texts, classifier)
        logits = matrix @ self.weights + self.intercept
        probabilities = 1.0 / (1.0 + np.exp(-logits))
        dense = matrix[:, -len(CUES) :].toarray()
        cue_weights = self.weights[-len(CUES) :]
        return [
            self._reading(text, float(p), self._named_cues(row, cue_weights))
            for p, row, text in zip(probabilities, dense, texts, strict=True)
        ]

    def _reading(self, text: str, p: float, named: tuple[str, ...]) -> AttackScore:
        if out_of_reach(text, self.min_words, self.max_words):
            return AttackScore(p, named, in_reach=False)
        flag = self.hold if warm(text) else self.flag
        return AttackScore(p, named, p >= flag, p >= self.hold)

    @staticmethod
    def _named_cues(row: NDArray[np.float64], cue_weights: NDArray[np.float64]) -> tuple[str, ...]:
        pushes = row * cue_weights
        order = np.argsort(-pushes, kind="stable")
        return tuple(
            CUE_WORDS[CUES[i]] for i in order[:3] if pushes[i] > 0.1 and CUES[i] in CUE_WORDS
        )

    def save(self, path: Any) -> None:
        """Non-zero weights only, as plain arrays (loaded with allow_pickle=False)."""
        nonzero = np.flatnonzero(self.weights).astype(np.int32)
        np.savez_compressed(
            path,
            index=nonzero,
            value=self.weights[nonzero].astype(np.float32),
            size=np.array([self.weights.size], dtype=np.int64),
            intercept=np.array([self.intercept]),
            thresholds=np.array([self.flag, self.hold]),
            meta=np.array(json.dumps(self.meta, sort_keys=True)),
        )

    @classmethod
    def load(cls, path: Any) -> AttackModel:
        with np.load(path, allow_pickle=False) as data:
            weights = np.zeros(int(data["size"][0]), dtype=np.float64)
            weights[data["index"]] = data["value"]
            flag, hold = (float(x) for x in data["thresholds"])
            meta = json.loads(str(data["meta"]))
            return cls(weights, float(data["intercept"][0]), flag, hold, meta)


@cache
def attack_model() -> AttackModel:
    """The shipped model, loaded once."""
    with files("moderation").joinpath("data", MODEL_FILE).open("rb") as handle:
        return AttackModel.load(handle)
