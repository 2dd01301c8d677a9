"""Measure the active toxicity scorer and what the pipeline does with posts; print one JSON.

For each set (Wikipedia talk comments, the identity madlibs, the test half of our forum
set) it reports, per class, how often posts are held, published and queued for a
moderator, published and queued for care (support or crisis), or published unreviewed,
and what each part alone would send to a human: the classifier over the flag threshold,
the insult-at-target rules firing. `targets` compares the figures with issue 11's.

The same script measures the code of another checkout ("before"): run it with that
checkout's interpreter, e.g. `cd ../main && .venv/bin/python ../wt/bench/toxicity_eval.py`;
parts it lacks are reported as null. The eval sets are for measuring only.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from moderation.decision import Decision, Policy, Priority
from moderation.pipeline import Pipeline
from moderation.toxicity import BACKENDS, ToxicityScorer, build_scorer

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "toxicity"
WIKI_FILE = "wiki_toxicity_test.csv"
MADLIBS_FILE = "bias_madlibs_77k.csv"
ROOT = Path(__file__).resolve().parents[1]
FORUM_FILE = Path("training") / "forum_toxicity.csv"
FORUM_SPLITS = ("train", "test", "all")


def forum_split_of(text: str) -> str:
    """``"train"`` or ``"test"``, from a hash of the text (as ``split_of`` in crisis_eval).

    Rules and thresholds are written by reading the train half only; the test half shows
    whether they generalise to forum language they were not written from.
    """
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return "train" if digest[0] % 2 == 0 else "test"


def forum_rows(path: Path, split: str) -> list[tuple[str, str, str]]:
    """(text, label, kind) rows of the forum set in one half ("all" for both)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(row["text"], row["label"], row["kind"]) for row in csv.DictReader(handle)]
    return [row for row in rows if split == "all" or forum_split_of(row[0]) == split]


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


# Queues a published item can reach: care for pain, moderation for possible harm to others.
CARE = frozenset({Priority.SUPPORT, Priority.DISTRESS, Priority.CRISIS, Priority.URGENT_CRISIS})
OUTCOMES = ("held", "published_for_moderation", "published_for_care", "published_unreviewed")
SELF_HATE = "I hate myself, I'm such a fucking failure at everything"
TARGETS: dict[str, tuple[str, float]] = {
    # name: ("max" or "min", figure), each read from the report below
    "madlibs.bad.published_unreviewed": ("max", 0.10),
    "madlibs.not_bad.sent_to_a_human": ("max", 0.03),
    "wiki.toxic.published_unreviewed": ("max", 0.15),
    "wiki.not_toxic.held": ("max", 0.02),
    "wiki.not_toxic.sent_to_a_human": ("max", 0.06),
    "forum_test.attack.sent_to_a_human": ("min", 0.85),
    "forum_test.benign.held": ("max", 0.05),
    "forum_test.benign.sent_to_a_human": ("max", 0.15),
}


def outcome(decision: Decision) -> str:
    if decision.held:
        return "held"
    if not decision.queued:
        return "published_unreviewed"
    return "published_for_care" if decision.priority in CARE else "published_for_moderation"


def shares(found: Sequence[str]) -> dict[str, float]:
    """How often each outcome happened; "sent to a human" is anything but unreviewed."""
    total = max(1, len(found))
    result = {name: round(found.count(name) / total, 4) for name in OUTCOMES}
    result["sent_to_a_human"] = round(1 - found.count("published_unreviewed") / total, 4)
    result["sent_to_moderation"] = round(
        (found.count("held") + found.count("published_for_moderation")) / total, 4
    )
    return result


def insult_rules() -> Callable[[str], object] | None:
    """The insult-at-target rules, when the code measured has them (main before issue 11 not)."""
    try:
        from moderation.insults import find_insult
    except ImportError:
        return None
    return find_insult


