"""What `make bench` leaves behind: every script's figures in `bench/results.json`, a
Markdown table of targets and latency percentiles (`bench/results.md`, quoted in the
README), and a chart of the latency percentiles (`bench/latency.png`).

Each script prints one JSON object; latencies are any object in it with `p50_ms` and
`p99_ms` (wrk's pages, chat fan-out, chat under load, posts through the server), and
targets are its `targets_met`.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Ratios that say how a latency compares with the baseline measured in the same run.
RATIO_KEYS = ("ratio_to_baseline", "p99_ratio")


@dataclass(frozen=True)
class Latency:
    script: str
    name: str
    p50_ms: float
    p99_ms: float
    p90_ms: float | None = None
    ratio: tuple[str, float] | None = None  # ("p99_ratio", 1.8)

    @property
    def label(self) -> str:
        return f"{self.script.removesuffix('.py')}: {self.name}"


@dataclass(frozen=True)
class Target:
    script: str
    name: str
    met: bool
    goal: Any = None
    measured: float | None = None


def _walk(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    if isinstance(value, Mapping):
        yield path, dict(value)
        for key, inner in value.items():
            yield from _walk(inner, (*path, str(key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _walk(inner, (*path, str(index)))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def latencies(figures: Mapping[str, Any]) -> list[Latency]:
    """Every latency one script reported, named by where it sits in its output."""
    script = str(figures.get("script", "?"))
    found = []
    for path, item in _walk({k: v for k, v in figures.items() if k != "script"}):
        p50, p99 = _number(item.get("p50_ms")), _number(item.get("p99_ms"))
        if p50 is None or p99 is None:
            continue
        name = "/".join(part for part in path if part != "results") or "overall"
        ratio = next(
            ((key, float(item[key])) for key in RATIO_KEYS if _number(item.get(key)) is not None),
            None,
        )
        found.append(Latency(script, name, p50, p99, _number(item.get("p90_ms")), ratio))
    return found


def targets(figures: Mapping[str, Any]) -> list[Target]:
    """Every target one script checked, met or not, with its goal where it gave one.

    A script may report a target twice, in a part of its output and again in a summary
    at the top (pipeline.py): it is listed once, the outermost, with the goal either gave.
    """
    script = str(figures.get("script", "?"))
    found: dict[str, Target] = {}
    goals: dict[str, Any] = {}
    for path, item in _walk({k: v for k, v in figures.items() if k != "script"}):
        met = item.get("targets_met")
        if not isinstance(met, Mapping):
            continue
        given = item.get("targets") if isinstance(item.get("targets"), Mapping) else {}
        for name, ok in met.items():
            goal = given.get(name, given.get(f"{name}_max"))  # "short_false_alarms_max"
            if goal is not None:
                goals.setdefault(name, goal)
            if isinstance(ok, bool) and name not in found:
                full = "/".join((*path, str(name)))
                found[name] = Target(script, full, ok)
    return [
        Target(t.script, t.name, t.met, goals.get(name), _measured(figures, name))
        for name, t in found.items()
    ]


def _measured(figures: Mapping[str, Any], name: str) -> float | None:
    """The figure a target was checked against, where the script names it after the
    target: a number under that key, or that key's ratio to its baseline."""
    for path, item in _walk(figures):
        if path and path[-1] in ("targets", "targets_met"):
            continue
        value = item.get(name)
        if (number := _number(value)) is not None:
            return number
        if isinstance(value, Mapping):
            for key in RATIO_KEYS:
                if (number := _number(value.get(key))) is not None:
                    return number
    return None


def markdown(results: list[Mapping[str, Any]], failed: list[str], when: str) -> str:
    lines = [
        f"Measured {when} on {os.cpu_count()} cores ({platform.machine()}); ratios are against "
        "a baseline measured in the same run.",
        "",
        "| Benchmark | Target | Goal | Measured | Met |",
        "|---|---|---|---|---|",
    ]
    for figures in results:
        for target in targets(figures):
            goal = "" if target.goal is None else json.dumps(target.goal)
            measured = "" if target.measured is None else f"{target.measured:g}"
            met = "yes" if target.met else "no"
            lines.append(f"| {target.script} | {target.name} | {goal} | {measured} | {met} |")
    lines += [
        "",
        "| Latency | p50 ms | p90 ms | p99 ms | Against the baseline |",
        "|---|---|---|---|---|",
    ]
    for figures in results:
        for item in latencies(figures):
            p90 = "" if item.p90_ms is None else f"{item.p90_ms:g}"
            ratio = f"{item.ratio[0]} {item.ratio[1]:g}" if item.ratio else ""
            lines.append(f"| {item.label} | {item.p50_ms:g} | {p90} | {item.p99_ms:g} | {ratio} |")
    if failed:
        lines += ["", "Failed, so not in the tables: " + ", ".join(failed) + "."]
    return "\n".join(lines) + "\n"


def chart(results: list[Mapping[str, Any]], path: Path) -> bool:
    """A horizontal bar chart of p50 and p99 per latency (log scale); False with none."""
    items = [item for figures in results for item in latencies(figures)]
    if not items:
        return False
    import matplotlib

    matplotlib.use("Agg")  # no display: write the file only
    from matplotlib import pyplot

    height = max(2.5, 0.35 * len(items) + 1.2)
    figure, axes = pyplot.subplots(figsize=(9, height))
    rows = range(len(items))
    axes.barh([r + 0.2 for r in rows], [i.p99_ms for i in items], height=0.4, label="p99")
    axes.barh([r - 0.2 for r in rows], [i.p50_ms for i in items], height=0.4, label="p50")
    axes.set_yticks(list(rows), [i.label for i in items], fontsize=7)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_xlabel("milliseconds (log scale)")
    axes.set_title("Latency percentiles, make bench")
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110, bbox_inches="tight")
    pyplot.close(figure)
    return True


def write(results: list[Mapping[str, Any]], failed: list[str], folder: Path) -> list[Path]:
    """results.json, results.md and latency.png in `folder`; the paths written."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    record = {"measured_at": when, "cpus": os.cpu_count(), "failed": failed, "results": results}
    written = [folder / "results.json", folder / "results.md"]
    written[0].write_text(json.dumps(record, indent=1) + "\n")
    written[1].write_text(markdown(results, failed, when))
    if chart(results, folder / "latency.png"):
        written.append(folder / "latency.png")
    return written
