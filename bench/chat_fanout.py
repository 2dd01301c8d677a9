"""Chat fan-out: many websocket clients in one room, one sender; prints one JSON object.

500 clients (default) in one chat room and one sender at 50 messages/s for 20 s. Each
client_msg_id carries the wall-clock send time, so every (message, client) delivery
gives a latency; every client must receive every message exactly once with increasing
seq. Scenarios, one after the other in one run:

1. baseline: bench/chat_baseline.py, a minimal broadcast server (no storage, no
   moderation, the same bounded outbox and writer task per connection);
2. one_process: one app process (forum.app:create_app) on PostgreSQL;
3. two_processes: two app processes on the same database, clients split between them
   (alternately), the sender on the first: fan-out crosses processes via LISTEN/NOTIFY.

Baseline runs bracket the app scenarios (before, between, after); each app scenario is
compared with the quieter (lower p99) of the baseline runs just before and just after it:
other work on a shared machine only ever adds latency, to either side.
All servers run under the same uvicorn settings. The clients and the sender run in a
separate process (this script with --drive, config on stdin) that speaks the websocket
protocol with a small asyncio.Protocol, so the client side costs little CPU per frame.

The database: CIRCLES_BENCH_DATABASE_URL (used as is), or a fresh database created on
the server CIRCLES_TEST_POSTGRES_URL names and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import os
import secrets
import subprocess
import sys
import time
import uuid
from array import array
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _database import bench_database  # noqa: E402
from websockets.frames import Frame, Opcode  # noqa: E402
from websockets.utils import accept_key  # noqa: E402

from tests.live import LiveServer, circles_server, free_port, running  # noqa: E402

# Same uvicorn settings for the app and the baseline: one worker, no access log, and what
# `circles serve` sets for websockets (no permessage-deflate, 16 KiB frames). The clients
# offer no extensions either, so no frame is compressed.
UVICORN = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}"]
UVICORN += ["--workers", "1", "--log-level", "warning", "--no-access-log"]
UVICORN += ["--ws-per-message-deflate", "false", "--ws-max-size", str(16 * 1024)]
APP = [*UVICORN, "--factory", "forum.app:create_app"]
BASELINE = [*UVICORN, "--app-dir", str(ROOT / "bench"), "chat_baseline:app"]
APP_ENV = {"CIRCLES_ENV": "production", "CIRCLES_TOXICITY_BACKEND": "embedded"}
TARGETS = {"one_process": 2.0, "two_processes": 3.0}
DRIVER_TIMEOUT = 1800.0
BODIES = [
    "Thank you for sharing that with us tonight.",
    "That sounds like a lovely way to remember her.",
    "I'm glad you found a walk that helps in the mornings.",
    "Welcome to the circle, it's good to have you here.",
    "Sending you warm wishes for a restful evening.",
    "Your garden sounds beautiful this time of year.",
    "It helps me to hear how others got through the first winter.",
    "Take all the time you need, we are listening.",
]
# Starlette's send_json encoding; presence frames are counted without being parsed.
PRESENCE_PREFIX = b'{"type":"presence"'


def log(message: str) -> None:
    print(f"chat_fanout: {message}", file=sys.stderr, flush=True)


# --- The driver: the clients and the sender, in their own process ----------------------


@dataclass
class Tally:
    """What one group of connections received."""

    tag: str
    planned: int
    rate: float
    latencies_us: array[int] = field(default_factory=lambda: array("q"))
    # The worst latency of the messages sent in each second: a backlog shows as a ramp.
    worst_us: list[int] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    foreign: int = 0
    last_frame_ns: int = 0
    received_bytes: int = 0


class Client(asyncio.Protocol):
    """One websocket connection: handshake, unmasked server frames, pings answered."""

    def __init__(self, tally: Tally, host: str, port: int, path: str, token: str) -> None:
        self.tally, self.request = tally, (host, port, path, token)
        self.key = base64.b64encode(os.urandom(16)).decode()
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.fragments: list[bytes] = []
        self.seen = bytearray(tally.planned)  # deliveries per message index
        self.last_seq = 0
        self.out_of_order = 0
        self.seq_gaps = 0
        self.close_code: int | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        host, port, path, token = self.request
        self.transport.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {self.key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
        )

    def connection_lost(self, exc: Exception | None) -> None:
        if self.close_code is None:
            self.close_code = 1006
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"connection lost in handshake: {exc}"))

    def write_frame(self, opcode: Opcode, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(Frame(opcode, data).serialize(mask=True))

    def send_text(self, text: str) -> None:
        self.write_frame(Opcode.TEXT, text.encode())

    def close(self) -> None:
        self.write_frame(Opcode.CLOSE, (1000).to_bytes(2, "big"))
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        now = time.time_ns()  # one read: every frame in it arrived now
        self.tally.received_bytes += len(data)
        buffer = self.buffer
        buffer += data
        if not self.opened.done():
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            refused = self._handshake(bytes(buffer[:end]).decode("latin-1"))
            del buffer[: end + 4]
            if refused is not None:
                self.opened.set_exception(ConnectionError(refused))
                buffer.clear()
                self.close()
                return
            self.opened.set_result(None)
        pos, size = 0, len(buffer)
        while size - pos >= 2:
            length, head = buffer[pos + 1] & 0x7F, 2
            if length == 126:
                length, head = int.from_bytes(buffer[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                length, head = int.from_bytes(buffer[pos + 2 : pos + 10], "big"), 10
            end = pos + head + length
            if end > size:
                break
            self._frame(buffer[pos], bytes(buffer[pos + head : end]), now)
            pos = end
        del buffer[:pos]

    def _handshake(self, head: str) -> str | None:
        """What is wrong with the server's answer to the upgrade request, if anything."""
        status, *lines = head.split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines)}
        if not status.startswith("HTTP/1.1 101"):
            return f"handshake refused: {status}"
        if headers.get("sec-websocket-accept") != accept_key(self.key):
            return "bad Sec-WebSocket-Accept"
        if "sec-websocket-extensions" in headers:
            return "the server negotiated an extension nobody offered"
        return None

    def _frame(self, first: int, payload: bytes, now: int) -> None:
        opcode = first & 0x0F
        if opcode in (0, 1):
            self.fragments.append(payload)
            if first & 0x80:
                text = b"".join(self.fragments)
                self.fragments = []
                self._text(text, now)
        elif opcode == 9:
            self.write_frame(Opcode.PONG, payload)
        elif opcode == 8:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self.close()
        elif opcode == 2:
            self.tally.errors["binary_frame"] += 1

    def _text(self, payload: bytes, now: int) -> None:
        tally = self.tally
        tally.last_frame_ns = now
        if payload.startswith(PRESENCE_PREFIX):
            tally.events["presence"] += 1
            return
        event = json.loads(payload)
        kind = str(event.get("type"))
        tally.events[kind] += 1
        if kind == "message":
            self._message(event, now)
        elif kind == "error":
            tally.errors[str(event.get("code"))] += 1

    def _message(self, event: dict[str, Any], now: int) -> None:
        tag, _, rest = str(event.get("client_msg_id")).partition(".")
        index, _, sent_ns = rest.partition(".")
        if tag != self.tally.tag or not (index.isdigit() and sent_ns.isdigit()):
            self.tally.foreign += 1
            return
        i = int(index)
        if self.seen[i] == 0:
            latency = (now - int(sent_ns)) // 1000
            self.tally.latencies_us.append(latency)
            second = int(i // self.tally.rate)
            worst = self.tally.worst_us
            if second >= len(worst):
                worst.extend([0] * (second + 1 - len(worst)))
            worst[second] = max(worst[second], latency)
        self.seen[i] = min(self.seen[i] + 1, 255)
        seq = int(event["seq"])
        if seq <= self.last_seq:
            self.out_of_order += 1
        elif self.last_seq and seq != self.last_seq + 1:
            self.seq_gaps += 1
        self.last_seq = max(seq, self.last_seq)


def cpu_seconds(pid: int | str) -> float:
    """User plus system CPU time of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds over all cores since boot."""
    with open("/proc/stat") as stat:
        ticks = [int(n) for n in stat.readline().split()[1:9]]
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - ticks[3] - ticks[4]) / tick, sum(ticks) / tick


