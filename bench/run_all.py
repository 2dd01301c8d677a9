"""`make bench`: run each benchmark script in turn and print the JSON each one prints.

Arguments (for example `--quick`) are passed on to every script. The exit status is
non-zero when any script failed or printed something that is not one JSON object.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
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


def run_script(script: str, args: list[str]) -> bool:
    print(f"# {script}", file=sys.stderr, flush=True)
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *args], stdout=subprocess.PIPE, text=True, check=False
    )
    if result.returncode != 0:
        print(f"# {script} failed with status {result.returncode}", file=sys.stderr)
        return False
    try:
        figures = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"# {script} did not print one JSON object:\n{result.stdout}", file=sys.stderr)
        return False
    print(json.dumps({"script": script, **figures}, indent=2), flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    results = [
        run_script(script, args if script in TAKES_QUICK else [a for a in args if a != "--quick"])
        for script in SCRIPTS
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
