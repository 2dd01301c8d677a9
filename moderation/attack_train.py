"""Fit the attack-at-target model (attack_model.py) from the forum training data.

Training rows: every row of training/forum_toxicity_extra.csv, and the *train* half of
training/forum_toxicity.csv (the hash split of bench/toxicity_eval.py). The test half,
and the Wikipedia and madlibs eval sets, are never read here: the regularisation and both
thresholds are chosen by cross-validation on the training rows alone. Deterministic: the
same rows give the same weights (fixed folds, a deterministic solver).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from moderation.attack_model import AttackModel, AttackScore, features, out_of_reach, warm

FORUM_FILE = "forum_toxicity.csv"
EXTRA_FILE = "forum_toxicity_extra.csv"
# Hand-written training-only lines in the categories (never read from eval data):
# forum_toxicity_more.csv, forum_toxicity_more_2.csv …, read in name order.
MORE_GLOB = "forum_toxicity_more*.csv"
C_VALUES = (0.25, 1.0, 4.0, 16.0)
FOLDS = 5
# Out-of-fold, the share of benign training lines the model alone may send to a human,
# and may hold. Held: half of the tightest ceiling issue 11 sets (2% on Wikipedia). Sent:
# 3% found too few attacks (0.82 of them reached a human across the whole decision, out
# of fold); at 5% the whole decision reaches 0.91 of attacks and sends 0.14 of benign
# lines (classifier flag at 0.85), inside the 0.85 and 0.15.
FLAG_BENIGN_RATE = 0.05
HOLD_BENIGN_RATE = 0.01


def forum_split_of(text: str) -> str:
    """As bench/toxicity_eval.py's: "train" or "test" from a hash of the text."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return "train" if digest[0] % 2 == 0 else "test"


@dataclass(frozen=True)
class Rows:
    texts: list[str]
    attack: NDArray[np.int_]
    sources: dict[str, int]


def _read(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(row["text"].strip(), row["label"].strip()) for row in csv.DictReader(handle)]
    bad = {label for _, label in rows} - {"attack", "benign"}
    if bad:
        raise ValueError(f"{path}: labels must be 'attack' or 'benign', not {sorted(bad)}")
    return [(text, label) for text, label in rows if text]


def training_rows(data_dir: Path) -> Rows:
    """The extra file whole, the forum file's train half; duplicates kept once."""
    forum = [row for row in _read(data_dir / FORUM_FILE) if forum_split_of(row[0]) == "train"]
    extra_path = data_dir / EXTRA_FILE
    extra = _read(extra_path) if extra_path.exists() else []
    more = {path.name: _read(path) for path in sorted(data_dir.glob(MORE_GLOB))}
    seen: dict[str, str] = {}
    for text, label in [*forum, *extra, *(row for rows in more.values() for row in rows)]:
        seen.setdefault(text, label)
    texts = sorted(seen)
    attack = np.array([seen[t] == "attack" for t in texts], dtype=np.int_)
    sources = {FORUM_FILE + " (train half)": len(forum), EXTRA_FILE: len(extra)}
    return Rows(texts, attack, {**sources, **{name: len(rows) for name, rows in more.items()}})


def _fit(matrix: Any, attack: NDArray[np.int_], c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=2000)
    model.fit(matrix, attack)
    return model


def out_of_fold(matrix: Any, attack: NDArray[np.int_], c: float) -> NDArray[np.float64]:
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    found = np.zeros(len(attack))
    for fit_rows, held_rows in folds.split(np.zeros(len(attack)), attack):
        model = _fit(matrix[fit_rows], attack[fit_rows], c)
        found[held_rows] = model.predict_proba(matrix[held_rows])[:, 1]
    return found


def threshold_for(scores: NDArray[np.float64], benign: NDArray[np.bool_], rate: float) -> float:
    """The lowest threshold at which at most `rate` of benign lines score at or over it."""
    ranked = np.sort(scores[benign])[::-1]
    allowed = int(np.floor(rate * len(ranked)))
    return float(ranked[allowed]) + 1e-6 if allowed < len(ranked) else 0.0