def postgres_seconds() -> dict[int, float]:
    """CPU seconds of every local PostgreSQL process (whichever database they serve)."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() == "postgres":
                    found[int(pid)] = cpu_seconds(pid)
        except OSError:  # it just ended
            continue
    return found


class CpuWindow:
    """CPU used by this process, the servers, PostgreSQL and the machine between two marks."""

    def __init__(self, servers: dict[str, int]) -> None:
        self.servers = servers
        self.start, self.postgres = self._sample(), postgres_seconds()
        self.wall = time.monotonic()

    def _sample(self) -> dict[str, float]:
        busy, total = machine_seconds()
        sample = {"driver": cpu_seconds("self"), "machine_busy": busy, "machine_total": total}
        return sample | {name: cpu_seconds(pid) for name, pid in self.servers.items()}

    def report(self) -> dict[str, Any]:
        end, wall = self._sample(), time.monotonic() - self.wall
        used = {name: end[name] - self.start[name] for name in end}
        postgres = postgres_seconds()
        used["postgres"] = sum(t - self.postgres.get(pid, 0.0) for pid, t in postgres.items())
        names = ["driver", *self.servers, "postgres"]
        percent = {name: round(100 * used[name] / wall, 1) for name in names}
        busy = used["machine_busy"] / used["machine_total"] if used["machine_total"] else 0.0
        return {
            "wall_seconds": round(wall, 2),
            "percent_of_one_core": percent,
            "machine_busy_percent": round(100 * busy, 1),
            "cores": os.cpu_count(),
        }


async def open_clients(
    loop: asyncio.AbstractEventLoop, tally: Tally, targets: list[dict[str, Any]], width: int
) -> tuple[list[Client | None], list[str]]:
    gate = asyncio.Semaphore(width)
    failures: list[str] = []

    async def one(target: dict[str, Any]) -> Client | None:
        async with gate:
            client = Client(tally, target["host"], target["port"], target["path"], target["token"])
            try:
                await loop.create_connection(lambda: client, target["host"], target["port"])
                await asyncio.wait_for(client.opened, 30)
            except (OSError, TimeoutError) as exc:
                failures.append(str(exc))
                return None
            return client

    return list(await asyncio.gather(*(one(t) for t in targets))), failures


async def wait_quiet(tallies: list[Tally], pids: list[int], quiet: float, limit: float) -> float:
    """Wait until no text frame arrived for `quiet` seconds and the servers are idle.

    Returns the seconds it took: with the app, mostly the presence storm of the joins.
    """
    started = time.monotonic()
    busy = sum(cpu_seconds(pid) for pid in pids)
    while time.monotonic() - started < limit:
        await asyncio.sleep(0.5)
        busy, before = sum(cpu_seconds(pid) for pid in pids), busy
        last = max(t.last_frame_ns for t in tallies)
        if time.time_ns() - last >= quiet * 1e9 and busy - before < 0.05:
            break
    return round(time.monotonic() - started, 2)


async def send_messages(sender: Client, tag: str, rate: float, count: int) -> float:
    """Send `count` messages on a fixed schedule; the seconds from first to last send."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(count):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        client_msg_id = f"{tag}.{i}.{time.time_ns()}"
        body = BODIES[i % len(BODIES)]
        sender.send_text(json.dumps({"type": "send", "client_msg_id": client_msg_id, "body": body}))
    return loop.time() - start


