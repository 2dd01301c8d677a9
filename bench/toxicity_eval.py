"""Measure the active toxicity scorer on the shared evaluation data; print one JSON object."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from moderation.decision import Action, Policy
from moderation.pipeline import Pipeline
from moderation.toxicity import BACKENDS, ToxicityScorer, build_scorer

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "toxicity"
WIKI_FILE = "wiki_toxicity_test.csv"
MADLIBS_FILE = "bias_madlibs_77k.csv"


def roc_auc(scores: Sequence[float], positives: Sequence[bool]) -> float:
    """Rank-based ROC AUC (Mann-Whitney U), tied scores sharing their average rank."""
    order = sorted(range(len(scores)), key=scores.__getitem__)
    ranks = [0.0] * len(scores)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        for i in range(start, end + 1):
            ranks[order[i]] = (start + end) / 2 + 1
        start = end + 1
    n_pos = sum(positives)
    n_neg = len(positives) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC AUC needs both positive and negative rows")
    rank_sum = sum(rank for rank, positive in zip(ranks, positives, strict=True) if positive)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def at_threshold(
    scores: Sequence[float], positives: Sequence[bool], threshold: float
) -> dict[str, Any]:
    """Precision, recall and false-positive rate when scores >= threshold are flagged."""
    flagged = [score >= threshold for score in scores]
    tp = sum(f and p for f, p in zip(flagged, positives, strict=True))
    fp = sum(f and not p for f, p in zip(flagged, positives, strict=True))
    n_pos = sum(positives)
    n_neg = len(positives) - n_pos
    return {
        "threshold": threshold,
        "flagged": tp + fp,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / n_pos, 4) if n_pos else None,
        "false_positive_rate": round(fp / n_neg, 4) if n_neg else None,
    }


def read_rows(
    path: Path, text_column: str, label_column: str, positive: str
) -> tuple[list[str], list[bool]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row[text_column] for row in rows], [row[label_column] == positive for row in rows]


def score_all(
    scorer: ToxicityScorer, texts: Sequence[str], label: str, batch_size: int
) -> list[float]:
    scores: list[float] = []
    for start in range(0, len(texts), batch_size):
        scores.extend(row[label] for row in scorer.score(texts[start : start + batch_size]))
    return scores


def decisions(
    scorer: ToxicityScorer, texts: Sequence[str], toxic: Sequence[bool], batch_size: int
) -> dict[str, dict[str, float]]:
    """What the whole pipeline does with these texts: held, published and queued, or published.

    Scores alone overstate what happens to people: swearing at no one and pain aimed at
    oneself are not held, whatever the model says.
    """
    pipeline = Pipeline(scorer)
    actions: list[str] = []
    for start in range(0, len(texts), batch_size):
        batch = pipeline.assess_batch(texts[start : start + batch_size])
        actions.extend(a.decision.action.value for a in batch)
    result = {}
    for name, wanted in (("toxic", True), ("not_toxic", False)):
        chosen = [a for a, t in zip(actions, toxic, strict=True) if t == wanted]
        result[name] = {
            action.value: round(chosen.count(action.value) / max(1, len(chosen)), 4)
            for action in Action
        }
    return result


def evaluate(scorer: ToxicityScorer, data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    thresholds = {"flag": args.flag_threshold, "hold": args.hold_threshold}
    wiki_texts, wiki_toxic = read_rows(data_dir / WIKI_FILE, "comment", "toxic", "True")
    scorer.score(wiki_texts[:8])  # warm-up, so lazy initialisation is not timed
    started = time.perf_counter()
    wiki_scores = score_all(scorer, wiki_texts, args.label, args.batch_size)
    elapsed = time.perf_counter() - started
    madlibs_texts, madlibs_bad = read_rows(data_dir / MADLIBS_FILE, "Text", "Label", "BAD")
    madlibs_scores = score_all(scorer, madlibs_texts, args.label, args.batch_size)
    return {
        "scorer": scorer.name,
        "label": args.label,
        "flagged_when": "score >= threshold",
        "wiki": {
            "rows": len(wiki_texts),
            "toxic": sum(wiki_toxic),
            "roc_auc": round(roc_auc(wiki_scores, wiki_toxic), 4),
            **{name: at_threshold(wiki_scores, wiki_toxic, t) for name, t in thresholds.items()},
        },
        "madlibs": {
            "rows": len(madlibs_texts),
            "roc_auc": round(roc_auc(madlibs_scores, madlibs_bad), 4),
            "not_bad_false_positive_rate": {
                name: at_threshold(madlibs_scores, madlibs_bad, t)["false_positive_rate"]
                for name, t in thresholds.items()
            },
        },
        "decisions_on_wiki": decisions(scorer, wiki_texts, wiki_toxic, args.batch_size),
        "throughput": {
            "texts_per_s": round(len(wiki_texts) / elapsed, 1),
            "batch_size": args.batch_size,
            "measured_on": WIKI_FILE,
        },
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=BACKENDS, default="auto")
    parser.add_argument("--model-type", default="original")
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--config-dir", default=None)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--label", default="toxicity")
    in_use = Policy()
    parser.add_argument("--flag-threshold", type=float, default=in_use.flag["toxicity"])
    parser.add_argument("--hold-threshold", type=float, default=in_use.hold["toxicity"])
    parser.add_argument("--batch-size", type=int, default=256)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Shows on stderr which model is active and why, keeping stdout to the one JSON object.
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    scorer = build_scorer(
        args.backend,
        model_type=args.model_type,
        checkpoint=args.checkpoint,
        config_dir=args.config_dir,
    )
    if args.label not in scorer.labels:
        print(f"{scorer.name} has no label {args.label!r}: {scorer.labels}", file=sys.stderr)
        return 2
    print(json.dumps(evaluate(scorer, args.data_dir, args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
