"""`circles moderate`: texts on stdin, one JSON decision per line on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CIRCLES = str(Path(sys.executable).with_name("circles"))


def moderate(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CIRCLES, "moderate", *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def test_moderate_prints_one_decision_per_line_in_order() -> None:
    result = moderate("hello friends, lovely to see you\nyou are a fucking idiot\nI want to die\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["decision"] for r in rows] == ["publish", "review", "publish_and_review"]
    assert rows[2]["crisis"]["level"] == "concern"
    assert rows[2]["crisis"]["matches"][0]["text"] == "want to die"
    assert set(rows[0]) >= {"crisis", "toxicity", "decision", "reasons"}
    assert 0 <= rows[1]["toxicity"]["toxicity"] <= 1
    assert rows[1]["reasons"][0]["kind"] == "toxicity"


def test_moderate_jsonl_reports_bad_lines_in_place_and_keeps_the_rest() -> None:
    result = moderate(
        '{"text": "I have the pills ready. Tonight is the night."}\nnot json\n{"x": 1}\n', "--jsonl"
    )
    assert result.returncode == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["decision"] == "review"
    assert rows[0]["crisis"]["level"] == "urgent"
    assert rows[1] == {"error": "line 2 is not valid JSON"}
    assert "text" in rows[2]["error"]
    assert "2 input lines could not be read" in result.stderr
    assert "Traceback" not in result.stderr


def test_moderate_help_documents_jsonl() -> None:
    result = subprocess.run([CIRCLES, "moderate", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "--jsonl" in result.stdout