async def wait_for_stragglers(tallies: list[Tally], expected: int, patience: float) -> float:
    """Wait until every delivery arrived or none arrived for `patience` seconds.

    A server with a backlog is still delivering: its messages are late, not lost.
    """
    started = last_progress = time.monotonic()
    delivered = -1
    while time.monotonic() - last_progress < patience:
        now = sum(len(t.latencies_us) for t in tallies)
        if now >= expected:
            break
        if now > delivered:
            delivered, last_progress = now, time.monotonic()
        await asyncio.sleep(0.05)
    return round(time.monotonic() - started, 2)


def percentile(values: list[int], q: float) -> float:
    """Nearest-rank percentile of sorted microseconds, in milliseconds."""
    if not values:
        return 0.0
    rank = min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))
    return round(values[rank] / 1000, 3)


def summarise(clients: list[Client], tally: Tally, sent: int) -> dict[str, Any]:
    received = [c.seen[:sent] for c in clients]
    lost = sum(seen.count(0) for seen in received)
    duplicated = sum(sum(seen) - (sent - seen.count(0)) for seen in received)
    latencies = sorted(tally.latencies_us)
    return {
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": percentile(latencies, 1.0),
        "lost": lost,
        "duplicated": duplicated,
        "delivered": len(latencies),
        "sent": sent,
        "clients": len(clients),
        "out_of_order": sum(c.out_of_order for c in clients),
        "seq_gaps": sum(c.seq_gaps for c in clients),
        "closed_by_server": dict(Counter(str(c.close_code) for c in clients if c.close_code)),
        "events": dict(tally.events),
        "errors": dict(tally.errors),
        "foreign_messages": tally.foreign,
        "worst_ms_by_second_sent": [round(us / 1000, 1) for us in tally.worst_us],
    }