def decisions(
    pipeline: Pipeline,
    texts: Sequence[str],
    positive: Sequence[bool],
    names: tuple[str, str],
    batch_size: int,
) -> dict[str, Any]:
    """What happens to people's posts: held, published and queued, or published unreviewed.

    Also each part alone: the classifier's score over the flag threshold, and the
    insult-at-target rules firing, as the share of each class they would send to a human.
    """
    found: list[str] = []
    scores: list[float] = []
    attacked: list[bool | None] = []
    for start in range(0, len(texts), batch_size):
        for assessment in pipeline.assess_batch(texts[start : start + batch_size]):
            found.append(outcome(assessment.decision))
            scores.append(max((assessment.scores or {"": 1.0}).values()))
            # The learned attack model over its flag threshold (None where the code lacks it).
            attack = getattr(assessment, "attack", None)
            attacked.append(None if attack is None else bool(attack.flagged))
    rules = insult_rules()
    fired = [rules(text) is not None for text in texts] if rules else None
    flag = Policy().flag["toxicity"]
    result: dict[str, Any] = {}
    for name, wanted in zip(names, (True, False), strict=True):
        rows = [i for i, p in enumerate(positive) if p == wanted]
        result[name] = {
            "rows": len(rows),
            **shares([found[i] for i in rows]),
            "parts_alone": {
                "classifier_over_flag": round(sum(scores[i] >= flag for i in rows) / len(rows), 4),
                "insult_rules_fire": (
                    round(sum(fired[i] for i in rows) / len(rows), 4) if fired else None
                ),
                "attack_model_over_flag": (
                    round(sum(bool(attacked[i]) for i in rows) / len(rows), 4)
                    if any(a is not None for a in attacked)
                    else None
                ),
            },
        }
    return result


def targets_met(report: dict[str, Any]) -> dict[str, Any]:
    met: dict[str, Any] = {}
    for name, (kind, figure) in TARGETS.items():
        set_name, class_name, measure = name.split(".")
        value = report[set_name]["outcomes"][class_name][measure]
        met[name] = {
            kind: figure,
            "measured": value,
            "met": value <= figure if kind == "max" else value >= figure,
        }
    return met


def forum_report(pipeline: Pipeline, args: argparse.Namespace) -> dict[str, Any]:
    forum = forum_rows(ROOT / FORUM_FILE, args.forum_split)
    texts, attack = [t for t, _, _ in forum], [label == "attack" for _, label, _ in forum]
    return {
        "file": str(FORUM_FILE),
        "split": args.forum_split,
        "outcomes": decisions(pipeline, texts, attack, ("attack", "benign"), args.batch_size),
    }


def self_hate(pipeline: Pipeline) -> dict[str, Any]:
    """Pain aimed at oneself is published and reaches care, never held as toxic."""
    decision = pipeline.assess_batch([SELF_HATE])[0].decision
    return {
        "text": SELF_HATE,
        "outcome": outcome(decision),
        "reasons": [reason.kind for reason in decision.reasons],
    }


def evaluate(scorer: ToxicityScorer, data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    thresholds = {"flag": args.flag_threshold, "hold": args.hold_threshold}
    wiki_texts, wiki_toxic = read_rows(data_dir / WIKI_FILE, "comment", "toxic", "True")
    scorer.score(wiki_texts[:8])  # warm-up, so lazy initialisation is not timed
    started = time.perf_counter()
    wiki_scores = score_all(scorer, wiki_texts, args.label, args.batch_size)
    elapsed = time.perf_counter() - started
    madlibs_texts, madlibs_bad = read_rows(data_dir / MADLIBS_FILE, "Text", "Label", "BAD")
    madlibs_scores = score_all(scorer, madlibs_texts, args.label, args.batch_size)
    pipeline = Pipeline(scorer)
    report: dict[str, Any] = {
        "scorer": scorer.name,
        "pipeline": pipeline.version,
        "label": args.label,
        "flagged_when": "score >= threshold",
        "wiki": {
            "rows": len(wiki_texts),
            "toxic": sum(wiki_toxic),
            "roc_auc": round(roc_auc(wiki_scores, wiki_toxic), 4),
            **{name: at_threshold(wiki_scores, wiki_toxic, t) for name, t in thresholds.items()},
            "outcomes": decisions(
                pipeline, wiki_texts, wiki_toxic, ("toxic", "not_toxic"), args.batch_size
            ),
        },
        "madlibs": {
            "rows": len(madlibs_texts),
            "roc_auc": round(roc_auc(madlibs_scores, madlibs_bad), 4),
            "not_bad_false_positive_rate": {
                name: at_threshold(madlibs_scores, madlibs_bad, t)["false_positive_rate"]
                for name, t in thresholds.items()
            },
            "outcomes": decisions(
                pipeline, madlibs_texts, madlibs_bad, ("bad", "not_bad"), args.batch_size
            ),
        },
        f"forum_{args.forum_split}": forum_report(pipeline, args),
        "self_hate_sentence": self_hate(pipeline),
        "throughput": {
            "texts_per_s": round(len(wiki_texts) / elapsed, 1),
            "batch_size": args.batch_size,
            "measured_on": WIKI_FILE,
        },
    }
    if args.forum_split == "test":
        report["targets"] = targets_met(report)
    return report


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
    parser.add_argument(
        "--forum-split",
        choices=FORUM_SPLITS,
        default="test",
        help="half of the forum set to report (rules were written from the train half)",
    )
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
