"""Helpers for load benchmarks: server memory and errors, file limits, reconnecting writers."""

from __future__ import annotations

import asyncio
import resource
from collections import Counter
from typing import Any

from chat_fanout import Client, Tally, open_clients

from tests.live import LiveServer


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmRSS for process {pid}")


def memory(servers: list[LiveServer]) -> dict[str, float]:
    return {f"server_{n}": rss_mb(s.process.pid) for n, s in enumerate(servers)}


def server_errors(output: str, keep: int = 5) -> dict[str, Any]:
    """How many tracebacks a server logged, and their most common exception lines."""
    blocks = output.split("Traceback (most recent call last):")[1:]
    # The exception line is the first one after the traceback's indented frames.
    raised = Counter(
        next((ln for ln in b.splitlines() if ln.strip() and not ln[:1].isspace()), "")[:300]
        for b in blocks
    )
    return {"tracebacks": len(blocks), "most_common": raised.most_common(keep)}


def raise_fd_limit() -> int:
    """Every client is a socket here and in a server: lift the soft limit to the hard one.

    The servers are started afterwards and inherit it.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Writers:
    """A member's socket per room that behaves as the web client does: when the server
    closes it, it connects again and sends its unanswered messages once more with the
    same client_msg_id (the server answers a repeat as a duplicate, never a second copy).
    """

    def __init__(self, sockets: list[Client], targets: list[dict[str, Any]], tally: Tally):
        self.sockets, self.targets, self.tally = sockets, targets, tally
        self.every = [[s] for s in sockets]  # every socket each room's writer has had
        self.sent: list[list[tuple[int, str]]] = [[] for _ in sockets]
        self.reconnects = self.resent = 0

    def answered(self, room: int, index: int) -> bool:
        return any(s.seen[index] for s in self.every[room])

    async def send(self, room: int, index: int, frame: str) -> None:
        if self.sockets[room].close_code is not None:
            await self.reopen(room)
        self.sockets[room].send_text(frame)
        self.sent[room].append((index, frame))

    async def reopen(self, room: int) -> None:
        loop = asyncio.get_running_loop()
        (socket,), failures = await open_clients(loop, self.tally, [self.targets[room]], 1)
        if socket is None:
            raise SystemExit(f"chat_load: a writer could not connect again: {failures}")
        self.reconnects += 1
        self.sockets[room] = socket
        self.every[room].append(socket)
        for index, frame in self.sent[room]:
            if not self.answered(room, index):
                socket.send_text(frame)
                self.resent += 1

    async def reopen_closed(self) -> None:
        for room, socket in enumerate(self.sockets):
            if socket.close_code is not None:
                await self.reopen(room)

    def all_sockets(self) -> list[Client]:
        return [s for room in self.every for s in room]