async def drive(config: dict[str, Any]) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    tag, planned, rate = config["tag"], config["planned"], config["rate"]
    groups = sorted({r["group"] for r in config["receivers"]})
    tallies = {group: Tally(tag, planned, rate) for group in groups}
    sender_tally = Tally(tag, planned, rate)
    started = time.monotonic()
    clients: dict[str, list[Client]] = {}
    failures: list[str] = []
    for group in groups:
        targets = [r for r in config["receivers"] if r["group"] == group]
        opened, failed = await open_clients(loop, tallies[group], targets, config["width"])
        clients[group] = [c for c in opened if c is not None]
        failures += failed
    (sender,), failed = await open_clients(loop, sender_tally, [config["sender"]], 1)
    if sender is None:
        raise SystemExit(f"chat_fanout: the sender could not connect: {failed}")
    connect_seconds = round(time.monotonic() - started, 2)
    log(f"{sum(map(len, clients.values()))} clients connected in {connect_seconds}s")
    everyone = [*tallies.values(), sender_tally]
    pids = [int(pid) for pid in config["server_pids"].values()]
    settle_seconds = await wait_quiet(everyone, pids, config["quiet"], config["settle_limit"])
    joining = {
        "presence_frames": sum(t.events["presence"] for t in everyone),
        "megabytes_received": round(sum(t.received_bytes for t in everyone) / 1e6, 1),
    }
    for tally in everyone:
        tally.events.clear()  # what follows is the load alone
    log(f"settled after {settle_seconds}s; sending {planned} messages at {rate}/s")
    cpu = CpuWindow(dict(zip(config["server_pids"], pids, strict=True)))
    send_seconds = await send_messages(sender, tag, rate, planned)
    expected = planned * sum(map(len, clients.values()))
    drained = await wait_for_stragglers(list(tallies.values()), expected, config["drain"])
    usage = cpu.report()
    everybody = [c for group in groups for c in clients[group]]
    merged = Tally(tag, planned, rate)
    for tally in tallies.values():
        merged.latencies_us.extend(tally.latencies_us)
        merged.worst_us = [
            max(pair) for pair in zip_longest(merged.worst_us, tally.worst_us, fillvalue=0)
        ]
        merged.events.update(tally.events)
        merged.errors.update(tally.errors)
        merged.foreign += tally.foreign
    result = summarise(everybody, merged, planned)
    result |= {
        "connect_failures": len(failures),
        "connect_seconds": connect_seconds,
        "settle_seconds": settle_seconds,
        "joining": joining,
        "send_seconds": round(send_seconds, 2),
        "send_rate": round((planned - 1) / send_seconds, 1) if send_seconds else None,
        "straggler_wait_seconds": drained,
        "sender": summarise([sender], sender_tally, planned),
        "cpu": usage,
    }
    if len(groups) > 1:
        result["by_server"] = {g: summarise(clients[g], tallies[g], planned) for g in groups}
    if failures:
        result["connect_failure_examples"] = sorted(set(failures))[:3]
    for client in [*everybody, sender]:
        client.close()
    await asyncio.sleep(0.2)
    return result


def drive_main() -> int:
    config = json.loads(sys.stdin.read())
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(drive(config))
        result["driver_loop"] = "asyncio"
    else:
        result = uvloop.run(drive(config))
        result["driver_loop"] = "uvloop"
    print(json.dumps(result))
    return 0


# --- Orchestration: database, servers, scenarios ----------------------------------------


@dataclass
class Seeded:
    sender_token: str
    reader_tokens: list[str]
    rooms: list[int]


