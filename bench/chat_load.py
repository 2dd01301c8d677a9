"""Chat under load: 500 websocket clients on two server processes plus 20 writes/s; prints JSON.

Two app processes (forum.app:create_app under uvicorn, set up as bench/chat_fanout.py
sets them up) share one PostgreSQL database. The clients are spread over --rooms rooms
(5) and alternate between the processes within each room, so half of every room's
deliveries cross processes through LISTEN/NOTIFY. For --seconds (60) writers add --rate
(20) writes a second, split evenly: chat messages (one member's socket per room, rooms in
turn, the sockets alternating between the processes) and thread replies over HTTP
(one thread per room, the requests alternating between the processes).

Measured: errors (HTTP answers other than 201, HTTP exceptions, connections refused,
sockets the server closed, error events), lost (every chat message must reach every
client of its room exactly once: misses, duplicates, deliveries to another room),
delivery latency (send to receipt, first copy) and HTTP reply latency, and each server's
resident memory (VmRSS from /proc) at idle, with the clients connected, right after the
load, and after the clients have left and the servers have settled.

A baseline in the same run: the same writes with --baseline-clients (50) clients first,
so latency and memory can be quoted as ratios. Writers are members; the post and chat
rate limits are raised for them, since this measures delivery, not the limits.
The database: as bench/chat_fanout.py (CIRCLES_BENCH_DATABASE_URL or a fresh one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from _database import bench_database  # noqa: E402
from _load import Writers, memory, raise_fd_limit, server_errors  # noqa: E402
from chat_fanout import (  # noqa: E402
    APP,
    APP_ENV,
    BODIES,
    Client,
    CpuWindow,
    Tally,
    create_accounts,
    open_clients,
    percentile,
    wait_for_stragglers,
    wait_quiet,
)

from tests.live import LiveServer, circles_server  # noqa: E402

LIMITS = {"CIRCLES_POST_RATE_BURST": "1000000", "CIRCLES_CHAT_RATE_BURST": "1000000"}
SETTLE_SECONDS = 10.0
# Loading the moderation models takes a while on a busy machine.
START_TIMEOUT = 300.0


def log(message: str) -> None:
    print(f"chat_load: {message}", file=sys.stderr, flush=True)


# --- Seeding: accounts, rooms, a thread per room ------------------------------------------


@dataclass
class Seeded:
    """Reader tokens, and per room its id, its thread and its writer's token."""

    readers: list[str]
    rooms: list[dict[str, Any]]


def create_rooms(base_url: str, owner: str, writers: list[str], tag: str) -> list[dict[str, Any]]:
    """One public circle per writer; the writer joins it; the owner starts its thread."""
    rooms = []
    with httpx.Client(base_url=base_url, timeout=60) as http:
        for n, writer in enumerate(writers):
            as_owner = {"Authorization": f"Bearer {owner}"}
            slug = f"chat-load-{tag}-{n}"
            circle = {
                "slug": slug,
                "name": "Evening circle",
                "description": "",
                "visibility": "public",
            }
            made = http.post("/api/v1/circles", json=circle, headers=as_owner).raise_for_status()
            version = made.json()["rules"]["version"]
            http.post(
                f"/api/v1/circles/{slug}/join",
                json={"accept_rules_version": version},
                headers={"Authorization": f"Bearer {writer}"},
            ).raise_for_status()
            listed = http.get(f"/api/v1/circles/{slug}/rooms").raise_for_status()
            thread = http.post(
                f"/api/v1/circles/{slug}/threads",
                json={"title": "How was your week?", "body": "Tell us anything."},
                headers=as_owner,
            ).raise_for_status()
            room_id = int(listed.json()["rooms"][0]["id"])
            rooms.append({"room": room_id, "thread": int(thread.json()["id"]), "writer": writer})
    return rooms


# --- One scenario: connect, write for a while, drain, leave ------------------------------


