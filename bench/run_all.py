"""`make bench`: run each benchmark script in turn and print the JSON each one prints.

Arguments (for example `--quick`) are passed on to every script. Then the figures are
written to bench/results.json, bench/results.md (a table of targets and latency
percentiles) and bench/latency.png (bench/report.py). The exit status is non-zero when
any script failed or printed something that is not one JSON object.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import report  # noqa: E402

SCRIPTS = [
    "read_path.py",
    "pipeline.py",
    "chat_fanout.py",
    "chat_load.py",
    "crisis_eval.py",
    "toxicity_eval.py",
]
# The evaluations read fixed data sets; only the load benchmarks have a shorter mode.
TAKES_QUICK = {"read_path.py", "pipeline.py", "chat_fanout.py", "chat_load.py"}


def run_script(script: str, args: list[str]) -> dict[str, object] | None:
    print(f"# {script}", file=sys.stderr, flush=True)
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *args], stdout=subprocess.PIPE, text=True, check=False
    )
    if result.returncode != 0:
        print(f"# {script} failed with status {result.returncode}", file=sys.stderr)
        return None
    try:
        figures = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"# {script} did not print one JSON object:\n{result.stdout}", file=sys.stderr)
        return None
    if not isinstance(figures, dict):
        print(f"# {script} printed JSON that is not an object", file=sys.stderr)
        return None
    named: dict[str, object] = {"script": script, **figures}
    print(json.dumps(named, indent=2), flush=True)
    return named


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    results, failed = [], []
    for script in SCRIPTS:
        figures = run_script(
            script, args if script in TAKES_QUICK else [a for a in args if a != "--quick"]
        )
        if figures is None:
            failed.append(script)
        else:
            results.append(figures)
    for path in report.write(results, failed, BENCH):
        print(f"# wrote {path.relative_to(BENCH.parent)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
