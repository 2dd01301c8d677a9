"""Crash consistency: the server is killed with SIGKILL while a client streams posts and chat.

A real `circles serve` on a fresh database is killed at seeded random moments and started
again on the same port; the client reconnects and sends unanswered chat messages again.
Afterwards the database must hold every acknowledged post and message exactly once, every
held one with its queue item, and no half-written thread or room sequence.
SQLite survives this too: in WAL mode a commit is in the log file before it is answered,
and a killed process loses only what the operating system had not been handed.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.chat.helpers import Live, OpenRoom
from tests.conftest import FreshDatabase, fresh_database
from tests.live import Restartable, restartable_server
from tests.reliability.streams import (
    MARKER,
    REQUEST_TIMEOUT,
    ChatLedger,
    PostLedger,
    stream_chat,
    stream_posts,
)

# CIRCLES_CRASH_SEED=n replays other kill moments (the seed is in every failure message).
SEED = int(os.environ.get("CIRCLES_CRASH_SEED", "12"))
# Each restart loads the moderation models again (half a minute on a busy 2-core machine),
# which is most of this test's time: three kills cover it.
KILLS = 3
# Seconds the server runs between a start and the next kill, and stays dead.
RUNS = (2.0, 5.0)
DOWN = (0.0, 1.0)
# After the last start the clients catch up; then they get this long to finish.
CATCH_UP = 3.0
FINISH_TIMEOUT = 120.0
SERVER_ENV = {
    # The client writes far faster than members do; only the limits would refuse it.
    "CIRCLES_POST_RATE_BURST": "1000000",
    "CIRCLES_CHAT_RATE_BURST": "1000000",
    # The model that ships in a package, wherever the test runs: the texts below are held
    # by it, and a restart need not import torch only to find no detoxify weights.
    "CIRCLES_TOXICITY_BACKEND": "embedded",
}


@pytest.fixture
async def crash_database(tmp_path: Path) -> AsyncIterator[FreshDatabase]:
    db = await fresh_database(tmp_path)
    yield db
    await db.drop()


async def crash_repeatedly(server: Restartable, rng: random.Random) -> list[float]:
    """Kill and restart the server KILLS times; the seconds each run lasted."""
    lasted = []
    for _ in range(KILLS):
        run = rng.uniform(*RUNS)
        await asyncio.sleep(run)
        await asyncio.to_thread(server.kill)
        lasted.append(round(run, 2))
        await asyncio.sleep(rng.uniform(*DOWN))
        await asyncio.to_thread(server.start)
    await asyncio.sleep(CATCH_UP)
    return lasted


async def test_acknowledged_writes_survive_sigkill_exactly_once(
    crash_database: FreshDatabase,
) -> None:
    with restartable_server(crash_database.url, **SERVER_ENV) as server:
        assert server.server is not None
        # Live only needs the address, which every restart keeps.
        live = Live(server.server, crash_database)
        owner, member = await live.member(), await live.member()
        room = await live.open_room(owner, member)
        http = httpx.AsyncClient(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {member.token}"},
            timeout=REQUEST_TIMEOUT,
        )
        try:
            thread = await http.post(
                f"/api/v1/circles/{room.slug}/threads",
                json={"title": "Where we talk", "body": "The first post [p0]"},
            )
            assert thread.status_code == 201, thread.text
            posts, chat = PostLedger(answered={"p0": "published"}), ChatLedger()
            stop, give_up = asyncio.Event(), asyncio.Event()
            url = f"ws://127.0.0.1:{server.port}/ws/rooms/{room.id}"
            streams = [
                asyncio.create_task(
                    stream_posts(http, room.slug, thread.json()["id"], posts, stop)
                ),
                asyncio.create_task(stream_chat(url, member.token, chat, stop, give_up)),
            ]
            try:
                lasted = await crash_repeatedly(server, random.Random(SEED))
            finally:
                stop.set()
                finished = await _finish(streams, give_up)
        finally:
            await http.aclose()
            for client in live.clients:
                await client.aclose()
        story = (
            f"seed {SEED}, runs of {lasted} s before each kill; posts: {len(posts.answered)} "
            f"answered, {len(posts.unanswered)} unanswered; chat: {len(chat.answered)} answered, "
            f"{chat.resent} resent, {chat.duplicates} duplicates, {chat.connections} connections"
        )
        assert finished, f"the clients did not finish ({story}); pending chat: {chat.pending}"
        problems = _client_problems(posts, chat)
        problems += await _post_problems(live, room.circle_id, posts)
        problems += await _chat_problems(live, room, member.id, chat)
        assert not problems, f"{story}\n" + "\n".join(problems) + "\n" + server.output()[-4000:]


async def _finish(streams: list[asyncio.Task[None]], give_up: asyncio.Event) -> bool:
    """Wait for the clients to finish; False (after stopping them) when they do not."""
    done, _ = await asyncio.wait(streams, timeout=FINISH_TIMEOUT)
    give_up.set()
    for task in streams:
        task.cancel()
    await asyncio.gather(*streams, return_exceptions=True)
    for task in done:
        task.result()  # a client that failed says why
    return len(done) == len(streams)


def _client_problems(posts: PostLedger, chat: ChatLedger) -> list[str]:
    """What the client saw that is wrong whatever the database holds."""
    problems = []
    if posts.refused or chat.refused:
        problems.append(f"refused: posts {posts.refused}, chat {chat.refused}")
    if twice := [cid for cid, count in chat.fresh_answers.items() if count > 1]:
        problems.append(f"chat sends announced as new more than once: {twice}")
    not_held = [m for m in posts.meant_held if posts.answered.get(m, "pending") != "pending"]
    not_held += [c for c in chat.meant_held if chat.answered.get(c) != "held"]
    if not_held:
        problems.append(f"texts the pipeline holds were published: {sorted(not_held)}")
    held = [m for m, status in posts.answered.items() if status == "pending"]
    held_chat = [c for c, status in chat.answered.items() if status == "held"]
    if not held or not held_chat:
        problems.append("nothing was held, so the queue went unchecked")
    return problems


async def _post_problems(live: Live, circle_id: int, posts: PostLedger) -> list[str]:
    rows = await live.execute(
        "SELECT p.id, p.body, p.status, p.thread_id FROM posts p "
        "JOIN threads t ON t.id = p.thread_id WHERE t.circle_id = :circle",
        circle=circle_id,
    )
    by_marker: dict[str, list[Any]] = {}
    for row in rows:
        match = MARKER.search(row.body)
        by_marker.setdefault(match.group(1) if match else "(no marker)", []).append(row)
    problems = []
    for marker, status in posts.answered.items():
        stored = by_marker.get(marker, [])
        if len(stored) != 1:
            problems.append(f"post {marker} (acknowledged) is stored {len(stored)} times")
        elif stored[0].status != status:
            problems.append(f"post {marker} was answered {status}, stored {stored[0].status}")
    for marker in posts.unanswered:
        if len(by_marker.get(marker, [])) > 1:
            problems.append(f"post {marker} (unanswered) is stored more than once")
    known = set(posts.answered) | posts.unanswered
    if strays := set(by_marker) - known:
        problems.append(f"posts nobody sent: {sorted(strays)}")
    queued = {row.content_id for row in await _queue(live, circle_id, "post")}
    for marker, stored in by_marker.items():
        for row in stored:
            if (row.status == "pending" or marker in posts.queued) and row.id not in queued:
                problems.append(f"post {marker} ({row.status}) has no queue item")
    return problems + await _thread_problems(live, circle_id)


async def _thread_problems(live: Live, circle_id: int) -> list[str]:
    """Every thread has its first post, and its reply count counts its published replies."""
    rows = await live.execute(
        "SELECT t.id, t.reply_count, "
        "(SELECT count(*) FROM posts p WHERE p.thread_id = t.id) AS posts, "
        "(SELECT count(*) FROM posts p WHERE p.thread_id = t.id AND p.status = 'published' "
        " AND p.id > (SELECT min(f.id) FROM posts f WHERE f.thread_id = t.id)) AS replies "
        "FROM threads t WHERE t.circle_id = :circle",
        circle=circle_id,
    )
    problems = [f"thread {row.id} has no posts" for row in rows if row.posts == 0]
    problems += [
        f"thread {row.id} counts {row.reply_count} replies, holds {row.replies} published"
        for row in rows
        if row.posts and row.reply_count != row.replies
    ]
    return problems


async def _chat_problems(live: Live, room: OpenRoom, author_id: int, chat: ChatLedger) -> list[str]:
    rows = await live.execute(
        "SELECT id, client_msg_id, status, seq FROM chat_messages WHERE room_id = :room "
        "AND author_id = :author",
        room=room.id,
        author=author_id,
    )
    copies = Counter(row.client_msg_id for row in rows)
    problems = []
    if chat.pending:
        problems.append(f"chat sends never answered: {sorted(chat.pending)}")
    stored_status = {row.client_msg_id: row.status for row in rows}
    for client_msg_id, answer in chat.answered.items():
        if copies[client_msg_id] != 1:
            problems.append(f"chat {client_msg_id} is stored {copies[client_msg_id]} times")
        elif (answer == "held") != (stored_status[client_msg_id] == "pending"):
            problems.append(f"chat {client_msg_id} was {answer}, is {stored_status[client_msg_id]}")
    if strays := set(copies) - set(chat.bodies):
        problems.append(f"chat messages nobody sent: {sorted(strays)}")
    queued = {row.content_id for row in await _queue(live, room.circle_id, "chat_message")}
    problems += [
        f"held chat {row.client_msg_id} has no queue item"
        for row in rows
        if row.status == "pending" and row.id not in queued
    ]
    seqs = sorted(row.seq for row in rows if row.seq is not None)
    last_seq = (await live.execute("SELECT last_seq FROM rooms WHERE id = :id", id=room.id))[0][0]
    if seqs != list(range(1, len(seqs) + 1)) or last_seq != len(seqs):
        problems.append(f"room sequence broken: last_seq {last_seq}, seqs {seqs}")
    return problems


async def _queue(live: Live, circle_id: int, content_type: str) -> list[Any]:
    """The circle's open review items of one content type."""
    return await live.execute(
        "SELECT content_id FROM review_items WHERE content_type = :type AND status = 'open' "
        "AND circle_id = :circle",
        type=content_type,
        circle=circle_id,
    )
