"""Measure the toxicity models that ship their weights in a wheel, on the same sets; print JSON.

Not part of the product: it records why the embedded classifier plus the insult-at-target
rules (moderation/insults.py) were chosen. Candidates that are not installed are reported
as such, so this runs in a scratch environment:
    pip install hatesonar valx vadersentiment alt-profanity-check bleach markdown-it-py
hatesonar's ONNX graph needs the en_US.UTF-8 locale (LOCPATH may point at one made with
`localedef -i en_US -f UTF-8 DIR/en_US.UTF-8`). Eval data is only measured, never fitted.

Measured 2026-12-04 (ROC AUC; wiki / madlibs sample of 4,000 / forum test half):
    alt-profanity-check 1.9.1   0.988 / 0.893 / 0.468   (5.1k texts/s on wiki)
    hatesonar 0.1.0             0.849 / 0.615 / 0.529   (ONNX, needs onnxruntime, pandas,
                                                          skl2onnx and an en_US locale)
    valx 0.2.6                  0.632 / 0.532 / 0.422   (pickled sklearn models, labels only)
    VADER negativity            0.741 / 0.937 / 0.537   (a lexicon, not a toxicity model)
Also looked at and not measurable here: hate-speech-detector 0.2.1 (its wheel lacks the
model file its code loads), toxic-comment-classifier 0.3.0 (needs TensorFlow), detoxify
(downloads its weights at run time; already an optional backend). A logistic regression on
wordllama's shipped embeddings, fitted on the forum train half, reached a cross-validated
AUC of only 0.55 there: the forum set pairs benign lines and attacks on the same topics.

Chosen: keep alt-profanity-check (best on every set where words carry the harm) and add
what no candidate has, the insult-at-target rules on VADER's lexicon. No model separates
the forum set (every AUC is near 0.5): its attacks carry no swear words and its benign
lines do.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.toxicity_eval import (  # noqa: E402
    DEFAULT_DATA_DIR,
    FORUM_FILE,
    MADLIBS_FILE,
    WIKI_FILE,
    forum_rows,
    read_rows,
    roc_auc,
)

Scorer = Callable[[Sequence[str]], list[float]]


def profanity_check() -> Scorer:
    from profanity_check import predict_prob

    return lambda texts: [float(p) for p in predict_prob(list(texts))]


def hatesonar() -> Scorer:
    from hatesonar import Sonar

    sonar = Sonar()

    def score(texts: Sequence[str]) -> list[float]:
        # Anything but "neither": hate speech or offensive language.
        return [1.0 - float(sonar.ping(t)["classes"][2]["confidence"]) for t in texts]

    return score


def valx() -> Scorer:
    import valx as module

    def score(texts: Sequence[str]) -> list[float]:
        labels = [str(module.detect_hate_speech(t)[0]) for t in texts]
        return [0.0 if label.startswith("No ") else 1.0 for label in labels]

    return score


def vader() -> Scorer:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return lambda texts: [analyzer.polarity_scores(t)["neg"] for t in texts]


CANDIDATES: dict[str, Callable[[], Scorer]] = {
    "alt-profanity-check": profanity_check,
    "hatesonar": hatesonar,
    "valx": valx,
    "vader_negative": vader,
}


def measure(score: Scorer, texts: Sequence[str], positive: Sequence[bool]) -> dict[str, object]:
    started = time.perf_counter()
    values = score(texts)
    elapsed = time.perf_counter() - started
    flagged = [v >= 0.5 for v in values]
    n_pos, n_neg = sum(positive), len(positive) - sum(positive)
    tp = sum(f and p for f, p in zip(flagged, positive, strict=True))
    fp = sum(f and not p for f, p in zip(flagged, positive, strict=True))
    return {
        "roc_auc": round(roc_auc(values, positive), 4),
        "recall_at_0.5": round(tp / n_pos, 4),
        "false_positive_rate_at_0.5": round(fp / n_neg, 4),
        "texts_per_s": round(len(texts) / elapsed, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--madlibs-sample", type=int, default=4000, help="every Nth row kept")
    args = parser.parse_args(argv)
    wiki = read_rows(args.data_dir / WIKI_FILE, "comment", "toxic", "True")
    texts, bad = read_rows(args.data_dir / MADLIBS_FILE, "Text", "Label", "BAD")
    step = max(1, len(texts) // args.madlibs_sample)
    madlibs = (texts[::step], bad[::step])
    forum = [(t, label == "attack") for t, label, _ in forum_rows(ROOT / FORUM_FILE, "test")]
    sets = {
        "wiki": wiki,
        "madlibs_sample": madlibs,
        "forum_test": ([t for t, _ in forum], [a for _, a in forum]),
    }
    result: dict[str, object] = {}
    for name, build in CANDIDATES.items():
        try:
            score = build()
        except Exception as exc:
            result[name] = {"unavailable": f"{type(exc).__name__}: {exc}"[:300]}
            continue
        result[name] = {key: measure(score, *rows) for key, rows in sets.items()}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