def train(rows: Rows, classifier: Sequence[float]) -> tuple[AttackModel, dict[str, Any]]:
    """Choose C and thresholds by cross-validation, then fit on every training row."""
    matrix = features(rows.texts, classifier)
    lengths = np.array([len(text.split()) for text in rows.texts])
    min_words = int(np.percentile(lengths[rows.attack == 0], 1))
    max_words = int(lengths.max())
    short = np.array([out_of_reach(text, min_words, max_words) for text in rows.texts])
    report: dict[str, Any] = {"rows": len(rows.texts), "attacks": int(rows.attack.sum())}
    report.update(min_words=min_words, max_words=max_words)
    best: tuple[float, float, NDArray[np.float64]] | None = None
    for c in C_VALUES:
        raw = out_of_fold(matrix, rows.attack, c)
        auc = float(roc_auc_score(rows.attack, raw))
        # Lines out of its reach are never sent (out_of_reach), as the model is used.
        oof = np.where(short, 0.0, raw)
        report[f"cv_auc_C{c:g}"] = round(auc, 4)
        if best is None or auc > best[1]:
            best = (c, auc, oof)
    assert best is not None
    c, auc, oof = best
    benign = rows.attack == 0
    flag = threshold_for(oof, benign, FLAG_BENIGN_RATE)
    hold = max(flag, threshold_for(oof, benign, HOLD_BENIGN_RATE))
    attacks = rows.attack == 1
    report.update(
        C=c,
        cv_auc=round(auc, 4),
        flag=round(flag, 4),
        hold=round(hold, 4),
        cv_attack_flagged=round(float((oof[attacks] >= flag).mean()), 4),
        cv_attack_held=round(float((oof[attacks] >= hold).mean()), 4),
        cv_benign_flagged=round(float((oof[benign] >= flag).mean()), 4),
        cv_benign_held=round(float((oof[benign] >= hold).mean()), 4),
    )
    report["classifier_flag_sweep"] = classifier_flag_sweep(rows, classifier, oof, flag, hold)
    fitted = _fit(matrix, rows.attack, c)
    digest = hashlib.sha256("\n".join(rows.texts).encode()).hexdigest()[:12]
    meta = {
        "version": f"attacks-{digest}-C{c:g}",
        "sources": rows.sources,
        "cv": report,
        "min_words": min_words,
        "max_words": max_words,
    }
    model = AttackModel(
        fitted.coef_[0].astype(np.float64), float(fitted.intercept_[0]), flag, hold, meta
    )
    return model, report


SWEEP = (0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def classifier_flag_sweep(
    rows: Rows, classifier: Sequence[float], oof: NDArray[np.float64], flag: float, hold: float
) -> dict[str, dict[str, float]]:
    """What the whole decision would do to the training rows, out of fold, for each flag
    threshold of the embedded classifier: how the default in decision.Policy was chosen."""
    from moderation.crisis import CrisisDetector
    from moderation.decision import Policy, decide
    from moderation.insults import find_insult
    from moderation.targets import find_target

    detector = CrisisDetector.default()
    readings = []
    for text, score, p in zip(rows.texts, classifier, oof, strict=True):
        insult = find_insult(text)
        # As AttackModel._reading: a warm line needs the hold threshold to be sent.
        over = bool(p >= (hold if warm(text) else flag))
        attack = AttackScore(float(p), (), over, bool(p >= hold))
        readings.append((detector.detect(text), score, find_target(text, insult), insult, attack))
    attacks = rows.attack == 1
    sweep: dict[str, dict[str, float]] = {}
    for limit in SWEEP:
        policy = Policy(flag={**Policy().flag, "toxicity": limit})
        found = [decide(c, {"toxicity": s}, t, policy, i, a) for c, s, t, i, a in readings]
        sent = np.array([d.queued for d in found])
        held = np.array([d.held for d in found])
        sweep[f"{limit:g}"] = {
            "attack_sent": round(float(sent[attacks].mean()), 4),
            "benign_sent": round(float(sent[~attacks].mean()), 4),
            "benign_held": round(float(held[~attacks].mean()), 4),
        }
    return sweep


def rebuild(data_dir: Path, out: Path) -> dict[str, Any]:
    """Train from `data_dir` with the embedded classifier's scores and write `out`."""
    from moderation.toxicity import EmbeddedScorer

    rows = training_rows(data_dir)
    if len(set(rows.attack.tolist())) < 2:
        raise ValueError(f"{data_dir}: training needs both attack and benign rows")
    scores = [s["toxicity"] for s in EmbeddedScorer().score(rows.texts)]
    model, report = train(rows, scores)
    model.save(out)
    return report
