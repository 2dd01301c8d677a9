"""A circle's watched words and content warnings in live chat, over a real server."""

from __future__ import annotations

import json
from typing import Any

from tests.chat.helpers import Live, Member, OpenRoom, next_of, send

WORDS = [
    {"phrase": "casserole", "action": "hold"},
    {"phrase": "darn", "action": "block", "explanation": "We keep language gentle here."},
    {"phrase": "heck", "action": "replace", "replacement": "h*ck"},
    {"phrase": "funeral", "action": "warn", "warning": "grief"},
]


async def watching(live: Live, owner: Member, *others: Member) -> OpenRoom:
    opened = await live.open_room(owner, *others)
    for word in WORDS:
        added = await owner.http.post(
            f"/api/v1/circles/{opened.slug}/moderation/watched-words", json=word
        )
        assert added.status_code == 201, added.text
    return opened


async def stored(live: Live, room_id: int) -> list[tuple[Any, ...]]:
    return await live.execute(
        "SELECT client_msg_id, status, body, content_warnings FROM chat_messages "
        "WHERE room_id = :room ORDER BY id",
        room=room_id,
    )


async def test_block_word_refuses_that_send_alone_and_stores_nothing(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    opened = await watching(live, alex, blake)
    async with live.connect(blake, opened.id) as b:
        await send(b, "rude", "oh D.A.R.N it")
        await send(b, "fine", "all good")
        # Two answers, in either order: a refusal is told once its batch is stored, and a
        # published message may reach the room first.
        answers = {e["type"]: e for e in [await next_of(b, "error", "message") for _ in "ab"]}
        refused = answers["error"]
        assert refused["code"] == "blocked_word" and refused["client_msg_id"] == "rude"
        assert "We keep language gentle here." in refused["message"]
        assert answers["message"]["client_msg_id"] == "fine"
    assert [row[0] for row in await stored(live, opened.id)] == ["fine"]


async def test_hold_word_holds_the_message_for_review(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    opened = await watching(live, alex, blake)
    async with live.connect(alex, opened.id) as a, live.connect(blake, opened.id) as b:
        await send(b, "dish", "I brought a casserole")
        held = await next_of(b, "held", "message")
        assert held["type"] == "held"
        assert [(r["kind"], r["word"]) for r in held["reasons"]] == [("watched_word", "casserole")]
        await send(b, "after", "and a salad")
        assert (await next_of(a, "message"))["client_msg_id"] == "after"
    queue = (await alex.http.get("/api/v1/moderation/queue")).json()["items"]
    [item] = [i for i in queue if i["circle_id"] == opened.circle_id]
    assert item["reasons"][0]["kind"] == "watched_word"
    assert [row[:2] for row in await stored(live, opened.id)] == [
        ("dish", "pending"),
        ("after", "published"),
    ]


async def test_replace_word_changes_the_stored_and_delivered_message(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    opened = await watching(live, alex, blake)
    async with live.connect(alex, opened.id) as a, live.connect(blake, opened.id) as b:
        await send(b, "mild", "what the heck")
        got = await next_of(a, "message")
        assert got["body_html"].strip() == "<p>what the h*ck</p>"
    [row] = await stored(live, opened.id)
    assert row[1] == "published" and "heck" not in row[2]


async def test_warn_word_and_the_authors_own_warnings_reach_readers(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    opened = await watching(live, alex, blake)
    async with live.connect(alex, opened.id) as a, live.connect(blake, opened.id) as b:
        await send(b, "sad", "The funeral is on Friday")
        assert (await next_of(a, "message"))["content_warnings"] == ["grief"]
        frame = {
            "type": "send",
            "client_msg_id": "marked",
            "body": "A hard day at the clinic",
            "content_warnings": ["medical", "medical"],
        }
        await b.send(json.dumps(frame))
        assert (await next_of(a, "message"))["content_warnings"] == ["medical"]
        await b.send(json.dumps({**frame, "client_msg_id": "odd", "content_warnings": ["spiders"]}))
        refused = await next_of(b, "error")
        assert refused["code"] == "invalid" and refused["client_msg_id"] == "odd"
    history = (await alex.http.get(f"/api/v1/rooms/{opened.id}/messages")).json()["messages"]
    assert [m["content_warnings"] for m in history] == [["grief"], ["medical"]]