async def create_accounts(url: str, readers: int, tag: str) -> tuple[str, list[str]]:
    """A moderator (exempt from the chat rate limit) and `readers` members, with tokens.

    Members are inserted in bulk with one shared password hash: hashing hundreds of
    passwords with argon2 would take minutes and is not what this measures.
    """
    from forum.accounts import service as accounts
    from forum.accounts.models import Role, User
    from forum.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(url, pool_size=1)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            password = secrets.token_urlsafe(16)
            sender = await accounts.register(
                db, f"sender-{tag}", password, "Sender", Role.MODERATOR
            )
            token = await accounts.create_api_token(db, sender, "chat bench")
            names = [f"reader-{tag}-{i}" for i in range(readers)]
            members = [
                User(
                    username=name,
                    username_key=accounts.username_key(name),
                    display_name=f"Reader {i}",
                    password_hash=sender.password_hash,
                    role=Role.MEMBER,
                )
                for i, name in enumerate(names)
            ]
            db.add_all(members)
            await db.flush()
            tokens = [await accounts.create_api_token(db, m, "chat bench") for m in members]
    finally:
        await engine.dispose()
    return token, tokens


def create_rooms(base_url: str, token: str, count: int, tag: str) -> list[int]:
    """`count` public circles owned by the sender; the id of each one's default room."""
    import httpx

    rooms = []
    with httpx.Client(base_url=base_url, timeout=30) as http:
        http.headers["Authorization"] = f"Bearer {token}"
        for n in range(count):
            slug = f"chat-bench-{tag}-{n}"
            circle = {
                "slug": slug,
                "name": "Evening circle",
                "description": "",
                "visibility": "public",
            }
            http.post("/api/v1/circles", json=circle).raise_for_status()
            listed = http.get(f"/api/v1/circles/{slug}/rooms").raise_for_status()
            rooms.append(int(listed.json()["rooms"][0]["id"]))
    return rooms


def wait_idle(pids: list[int], limit: float = 60.0) -> None:
    """Let servers finish work left over from the last scenario (the leave storm)."""
    deadline = time.monotonic() + limit
    before = sum(cpu_seconds(pid) for pid in pids)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = sum(cpu_seconds(pid) for pid in pids)
        if now - before < 0.02:
            return
        before = now


