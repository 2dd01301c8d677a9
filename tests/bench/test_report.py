"""`make bench` writes what it measured: results.json, a Markdown table and a chart."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import report  # noqa: E402

# Shaped as the scripts print them (read_path.py, chat_fanout.py, crisis_eval.py).
READ_PATH: dict[str, Any] = {
    "script": "read_path.py",
    "benchmark": "read_path",
    "results": {
        "baseline_static_page": {"requests_per_s": 900.0, "p50_ms": 2.1, "p99_ms": 6.0},
        "thread_anonymous": {
            "requests_per_s": 450.0,
            "p50_ms": 4.2,
            "p99_ms": 15.5,
            "ratio_to_baseline": 0.5,
        },
    },
    "targets": {"thread_anonymous": 0.4},
    "targets_met": {"thread_anonymous": True},
}
FANOUT: dict[str, Any] = {
    "script": "chat_fanout.py",
    "scenarios": [
        {"name": "one_process", "p50_ms": 3.0, "p90_ms": 5.0, "p99_ms": 9.0, "p99_ratio": 1.8}
    ],
    "targets_met": {"one_process": False},
}
CRISIS: dict[str, Any] = {
    "script": "crisis_eval.py",
    "reddit": {"recall": 0.85},
    "targets_met": {"reddit_recall_at_fpr_0.05": False},
}


def test_latencies_are_found_wherever_a_script_put_them() -> None:
    found = [item for figures in (READ_PATH, FANOUT, CRISIS) for item in report.latencies(figures)]
    assert [(i.label, i.p50_ms, i.p99_ms, i.ratio) for i in found] == [
        ("read_path: baseline_static_page", 2.1, 6.0, None),
        ("read_path: thread_anonymous", 4.2, 15.5, ("ratio_to_baseline", 0.5)),
        ("chat_fanout: scenarios/0", 3.0, 9.0, ("p99_ratio", 1.8)),
    ]
    assert found[2].p90_ms == 5.0


def test_the_table_lists_each_target_and_latency(tmp_path: Path) -> None:
    written = report.write([READ_PATH, FANOUT, CRISIS], ["chat_load.py"], tmp_path)
    assert [p.name for p in written] == ["results.json", "results.md", "latency.png"]
    table = (tmp_path / "results.md").read_text()
    assert "| read_path.py | thread_anonymous | 0.4 | 0.5 | yes |" in table
    assert "| crisis_eval.py | reddit_recall_at_fpr_0.05 |  |  | no |" in table
    assert "| chat_fanout: scenarios/0 | 3 | 5 | 9 | p99_ratio 1.8 |" in table
    assert "Failed, so not in the tables: chat_load.py." in table
    record = json.loads((tmp_path / "results.json").read_text())
    assert record["failed"] == ["chat_load.py"]
    assert [r["script"] for r in record["results"]] == [
        "read_path.py",
        "chat_fanout.py",
        "crisis_eval.py",
    ]
    png = (tmp_path / "latency.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000


def test_a_target_reported_twice_is_listed_once_with_its_goal() -> None:
    figures = {
        "script": "pipeline.py",
        "results": {
            "whole": {
                "moderation_vs_raw": 0.09,
                "targets": {"moderation_vs_raw": 0.5},
                "targets_met": {"moderation_vs_raw": False},
            }
        },
        "targets_met": {"moderation_vs_raw": False},
    }
    assert report.targets(figures) == [
        report.Target("pipeline.py", "moderation_vs_raw", False, 0.5, 0.09)
    ]


def test_no_latencies_means_no_chart(tmp_path: Path) -> None:
    written = report.write([CRISIS], [], tmp_path)
    assert [p.name for p in written] == ["results.json", "results.md"]
    assert not (tmp_path / "latency.png").exists()
