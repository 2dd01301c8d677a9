"""Measure the moderation pipeline's throughput and print one JSON object.

All in one run, on real text from ../shared/eval/: crisis detection (MB/s, one
thread); the embedded classifier batched and one by one; detoxify with a bert-base
architecture and random weights (built locally, nothing downloaded) batched and one by
one; the micro-batcher under concurrent load against the raw batched model and against
one-at-a-time scoring; and a real server's create-post throughput and latency on
PostgreSQL with the embedded classifier.

The database: CIRCLES_BENCH_DATABASE_URL (used as is), or a fresh database created on
the server CIRCLES_TEST_POSTGRES_URL names and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import secrets
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Nothing may be fetched from the Hugging Face hub: the bert-base model is built here.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import httpx  # noqa: E402

from moderation.batching import MicroBatcher  # noqa: E402
from moderation.crisis import CrisisDetector  # noqa: E402
from moderation.decision import Policy  # noqa: E402
from moderation.pipeline import Pipeline, highest, readings_of  # noqa: E402
from moderation.sanitize import plain_text  # noqa: E402
from moderation.toxicity import DetoxifyScorer, EmbeddedScorer, build_scorer  # noqa: E402
from tests.conftest import create_postgres_database, drop_postgres_database  # noqa: E402
from tests.live import circles_server  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
CRISIS_CSV = EVAL / "crisis" / "suicide_detection_5k.csv"
WIKI_CSV = EVAL / "toxicity" / "wiki_toxicity_test.csv"
EMBEDDED_BATCH = 64
DETOXIFY_BATCH = 32
DETOXIFY_CHARS = 256
TARGETS = {"micro_batched_vs_raw_batched": 0.8, "micro_batched_vs_one_at_a_time": 3.0}
PIPELINE_TARGET = {"moderation_vs_raw_batched": 0.5}
# Same uvicorn settings as bench/read_path.py: one worker, no access log.
UVICORN = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}"]
UVICORN += ["--workers", "1", "--log-level", "warning", "--no-access-log"]
UVICORN += ["--factory", "forum.app:create_app"]


@dataclass(frozen=True)
class Sizes:
    crisis_texts: int
    rounds: int
    embedded_texts: int
    embedded_one_by_one: int
    concurrent_calls: int
    detoxify_texts: int
    detoxify_one_by_one: int
    detoxify_rounds: int
    server_users: int
    server_connections: int
    server_seconds: float
    server_warmup: float


FULL = Sizes(
    crisis_texts=5000,
    rounds=5,
    embedded_texts=2000,
    embedded_one_by_one=500,
    concurrent_calls=2000,
    detoxify_texts=64,
    detoxify_one_by_one=16,
    detoxify_rounds=2,
    server_users=8,
    server_connections=32,
    server_seconds=10.0,
    server_warmup=2.0,
)
QUICK = Sizes(
    crisis_texts=500,
    rounds=3,
    embedded_texts=256,
    embedded_one_by_one=64,
    concurrent_calls=256,
    detoxify_texts=16,
    detoxify_one_by_one=4,
    detoxify_rounds=1,
    server_users=4,
    server_connections=8,
    server_seconds=2.0,
    server_warmup=0.5,
)


def read_texts(path: Path, column: str) -> list[str]:
    with path.open(newline="", encoding="utf-8") as file:
        return [text for row in csv.DictReader(file) if (text := row[column].strip())]


def interleave(*sources: Sequence[str]) -> list[str]:
    mixed: list[str] = []
    for group in zip(*sources, strict=False):
        mixed.extend(group)
    return mixed


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def chunks(texts: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(texts), size):
        yield texts[start : start + size]


def bench_crisis(texts: Sequence[str], rounds: int) -> dict[str, Any]:
    """Crisis detection as the pipeline calls it (batches of 64: rules, then the model)."""
    detector = CrisisDetector.default()
    detector.detect(texts[0])
    rules = CrisisDetector.from_file(_patterns_path())
    megabytes = sum(len(text.encode()) for text in texts) / 1e6

    def batched(which: CrisisDetector) -> None:
        for chunk in chunks(texts, EMBEDDED_BATCH):
            which.detect_batch(chunk)

    seconds = statistics.median(timed(lambda: batched(detector)) for _ in range(rounds))
    rules_seconds = statistics.median(timed(lambda: batched(rules)) for _ in range(rounds))
    return {
        "texts": len(texts),
        "detector": detector.version,
        "megabytes": round(megabytes, 3),
        "seconds": round(seconds, 3),
        "mb_per_s": round(megabytes / seconds, 3),
        "texts_per_s": rate(len(texts), seconds),
        "rules_alone_texts_per_s": rate(len(texts), rules_seconds),
    }


def _patterns_path() -> Path:
    return ROOT / "moderation" / "data" / "crisis_patterns.toml"


def moderate_plain(pipeline: Pipeline, texts: Sequence[str], policy: Policy) -> None:
    """What assess_batch does after rendering: toxicity readings, crisis, target, decision.

    Rendering Markdown to safe HTML happens once per post whatever moderation does (the
    cleaned HTML travels with the assessment), so it is measured separately.
    """
    readings = [readings_of(text) for text in texts]
    scored = iter(pipeline.scorer.score([r for group in readings for r in group]))
    scores = [highest([next(scored) for _ in group]) for group in readings]
    crises = pipeline.detector.detect_batch(texts)
    for text, crisis, score in zip(texts, crises, scores, strict=True):
        pipeline.combine(text, crisis, score, policy)


def bench_whole_pipeline(texts: Sequence[str], rounds: int) -> dict[str, Any]:
    """The moderation pipeline against the raw embedded model, in the same rounds."""
    scorer = EmbeddedScorer()
    pipeline = Pipeline(scorer)
    policy = Policy()
    pipeline.assess_batch(texts[:EMBEDDED_BATCH], policy)
    raw: list[float] = []
    plain: list[float] = []
    full: list[float] = []
    rendering: list[float] = []
    for _ in range(rounds):
        raw.append(timed(lambda: [scorer.score(c) for c in chunks(texts, EMBEDDED_BATCH)]))
        plain.append(
            timed(lambda: [moderate_plain(pipeline, c, policy) for c in chunks(texts, 64)])
        )
        full.append(timed(lambda: [pipeline.assess_batch(c, policy) for c in chunks(texts, 64)]))
        rendering.append(timed(lambda: [plain_text(text) for text in texts]))
    per_round = [r / p for r, p in zip(raw, plain, strict=True)]
    with_rendering = [r / f for r, f in zip(raw, full, strict=True)]
    ratio = round(statistics.median(per_round), 3)
    return {
        "texts": len(texts),
        "rounds": rounds,
        "raw_embedded_batched_texts_per_s": rate(len(texts), statistics.median(raw)),
        "moderation_texts_per_s": rate(len(texts), statistics.median(plain)),
        "assess_batch_with_rendering_texts_per_s": rate(len(texts), statistics.median(full)),
        "rendering_alone_texts_per_s": rate(len(texts), statistics.median(rendering)),
        "moderation_vs_raw_batched": ratio,
        "moderation_vs_raw_batched_per_round": [round(x, 3) for x in per_round],
        "assess_batch_with_rendering_vs_raw_batched": round(statistics.median(with_rendering), 3),
        "targets": PIPELINE_TARGET,
        "targets_met": {"moderation_vs_raw_batched": ratio >= 0.5},
    }


async def micro_batched_round(batcher: MicroBatcher, texts: Sequence[str]) -> tuple[float, int]:
    """Seconds for len(texts) concurrent calls, and how many batches they made."""
    batches = batcher.batches
    start = time.perf_counter()
    await asyncio.gather(*(batcher.score(text) for text in texts))
    return time.perf_counter() - start, batcher.batches - batches


@dataclass
class Rounds:
    raw: list[float]
    single: list[float]
    micro: list[float]
    batches: list[int]


async def embedded_rounds(
    scorer: EmbeddedScorer, batcher: MicroBatcher, texts: Sequence[str], sizes: Sizes
) -> Rounds:
    """Raw batched and micro-batched side by side (order alternating), then one at a time."""
    calls = texts[: sizes.concurrent_calls]
    singles = texts[: sizes.embedded_one_by_one]
    rounds = Rounds([], [], [], [])
    scorer.score(texts[:EMBEDDED_BATCH])
    # A first round of concurrent calls warms the event loop and the allocator up.
    await micro_batched_round(batcher, calls)

    def raw() -> None:
        rounds.raw.append(timed(lambda: [scorer.score(c) for c in chunks(texts, EMBEDDED_BATCH)]))

    for n in range(sizes.rounds):
        if n % 2:
            raw()
        seconds, batches = await micro_batched_round(batcher, calls)
        rounds.micro.append(seconds)
        rounds.batches.append(batches)
        if not n % 2:
            raw()
        rounds.single.append(timed(lambda: [scorer.score([text]) for text in singles]))
    return rounds


async def bench_embedded(texts: Sequence[str], sizes: Sizes) -> dict[str, Any]:
    scorer = EmbeddedScorer()
    batcher = MicroBatcher(scorer.score, max_batch=EMBEDDED_BATCH)
    try:
        rounds = await embedded_rounds(scorer, batcher, texts, sizes)
    finally:
        await batcher.close()
    calls, singles = (
        min(len(texts), sizes.concurrent_calls),
        min(len(texts), sizes.embedded_one_by_one),
    )
    raw_rate = len(texts) / statistics.median(rounds.raw)
    single_rate = singles / statistics.median(rounds.single)
    micro_rate = calls / statistics.median(rounds.micro)
    # Each round's raw and micro-batched runs are neighbours in time, so their ratio is
    # steadier than a ratio of medians on a machine that others share.
    per_round = [
        (calls / micro) / (len(texts) / raw)
        for raw, micro in zip(rounds.raw, rounds.micro, strict=True)
    ]
    ratios = {
        "micro_batched_vs_raw_batched": round(statistics.median(per_round), 3),
        "micro_batched_vs_one_at_a_time": round(micro_rate / single_rate, 2),
    }
    embedded = {
        "model": scorer.name,
        "texts": len(texts),
        "mean_chars": round(statistics.fmean(len(text) for text in texts)),
        "rounds": sizes.rounds,
        "batched_texts_per_s": round(raw_rate, 1),
        "batch_size": EMBEDDED_BATCH,
        "one_by_one_texts": singles,
        "one_by_one_texts_per_s": round(single_rate, 1),
    }
    micro_batched = {
        "concurrent_calls": calls,
        "max_batch": batcher.max_batch,
        "max_wait_ms": batcher.max_wait * 1000,
        "texts_per_s": round(micro_rate, 1),
        "mean_batch_size": round(calls * len(rounds.batches) / sum(rounds.batches), 1),
        "batches_per_round": rounds.batches,
        "ratio_to_raw_batched_per_round": [round(ratio, 3) for ratio in per_round],
        **ratios,
        "targets": TARGETS,
        "targets_met": {name: ratios[name] >= target for name, target in TARGETS.items()},
    }
    return {"embedded_classifier": embedded, "micro_batched": micro_batched}


def bench_detoxify(corpus: Sequence[str], texts: Sequence[str], sizes: Sizes) -> dict[str, Any]:
    try:
        import detoxify  # noqa: F401
        import torch
        import transformers
    except ImportError:
        return {"skipped": "torch/detoxify not installed"}
    from _bert import bert_base_checkpoint

    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    start = time.perf_counter()
    checkpoint, config_dir = bert_base_checkpoint(corpus)
    prepared = time.perf_counter() - start
    start = time.perf_counter()
    scorer = build_scorer("detoxify", checkpoint=str(checkpoint), config_dir=str(config_dir))
    loaded = time.perf_counter() - start
    assert isinstance(scorer, DetoxifyScorer), scorer.name
    scorer.batch_size = DETOXIFY_BATCH
    short = [text[:DETOXIFY_CHARS] for text in texts[: sizes.detoxify_texts]]
    singles = short[: sizes.detoxify_one_by_one]
    scorer.score(short[:2])
    batched: list[float] = []
    one_by_one: list[float] = []
    for n in range(sizes.detoxify_rounds):  # alternating order: others share the machine
        if n % 2:
            one_by_one.append(timed(lambda: [scorer.score([text]) for text in singles]))
        batched.append(timed(lambda: scorer.score(short)))
        if not n % 2:
            one_by_one.append(timed(lambda: [scorer.score([text]) for text in singles]))
    return {
        "model": "bert-base architecture (768 hidden, 12 layers, 12 heads), random weights",
        "loaded_through": "build_scorer('detoxify', checkpoint=..., config_dir=...)",
        "checkpoint": str(checkpoint),
        "labels": list(scorer.labels),
        "torch_threads": torch.get_num_threads(),
        "checkpoint_prepare_s": round(prepared, 2),
        "load_s": round(loaded, 2),
        "texts": len(short),
        "chars_per_text_max": DETOXIFY_CHARS,
        "rounds": sizes.detoxify_rounds,
        "batched_texts_per_s": rate(len(short), statistics.median(batched)),
        "batch_size": scorer.batch_size,
        "one_by_one_texts": len(singles),
        "one_by_one_texts_per_s": rate(len(singles), statistics.median(one_by_one)),
    }


@contextmanager
def bench_database() -> Iterator[str | None]:
    if url := os.environ.get("CIRCLES_BENCH_DATABASE_URL"):
        yield url
        return
    admin = os.environ.get("CIRCLES_TEST_POSTGRES_URL")
    if not admin:
        yield None
        return
    name = f"circles_bench_{uuid.uuid4().hex[:12]}"
    url = asyncio.run(create_postgres_database(admin, name))
    try:
        yield url
    finally:
        asyncio.run(drop_postgres_database(admin, name))


def expect(response: httpx.Response, status: int) -> Any:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    return response.json()


async def seed_over_api(base_url: str, users: int) -> list[tuple[str, int]]:
    """Members who joined one circle, each with a Bearer token and a thread of their own."""
    tag = uuid.uuid4().hex[:6]
    slug = f"bench-{tag}"
    seeded: list[tuple[str, int]] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        tokens = []
        for i in range(users + 1):
            password = secrets.token_urlsafe(16)
            name = f"bench{i}_{tag}"
            account = {"username": name, "password": password, "display_name": f"Bench {i}"}
            expect(await client.post("/api/v1/auth/register", json=account), 201)
            login = {"username": name, "password": password, "name": "bench"}
            tokens.append(expect(await client.post("/api/v1/auth/token", json=login), 200)["token"])
        owner, *members = ({"Authorization": f"Bearer {token}"} for token in tokens)
        circle = {"slug": slug, "name": "Bench circle", "description": "For the benchmark."}
        created = expect(await client.post("/api/v1/circles", json=circle, headers=owner), 201)
        join = {"accept_rules_version": created["rules_version"]}
        for token, headers in zip(tokens[1:], members, strict=True):
            expect(
                await client.post(f"/api/v1/circles/{slug}/join", json=join, headers=headers), 200
            )
            start = {"title": "Evenings since the funeral", "body": "How do you get through them?"}
            thread = f"/api/v1/circles/{slug}/threads"
            seeded.append(
                (token, expect(await client.post(thread, json=start, headers=headers), 201)["id"])
            )
    return seeded


@dataclass
class Load:
    latencies: list[float]
    statuses: Counter[int]
    post_statuses: Counter[str]
    moderation_key: bool = False


async def post_worker(
    base_url: str,
    seat: tuple[str, int],
    bodies: Sequence[str],
    window: tuple[float, float],
    load: Load,
) -> None:
    token, thread_id = seat
    record_from, stop_at = window
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=1)
    i = secrets.randbelow(len(bodies))
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=30
    ) as client:
        while (started := time.perf_counter()) < stop_at:
            body = {"body": bodies[i % len(bodies)]}
            i += 1
            response = await client.post(f"/api/v1/threads/{thread_id}/posts", json=body)
            if started < record_from:
                continue
            load.latencies.append(time.perf_counter() - started)
            load.statuses[response.status_code] += 1
            if response.status_code == 201:
                data = response.json()
                load.post_statuses[str(data.get("status"))] += 1
                load.moderation_key = load.moderation_key or "moderation" in data


async def create_posts(base_url: str, bodies: Sequence[str], sizes: Sizes) -> dict[str, Any]:
    seats = await seed_over_api(base_url, sizes.server_users)
    load = Load([], Counter(), Counter())
    record_from = time.perf_counter() + sizes.server_warmup
    window = (record_from, record_from + sizes.server_seconds)
    await asyncio.gather(
        *(
            post_worker(base_url, seats[n % len(seats)], bodies, window, load)
            for n in range(sizes.server_connections)
        )
    )
    # Requests still in flight at the end are counted: the window is the warm-up's end to
    # the last answer.
    elapsed = time.perf_counter() - record_from
    ordered = sorted(load.latencies)
    created = load.statuses.get(201, 0)
    return {
        "posts_per_s": rate(created, elapsed),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
        "requests": len(ordered),
        "http_statuses": {str(code): n for code, n in sorted(load.statuses.items())},
        "post_statuses": dict(load.post_statuses),
        "response_has_moderation_key": load.moderation_key,
    }


def bench_server(bodies: Sequence[str], sizes: Sizes) -> dict[str, Any]:
    settings = {
        "server": "uvicorn forum.app:create_app, 1 worker, no access log, CIRCLES_ENV=production",
        "database": "postgresql",
        "toxicity_backend": "embedded",
        "connections": sizes.server_connections,
        "members_posting": sizes.server_users,
        "seconds": sizes.server_seconds,
        "warmup_seconds": sizes.server_warmup,
        # Latency is measured at the client, which shares the 2 cores with the server.
        "client": "httpx.AsyncClient, one connection each, in the benchmark process",
    }
    with bench_database() as url:
        if url is None:
            return {"skipped": "set CIRCLES_TEST_POSTGRES_URL or CIRCLES_BENCH_DATABASE_URL"}
        env = {
            "CIRCLES_ENV": "production",
            "CIRCLES_POST_RATE_BURST": "1000000",
            "CIRCLES_TOXICITY_BACKEND": "embedded",
        }
        with circles_server(url, UVICORN, **env) as server:
            figures = asyncio.run(create_posts(server.base_url, bodies, sizes))
    return {"settings": settings, **figures}


def run(sizes: Sizes) -> dict[str, Any]:
    # Others may share the machine: the load before this run started puts figures in context.
    machine = {"cpus": os.cpu_count(), "load_average_1m_before": round(os.getloadavg()[0], 2)}
    crisis_texts = read_texts(CRISIS_CSV, "text")
    wiki = read_texts(WIKI_CSV, "comment")
    mixed = interleave(wiki, crisis_texts)
    results: dict[str, Any] = {
        "crisis_detection": bench_crisis(crisis_texts[: sizes.crisis_texts], sizes.rounds)
    }
    results["whole_pipeline"] = bench_whole_pipeline(mixed[: sizes.embedded_texts], sizes.rounds)
    results.update(asyncio.run(bench_embedded(mixed[: sizes.embedded_texts], sizes)))
    results["detoxify_bert_base"] = bench_detoxify(crisis_texts + wiki, mixed, sizes)
    results["server_create_post"] = bench_server([text[:2000] for text in wiki], sizes)
    return {
        "benchmark": "pipeline",
        "machine": machine,
        "results": results,
        "targets": TARGETS,
        "targets_met": {
            **results["micro_batched"]["targets_met"],
            **results["whole_pipeline"]["targets_met"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    args = parser.parse_args(argv)
    print(json.dumps(run(QUICK if args.quick else FULL), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