def run_driver(
    args: argparse.Namespace, servers: list[LiveServer], room_id: int, seeded: Seeded
) -> dict[str, Any]:
    """Drive one scenario from a separate process: clients alternate between `servers`."""
    labels = ["sender_process", "other_process"] if len(servers) > 1 else ["server"]
    path = f"/ws/rooms/{room_id}"
    receivers = []
    for i in range(args.clients):
        server = servers[i % len(servers)]
        token = seeded.reader_tokens[i % len(seeded.reader_tokens)]
        receivers.append(
            {"host": "127.0.0.1", "port": server.port, "path": path, "token": token}
            | {"group": labels[i % len(servers)]}
        )
    sender = {"host": "127.0.0.1", "port": servers[0].port, "path": path}
    config = {
        "tag": uuid.uuid4().hex[:8],
        "planned": int(args.rate * args.seconds),
        "rate": args.rate,
        "drain": args.drain,
        "quiet": 1.0,
        "settle_limit": 300.0,
        "width": 20,
        "receivers": receivers,
        "sender": sender | {"token": seeded.sender_token},
        "server_pids": {labels[n]: s.process.pid for n, s in enumerate(servers)},
    }
    command = [sys.executable, str(Path(__file__).resolve()), "--drive"]
    done = subprocess.run(
        command,
        input=json.dumps(config),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=DRIVER_TIMEOUT,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    wait_idle([s.process.pid for s in servers])
    return result


def run_baseline(args: argparse.Namespace, seeded: Seeded) -> dict[str, Any]:
    """One baseline run on a fresh server process."""
    port = free_port()
    with running([a.format(port=port) for a in BASELINE], dict(os.environ), port) as server:
        log("baseline")
        return run_driver(args, [server], 1, seeded)


def compare(result: dict[str, Any], baselines: dict[str, dict[str, Any]], target: float) -> None:
    """Ratios against the quieter of the baseline runs just before and just after."""
    name, baseline = min(baselines.items(), key=lambda item: item[1]["p99_ms"])
    p99, p50 = baseline["p99_ms"], baseline["p50_ms"]
    result["compared_with"] = name
    result["baseline_p99_ms"], result["baseline_p50_ms"] = p99, p50
    result["p99_ratio"] = round(result["p99_ms"] / p99, 2) if p99 else None
    result["p50_ratio"] = round(result["p50_ms"] / p50, 2) if p50 else None
    result["target_p99_ratio"] = target


def met(result: dict[str, Any]) -> bool:
    clean = not (result["lost"] or result["duplicated"] or result["out_of_order"])
    ratio = result["p99_ratio"]
    return (
        clean
        and not result["connect_failures"]
        and ratio is not None
        and ratio <= result["target_p99_ratio"]
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    machine = {"cores": os.cpu_count(), "load_average_1m_before": round(os.getloadavg()[0], 2)}
    tag = uuid.uuid4().hex[:6]
    env = APP_ENV | {"CIRCLES_SECRET_KEY": secrets.token_hex(32)}
    results: dict[str, Any] = {}
    with ExitStack() as stack:
        url = stack.enter_context(bench_database("chat_fanout"))
        first = stack.enter_context(circles_server(url, APP, **env))
        sender_token, readers = asyncio.run(create_accounts(url, args.accounts, tag))
        rooms = create_rooms(first.base_url, sender_token, 2, tag)
        seeded = Seeded(sender_token, readers, rooms)
        results["baseline"] = run_baseline(args, seeded)
        log("one app process")
        results["one_process"] = run_driver(args, [first], rooms[0], seeded)
        results["baseline_2"] = run_baseline(args, seeded)
        if not args.one_process_only:
            second = stack.enter_context(circles_server(url, APP, **env))
            log("two app processes")
            results["two_processes"] = run_driver(args, [first, second], rooms[1], seeded)
            results["baseline_3"] = run_baseline(args, seeded)
    pick = {name: results[name] for name in ("baseline", "baseline_2")}
    compare(results["one_process"], pick, TARGETS["one_process"])
    if "two_processes" in results:
        pick = {name: results[name] for name in ("baseline_2", "baseline_3")}
        compare(results["two_processes"], pick, TARGETS["two_processes"])
    scenarios = [name for name in TARGETS if name in results]
    return {
        "benchmark": "chat_fanout",
        "settings": settings(args) | {"machine": machine},
        "results": results,
        "targets": {
            name: {"p99_ratio_max": TARGETS[name], "lost": 0, "duplicated": 0} for name in scenarios
        },
        "targets_met": {name: met(results[name]) for name in scenarios},
    }


def settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "clients": args.clients,
        # One account per client by default, as in a real room: every first join sends
        # everybody a presence list, a storm that happens before the measurement starts.
        "distinct_accounts": args.accounts,
        "rate_per_s": args.rate,
        "seconds": args.seconds,
        "server": "uvicorn, 1 worker, log level warning, no access log, --ws auto "
        "(websockets-sansio), permessage-deflate off, ws max size 16 KiB",
        "app": "forum.app:create_app, CIRCLES_ENV=production, toxicity backend embedded",
        "database": "postgresql",
        "baseline": "bench/chat_baseline.py, runs before, between and after the app scenarios; "
        "each scenario against the lower-p99 run of the two around it",
        "driver": "separate process: asyncio.Protocol websocket clients plus the sender",
        "sender": "a moderator (no chat rate limit), its own connection, not one of the clients",
        "latency": "receive wall clock minus the send time in client_msg_id, first delivery",
        "cpu": "percent of one core during sending and draining, from /proc; postgres: "
        "all local PostgreSQL processes; machine_busy_percent: every process, others' too",
        "lost": "sent, never delivered; includes sends the server never read (sender closed)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 clients for 5 s")
    parser.add_argument("--clients", type=int, default=500, help="websocket clients (500)")
    parser.add_argument("--accounts", type=int, help="distinct reader accounts (= clients)")
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second (50)")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of sending (20)")
    parser.add_argument(
        "--drain",
        type=float,
        default=5.0,
        help="give up on stragglers after this many seconds without a delivery (5)",
    )
    parser.add_argument("--one-process-only", action="store_true", help="skip scenario 3")
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:
        return drive_main()
    if args.quick:
        args.clients, args.seconds = 100, 5.0
    args.accounts = min(args.accounts or args.clients, args.clients)
    print(json.dumps(run(args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
