"""A client that keeps writing while its server is killed: posts over HTTP, chat over a socket.

It keeps a ledger of what the server acknowledged, so a test can compare the ledger with
the database afterwards. Posts have no idempotency key, so a post whose answer was lost
is never sent again (that could store it twice): it is noted as unanswered instead. Chat
sends carry a client_msg_id, so unanswered ones are sent again on the next connection,
as a real client does, and the server answers a repeat as a duplicate.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

# One text in HOLD_EVERY is one the moderation pipeline holds for a moderator.
HOLD_EVERY = 4
HELD_TEXTS = [
    "I have the pills ready and tonight is the night",  # crisis: plan, means and timing
    "you are a fucking idiot",  # an attack on another member
]
KIND_TEXTS = [
    "Thank you for listening, it helped more than I can say.",
    "The walk this morning was quiet and good.",
    "I lit a candle for her again tonight.",
    "Some days are lighter than others, and today was one.",
    "Welcome, it is good to have you here.",
]
# Every post's body ends with its marker, so the database can be searched for it.
MARKER = re.compile(r"\[(p\d+)\]$")
# Unanswered chat sends at once: some are in flight whenever the server is killed.
CHAT_WINDOW = 4
REQUEST_TIMEOUT = 60.0  # a loaded machine answers slowly; a dead server answers at once


def text_for(n: int) -> tuple[str, bool]:
    """The n-th text and whether it is one the pipeline should hold."""
    if n % HOLD_EVERY == 0:
        return HELD_TEXTS[(n // HOLD_EVERY) % len(HELD_TEXTS)], True
    return KIND_TEXTS[n % len(KIND_TEXTS)], False


@dataclass
class PostLedger:
    """Posts by marker: answered (with the status the server gave) or unanswered."""

    answered: dict[str, str] = field(default_factory=dict)
    queued: set[str] = field(default_factory=set)  # decision review or publish_and_review
    threads: set[str] = field(default_factory=set)  # markers of posts that started a thread
    unanswered: set[str] = field(default_factory=set)
    meant_held: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)  # non-2xx answers


@dataclass
class ChatLedger:
    """Chat sends by client_msg_id, and how the server answered them."""

    bodies: dict[str, str] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)
    answered: dict[str, str] = field(default_factory=dict)  # "published" or "held"
    meant_held: set[str] = field(default_factory=set)
    # Answers as a new message (not a duplicate) per id: more than one means two copies.
    fresh_answers: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    resent: int = 0
    connections: int = 0
    refused: dict[str, str] = field(default_factory=dict)

    def answer(self, event: dict[str, Any]) -> None:
        kind, client_msg_id = event.get("type"), event.get("client_msg_id")
        if client_msg_id not in self.bodies:
            if kind == "error":
                self.refused[f"no id {len(self.refused)}"] = str(event.get("code"))
            return
        if kind in ("message", "held"):
            self.answered[client_msg_id] = "published" if kind == "message" else "held"
            if event.get("duplicate"):
                self.duplicates += 1
            else:
                self.fresh_answers[client_msg_id] += 1
            self.pending.discard(client_msg_id)
        elif kind == "error":
            self.refused[client_msg_id] = str(event.get("code"))
            self.pending.discard(client_msg_id)


async def stream_posts(
    http: httpx.AsyncClient, slug: str, thread_id: int, ledger: PostLedger, stop: asyncio.Event
) -> None:
    """Reply to a thread (and now and then start one) until `stop`, one request at a time."""
    n = 0
    while not stop.is_set():
        n += 1
        marker = f"p{n}"
        text, held = text_for(n)
        body = f"{text} [{marker}]"
        if held:
            ledger.meant_held.add(marker)
        while True:
            try:
                if n % 10 == 0:
                    thread = {"title": f"A new thread {marker}", "body": body}
                    response = await http.post(f"/api/v1/circles/{slug}/threads", json=thread)
                else:
                    path = f"/api/v1/threads/{thread_id}/posts"
                    response = await http.post(path, json={"body": body})
            except httpx.ConnectError:
                # Nothing listening: the request never left, so it is sent once it can be.
                await asyncio.sleep(0.1)
                continue
            except httpx.TransportError:
                ledger.unanswered.add(marker)
                break
            _note_post(ledger, marker, response, starts_thread=n % 10 == 0)
            break


def _note_post(
    ledger: PostLedger, marker: str, response: httpx.Response, starts_thread: bool
) -> None:
    if response.status_code != 201:
        ledger.refused[marker] = f"{response.status_code} {response.text[:200]}"
        return
    data = response.json()
    post = data["post"] if starts_thread else data
    ledger.answered[marker] = post["status"]
    if post["moderation"]["decision"] != "publish":
        ledger.queued.add(marker)
    if starts_thread:
        ledger.threads.add(marker)


async def stream_chat(
    url: str, token: str, ledger: ChatLedger, stop: asyncio.Event, give_up: asyncio.Event
) -> None:
    """Send chat messages until `stop`, then until every send is answered (or `give_up`).

    On every new connection the unanswered sends go again with the same client_msg_id.
    """
    headers = {"Authorization": f"Bearer {token}"}
    while not give_up.is_set():
        try:
            async with connect(url, additional_headers=headers, open_timeout=30) as ws:
                ledger.connections += 1
                if await _chat_session(ws, ledger, stop, give_up):
                    return
        except (OSError, TimeoutError, ConnectionClosed, InvalidHandshake):
            # The server is down or was killed mid-conversation: connect again.
            await asyncio.sleep(0.1)


async def _chat_session(
    ws: ClientConnection, ledger: ChatLedger, stop: asyncio.Event, give_up: asyncio.Event
) -> bool:
    """One connection's sending and reading; True once everything was sent and answered."""
    for client_msg_id in sorted(ledger.pending):
        await _send(ws, client_msg_id, ledger.bodies[client_msg_id])
        ledger.resent += 1
    while not give_up.is_set():
        if stop.is_set() and not ledger.pending:
            return True
        room = not stop.is_set() and len(ledger.pending) < CHAT_WINDOW
        if room:
            n = len(ledger.bodies) + 1
            client_msg_id = f"c{n}"
            text, held = text_for(n)
            ledger.bodies[client_msg_id] = text
            ledger.pending.add(client_msg_id)
            if held:
                ledger.meant_held.add(client_msg_id)
            await _send(ws, client_msg_id, text)
        try:
            # Cancelling recv loses nothing (websockets' asyncio client).
            raw = await asyncio.wait_for(ws.recv(), 0.05 if room else 1.0)
        except TimeoutError:
            continue
        ledger.answer(json.loads(raw))
    return False


async def _send(ws: ClientConnection, client_msg_id: str, body: str) -> None:
    await ws.send(json.dumps({"type": "send", "client_msg_id": client_msg_id, "body": body}))
