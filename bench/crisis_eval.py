"""Measure crisis detection on the labelled Reddit eval set and print one JSON object."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from moderation.crisis import CRISIS_VERSION, CrisisLevel, detect  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "crisis" / "suicide_detection_5k.csv"
SPLITS = ("dev", "heldout", "all")


def load_rows(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["text"], row["class"]) for row in csv.DictReader(handle)]


def split_of(text: str) -> str:
    """``"dev"`` or ``"heldout"``, from a hash of the text so row order does not matter.

    Patterns are written by reading development rows only; the held-out half shows
    whether they generalise rather than memorise.
    """
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return "dev" if digest[0] % 2 == 0 else "heldout"


def select(rows: list[tuple[str, str]], split: str) -> list[tuple[str, str]]:
    if split == "all":
        return rows
    return [row for row in rows if split_of(row[0]) == split]


def evaluate(rows: list[tuple[str, str]]) -> dict[str, object]:
    levels: dict[str, Counter[str]] = {"suicide": Counter(), "non-suicide": Counter()}
    started, cpu_started = time.perf_counter(), time.process_time()
    for text, label in rows:
        levels.setdefault(label, Counter())[detect(text).level.value] += 1
    elapsed = time.perf_counter() - started
    # CPU time as well: the wall clock swings when other processes share the machine.
    cpu = time.process_time() - cpu_started
    size_mb = sum(len(text.encode("utf-8")) for text, _ in rows) / 1_000_000
    positive, negative = levels["suicide"], levels["non-suicide"]
    hits = positive.total() - positive[CrisisLevel.NONE.value]
    false_alarms = negative.total() - negative[CrisisLevel.NONE.value]
    return {
        "crisis_version": CRISIS_VERSION,
        "rows": len(rows),
        "suicide_rows": positive.total(),
        "non_suicide_rows": negative.total(),
        "recall_suicide": round(hits / max(positive.total(), 1), 4),
        "false_positive_rate_non_suicide": round(false_alarms / max(negative.total(), 1), 4),
        "true_positives": hits,
        "false_positives": false_alarms,
        "levels": {label: dict(sorted(counts.items())) for label, counts in levels.items()},
        "megabytes": round(size_mb, 3),
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),
        "mb_per_second": round(size_mb / elapsed, 2) if elapsed else None,
        "mb_per_cpu_second": round(size_mb / cpu, 2) if cpu else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled CSV to read")
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default="all",
        help="development half (read while writing patterns), held-out half, or both",
    )
    args = parser.parse_args(argv)
    detect("warm up: compile the patterns before timing")
    result = evaluate(select(load_rows(args.data), args.split))
    print(json.dumps({"split": args.split, **result}))


if __name__ == "__main__":
    main()