async def write_chat(writers: Writers, tag: str, rate: float, count: int) -> list[int]:
    """Chat messages on a fixed schedule, rooms in turn; the room index of each."""
    loop = asyncio.get_running_loop()
    start, rooms = loop.time(), []
    for i in range(count):
        if (delay := start + i / rate - loop.time()) > 0:
            await asyncio.sleep(delay)
        room = i % len(writers.sockets)
        client_msg_id = f"{tag}.{i}.{time.time_ns()}"
        body = BODIES[i % len(BODIES)]
        frame = json.dumps({"type": "send", "client_msg_id": client_msg_id, "body": body})
        await writers.send(room, i, frame)
        rooms.append(room)
    return rooms


async def write_replies(
    https: list[httpx.AsyncClient], rooms: list[dict[str, Any]], rate: float, count: int
) -> dict[str, Any]:
    """Thread replies on a fixed schedule, each its own task so a slow answer delays none."""
    loop = asyncio.get_running_loop()
    statuses: Counter[str] = Counter()
    latencies: list[int] = []

    async def reply(i: int) -> None:
        room = rooms[i % len(rooms)]
        sent = time.perf_counter_ns()
        try:
            answer = await https[i % len(https)].post(
                f"/api/v1/threads/{room['thread']}/posts",
                json={"body": BODIES[i % len(BODIES)]},
                headers={"Authorization": f"Bearer {room['writer']}"},
            )
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] += 1
            return
        latencies.append((time.perf_counter_ns() - sent) // 1000)
        statuses[str(answer.status_code)] += 1

    start, tasks = loop.time(), []
    for i in range(count):
        if (delay := start + i / rate - loop.time()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(reply(i)))
    await asyncio.gather(*tasks)
    latencies.sort()
    return {
        "sent": count,
        "statuses": dict(statuses),
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": percentile(latencies, 1.0),
    }


def deliveries(clients: list[tuple[Client, int]], rooms_of: list[int]) -> dict[str, int]:
    """Misses, duplicates and wrong-room deliveries over every (message, client) pair."""
    lost = duplicated = wrong_room = 0
    for client, room in clients:
        for i, message_room in enumerate(rooms_of):
            seen = client.seen[i]
            if message_room != room:
                wrong_room += seen
            elif seen == 0:
                lost += 1
            else:
                duplicated += seen - 1
    expected = sum(rooms_of.count(room) for _, room in clients)
    return {"expected": expected, "lost": lost, "duplicated": duplicated, "wrong_room": wrong_room}


@dataclass
class Crowd:
    """One scenario's connections: readers with their room index, and a writer per room."""

    readers: list[tuple[Client, int]]
    writers: Writers
    tally: Tally
    writer_tally: Tally
    connect_failures: int
    connect_seconds: float


async def gather_crowd(
    servers: list[LiveServer], seeded: Seeded, clients: int, tally: Tally, writer_tally: Tally
) -> Crowd:
    """Connect the readers (client i: room i mod rooms, process (i div rooms) mod 2), then a
    writer socket per room (alternating processes)."""
    loop, rooms = asyncio.get_running_loop(), seeded.rooms

    def target(server: LiveServer, room: dict[str, Any], token: str) -> dict[str, Any]:
        path = f"/ws/rooms/{room['room']}"
        return {"host": "127.0.0.1", "port": server.port, "path": path, "token": token}

    placed = [(i % len(rooms), servers[(i // len(rooms)) % len(servers)]) for i in range(clients)]
    targets = [
        target(server, rooms[room], seeded.readers[i % len(seeded.readers)])
        for i, (room, server) in enumerate(placed)
    ]
    started = time.monotonic()
    opened, failures = await open_clients(loop, tally, targets, 20)
    writer_targets = [
        target(servers[n % len(servers)], r, r["writer"]) for n, r in enumerate(rooms)
    ]
    writers, writer_failures = await open_clients(loop, writer_tally, writer_targets, 5)
    if writer_failures:
        raise SystemExit(f"chat_load: a writer could not connect: {writer_failures}")
    readers = [(c, room) for c, (room, _) in zip(opened, placed, strict=True) if c is not None]
    return Crowd(
        readers,
        Writers([w for w in writers if w is not None], writer_targets, writer_tally),
        tally,
        writer_tally,
        len(failures),
        round(time.monotonic() - started, 2),
    )


async def write_load(
    args: argparse.Namespace, servers: list[LiveServer], crowd: Crowd, seeded: Seeded
) -> tuple[list[int], dict[str, Any]]:
    """Half the writes as chat, half as replies, at once; the chat messages' rooms."""
    chat_rate = args.rate / 2
    reply_rate = args.rate - chat_rate
    https = [httpx.AsyncClient(base_url=s.base_url, timeout=60) for s in servers]
    try:
        rooms_of, replies = await asyncio.gather(
            write_chat(crowd.writers, crowd.tally.tag, chat_rate, crowd.tally.planned),
            write_replies(https, seeded.rooms, reply_rate, int(reply_rate * args.seconds)),
        )
    finally:
        for http in https:
            await http.aclose()
    return rooms_of, replies


async def scenario(
    args: argparse.Namespace, clients: int, servers: list[LiveServer], seeded: Seeded
) -> dict[str, Any]:
    tag, chat_rate = uuid.uuid4().hex[:8], args.rate / 2
    chat_count = int(chat_rate * args.seconds)
    tally, writer_tally = Tally(tag, chat_count, chat_rate), Tally(tag, chat_count, chat_rate)
    crowd = await gather_crowd(servers, seeded, clients, tally, writer_tally)
    pids = [s.process.pid for s in servers]
    # The join storm (presence to everyone) is over before the measurement starts.
    settle = await wait_quiet([tally, writer_tally], pids, 1.0, 300.0)
    log(f"{len(crowd.readers)} clients connected in {crowd.connect_seconds}s, quiet {settle}s on")
    rss = {"connected": memory(servers)}
    tally.events.clear()
    writer_tally.events.clear()
    cpu = CpuWindow({f"server_{n}": pid for n, pid in enumerate(pids)})
    rooms_of, replies = await write_load(args, servers, crowd, seeded)
    await crowd.writers.reopen_closed()  # a writer closed after its last send sends again
    expected = sum(rooms_of.count(room) for _, room in crowd.readers)
    drained = await wait_for_stragglers([tally], expected, args.drain)
    usage, rss["after_load"] = cpu.report(), memory(servers)
    everyone = [c for c, _ in crowd.readers] + crowd.writers.all_sockets()
    closed = Counter(str(c.close_code) for c in everyone if c.close_code is not None)
    for client in everyone:
        client.close()
    await asyncio.sleep(SETTLE_SECONDS)
    rss["settled"] = memory(servers)
    return summarise(crowd, rooms_of, replies, closed) | {
        "clients": clients,
        "connect_seconds": crowd.connect_seconds,
        "join_settle_seconds": settle,
        "straggler_wait_seconds": drained,
        "rss_mb": rss,
        "cpu": usage,
    }


def summarise(
    crowd: Crowd, rooms_of: list[int], replies: dict[str, Any], closed: Counter[str]
) -> dict[str, Any]:
    tally, writer_tally = crowd.tally, crowd.writer_tally
    latencies = sorted(tally.latencies_us)
    delivered = deliveries(crowd.readers, rooms_of)
    errors = {
        "http": sum(n for status, n in replies["statuses"].items() if status != "201"),
        "connect_failures": crowd.connect_failures,
        "closed_by_server": sum(closed.values()),
        "error_events": sum(tally.errors.values()) + sum(writer_tally.errors.values()),
    }
    return {
        "connected": len(crowd.readers),
        "errors": errors,
        "errors_total": sum(errors.values()),
        "lost": delivered["lost"],
        "chat": delivered
        | {
            "sent": len(rooms_of),
            "held_for_review": writer_tally.events["held"],
            "p50_ms": percentile(latencies, 0.5),
            "p90_ms": percentile(latencies, 0.9),
            "p99_ms": percentile(latencies, 0.99),
            "max_ms": percentile(latencies, 1.0),
            "worst_ms_by_second_sent": [round(us / 1000, 1) for us in tally.worst_us],
        },
        "replies": replies,
        "closed_codes": dict(closed),
        "writer_reconnects": crowd.writers.reconnects,
        "writer_resent": crowd.writers.resent,
        "error_codes": dict(tally.errors + writer_tally.errors),
    }


# --- The run --------------------------------------------------------------------------


def ratios(
    load: dict[str, Any], baseline: dict[str, Any], idle: dict[str, float]
) -> dict[str, Any]:
    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 2) if b else None

    settled = load["rss_mb"]["settled"]
    return {
        "delivery_p99": ratio(load["chat"]["p99_ms"], baseline["chat"]["p99_ms"]),
        "delivery_p50": ratio(load["chat"]["p50_ms"], baseline["chat"]["p50_ms"]),
        "reply_p99": ratio(load["replies"]["p99_ms"], baseline["replies"]["p99_ms"]),
        "rss_settled_over_idle": {name: ratio(settled[name], idle[name]) for name in idle},
        "rss_after_load_over_baseline_after_load": {
            name: ratio(load["rss_mb"]["after_load"][name], baseline["rss_mb"]["after_load"][name])
            for name in idle
        },
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    fd_limit = raise_fd_limit()
    tag = uuid.uuid4().hex[:6]
    env = APP_ENV | LIMITS | {"CIRCLES_SECRET_KEY": secrets.token_hex(32)}
    results: dict[str, Any] = {}
    with ExitStack() as stack:
        url = stack.enter_context(bench_database("chat_load"))
        servers = [
            stack.enter_context(circles_server(url, APP, timeout=START_TIMEOUT, **env))
            for _ in range(2)
        ]
        owner, tokens = asyncio.run(create_accounts(url, args.clients + args.rooms, tag))
        writers, readers = tokens[: args.rooms], tokens[args.rooms :]
        seeded = Seeded(readers, create_rooms(servers[0].base_url, owner, writers, tag))
        results["rss_mb_idle"] = memory(servers)
        log(f"baseline: {args.baseline_clients} clients")
        results["baseline"] = asyncio.run(scenario(args, args.baseline_clients, servers, seeded))
        log(f"load: {args.clients} clients")
        results["load"] = asyncio.run(scenario(args, args.clients, servers, seeded))
        results["server_errors"] = [server_errors(s.output()) for s in servers]
    results["ratios"] = ratios(results["load"], results["baseline"], results["rss_mb_idle"])
    load = results["load"]
    return {
        "benchmark": "chat_load",
        "settings": settings(args) | {"fd_limit": fd_limit, "cores": os.cpu_count()},
        "results": results,
        "targets": {"errors": 0, "lost": 0, "duplicated": 0},
        "targets_met": not (load["errors_total"] or load["lost"] or load["chat"]["duplicated"]),
    }


def settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "clients": args.clients,
        "baseline_clients": args.baseline_clients,
        "rooms": args.rooms,
        "servers": 2,
        "writes_per_s": args.rate,
        "split": "half chat messages (one member socket per room), half thread replies (HTTP)",
        "seconds": args.seconds,
        "app": "forum.app:create_app under uvicorn, CIRCLES_ENV=production, embedded "
        "toxicity model, post and chat rate limits raised",
        "database": "postgresql",
        "placement": "client i: room i mod rooms, process (i div rooms) mod 2",
        "latency": "receive wall clock minus the send time in client_msg_id, first copy",
        "lost": "(message, client of its room) pairs never delivered, held messages included",
        "rss": "VmRSS; settled: clients gone and SETTLE_SECONDS later",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 clients for 10 s")
    parser.add_argument("--clients", type=int, default=500, help="websocket clients (500)")
    parser.add_argument("--baseline-clients", type=int, default=50, help="baseline clients (50)")
    parser.add_argument("--rooms", type=int, default=5, help="rooms the clients share (5)")
    parser.add_argument("--rate", type=float, default=20.0, help="writes per second (20)")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of writing (60)")
    parser.add_argument(
        "--drain", type=float, default=10.0, help="stop waiting after this long with no delivery"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.seconds = 100, 10.0
    print(json.dumps(run(args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
