"""Chat and personal boundaries: muted words collapse messages, blocked members vanish,
a break hides presence; in the history API and live over a real server."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from forum.chat.models import ChatMessage, MessageStatus, Room
from forum.circles.models import Circle
from forum.db import transaction, utcnow
from tests.chat.helpers import Live, next_of, send
from tests.conftest import Database, Persona, join, ok


async def add_message(database: Database, slug: str, author: Persona, body: str) -> int:
    """A published message in the circle's first room; returns the room id."""
    async with transaction(database.sessions) as db:
        room = await db.scalar(
            select(Room)
            .join(Circle, Circle.id == Room.circle_id)
            .where(Circle.slug == slug)
            .order_by(Room.id)
        )
        assert room is not None
        room.last_seq += 1
        db.add(
            ChatMessage(
                room_id=room.id,
                seq=room.last_seq,
                author_id=author.id,
                client_msg_id=f"c-{room.last_seq}",
                body=body,
                body_html=f"<p>{body}</p>",
                status=MessageStatus.PUBLISHED,
                created_at=utcnow(),
            )
        )
        return room.id


async def test_history_marks_muted_messages_and_leaves_out_blocked_members(
    database: Database,
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
) -> None:
    await join(other_user, circle)
    await add_message(database, circle["slug"], user, "My gr!ef is loud today.")
    await add_message(database, circle["slug"], user, "Tea, anyone?")
    room_id = await add_message(database, circle["slug"], moderator, "Hello from Mod.")
    await ok(await other_user.api.patch("/api/v1/me", json={"muted_words": ["grief"]}))
    await ok(await other_user.api.post("/api/v1/me/blocks/mod"), 201)

    url = f"/api/v1/rooms/{room_id}/messages"
    seen = (await ok(await other_user.api.get(url)))["messages"]
    assert [(m["seq"], m.get("muted", False)) for m in seen] == [(1, True), (2, False)]
    assert "gr!ef" in seen[0]["body_html"]  # collapsed by the panel, still revealable

    for reader in (user, moderator):  # the author, and someone without muted words
        theirs = (await ok(await reader.api.get(url)))["messages"]
        assert [(m["seq"], m.get("muted", False)) for m in theirs] == [
            (1, False),
            (2, False),
            (3, False),
        ]
        # What the server keeps to decide never goes out.
        assert all(not key.startswith("_") for m in theirs for key in m)


async def test_me_gives_the_chat_panel_the_muted_words(user: Persona) -> None:
    await ok(await user.api.patch("/api/v1/me", json={"muted_words": ["grief"]}))
    assert (await ok(await user.api.get("/api/v1/me")))["muted_words"] == ["grief"]


async def test_live_messages_are_collapsed_or_left_out_for_each_reader(live: Live) -> None:
    alex, blake, casey = await live.member(), await live.member(), await live.member()
    room_id = await live.room(alex, blake, casey)
    muted = await blake.http.patch("/api/v1/me", json={"muted_words": ["grief"]})
    assert muted.status_code == 200
    blocked = await blake.http.post(f"/api/v1/me/blocks/{casey.username}")
    assert blocked.status_code == 201
    async with (
        live.connect(alex, room_id) as a,
        live.connect(blake, room_id) as b,
        live.connect(casey, room_id) as c,
    ):
        # One at a time, so the seqs follow this order (1, 2, 3) whoever sends.
        theirs: dict[str, list[dict[str, Any]]] = {"a": [], "c": []}
        for ws, client_msg_id, body in (
            (a, "one", "The GRIEF is heavy."),
            (c, "two", "Casey says hello."),
            (a, "three", "Tea helps."),
        ):
            await send(ws, client_msg_id, body)
            theirs["a"].append(await next_of(a, "message"))
            theirs["c"].append(await next_of(c, "message"))
        got = [await next_of(b, "message") for _ in range(2)]
        assert [(m["client_msg_id"], m["seq"], m.get("muted", False)) for m in got] == [
            ("one", 1, True),
            ("three", 3, False),
        ]
        for messages in theirs.values():
            assert [m["client_msg_id"] for m in messages] == ["one", "two", "three"]
            assert [m.get("muted", False) for m in messages] == [False, False, False]
            assert all(not key.startswith("_") for m in messages for key in m)
    # Resuming replays history through the same boundaries.
    async with live.connect(blake, room_id, after=1) as b:
        await send(b, "four", "Back again.")
        replayed = [await next_of(b, "message") for _ in range(2)]
        assert [m["client_msg_id"] for m in replayed] == ["three", "four"]


async def presence_becomes(ws: Any, names: set[str]) -> None:
    while {m["display_name"] for m in (await next_of(ws, "presence"))["members"]} != names:
        pass


async def test_taking_a_break_hides_presence(live: Live) -> None:
    alex, blake, carol = await live.member(), await live.member(), await live.member()
    room_id = await live.room(alex, blake, carol)
    resting = await blake.http.patch("/api/v1/me", json={"taking_break": True})
    assert resting.json()["taking_break"] is True
    assert resting.json()["hide_presence"] is False
    async with live.connect(alex, room_id) as a:
        await presence_becomes(a, {alex.display_name})
        async with live.connect(blake, room_id) as b, live.connect(carol, room_id):
            # Carol shows up; Blake, on a break, never does, yet can still write.
            await presence_becomes(a, {alex.display_name, carol.display_name})
            await send(b, "hi", "Quietly here.")
            got = await next_of(a, "message")
            assert got["author"]["display_name"] == blake.display_name


async def test_a_blocked_member_is_left_out_of_the_blockers_presence(live: Live) -> None:
    alex, blake, casey = await live.member(), await live.member(), await live.member()
    room_id = await live.room(alex, blake, casey)
    blocked = await blake.http.post(f"/api/v1/me/blocks/{casey.username}")
    assert blocked.status_code == 201
    everyone = {alex.display_name, blake.display_name, casey.display_name}
    # Casey connects first, so every presence Blake is sent is one with Casey in the room.
    async with (
        live.connect(casey, room_id) as c,
        live.connect(alex, room_id) as a,
        live.connect(blake, room_id) as b,
    ):
        await presence_becomes(a, everyone)
        await presence_becomes(c, everyone)
        # Blake sees Alex and Blake, never Casey; Casey is not told anything differs.
        await presence_becomes(b, {alex.display_name, blake.display_name})
