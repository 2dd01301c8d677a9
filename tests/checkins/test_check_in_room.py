"""A check-in room over a real server and websockets: the member and the team talk."""

from __future__ import annotations

from typing import Any

from forum.accounts.models import Role
from tests.chat.helpers import Live, Member, messages, next_of, send

CRISIS = "I am going to kill myself tonight"


async def checked_in(live: Live) -> tuple[Member, Member, int]:
    """Alex posts crisis language in chat; a moderator checks in. (alex, moderator, room)."""
    alex, moderator = await live.member(), await live.member(Role.MODERATOR)
    room = await live.open_room(alex)
    async with live.connect(alex, room.id) as chat:
        await send(chat, "crisis", CRISIS)
        await next_of(chat, "held")
    item_id = await item_in(moderator, room.circle_id)
    opened = await moderator.http.post(
        f"/api/v1/moderation/items/{item_id}/check-in", json={"body": "How are you doing?"}
    )
    assert opened.status_code == 201, opened.text
    return alex, moderator, int(opened.json()["room_id"])


async def item_in(moderator: Member, circle_id: int) -> int:
    """The circle's queue item (the server's database is shared by this module's tests)."""
    queue = await moderator.http.get(f"/api/v1/moderation/queue?circle_id={circle_id}")
    return int(queue.json()["items"][0]["id"])


async def notifications(member: Member) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await member.http.get("/api/v1/me/notifications")).json()[
        "items"
    ]
    return items


async def test_member_and_team_talk_live_and_crisis_replies_get_support(live: Live) -> None:
    alex, moderator, room_id = await checked_in(live)
    async with live.connect(moderator, room_id) as team, live.connect(alex, room_id) as me:
        await send(me, "reply", "I'm not ok. I want to die.")
        # Their own message and their crisis lines, in whichever order they arrive.
        arrived = [await next_of(me, "crisis_resources", "message") for _ in range(2)]
        got = {event["type"]: event for event in arrived}
        assert got["crisis_resources"]["resources"]
        assert got["message"]["client_msg_id"] == "reply"
        [heard] = await messages(team, 1)
        assert heard["client_msg_id"] == "reply"
        assert heard["author"]["display_name"] == alex.display_name
        # The team's words are never held, and show as the team's.
        await send(team, "answer", "We're here. Are you safe right now? Call 988 if not.")
        [answer] = await messages(me, 1)
        assert answer["client_msg_id"] == "answer"
        assert answer["author"]["display_name"] == "Circles moderators"
        assert "988" in answer["body_html"]
    [reply_notice, *_] = await notifications(moderator)
    assert reply_notice["kind"] == "check_in_reply"
    assert reply_notice["url"] == f"/check-ins/{room_id}"


async def test_the_team_hears_once_until_it_looks(live: Live) -> None:
    alex, moderator, room_id = await checked_in(live)
    async with live.connect(alex, room_id) as me:
        for n in range(3):
            await send(me, f"m{n}", f"message {n}")
            await next_of(me, "message")
    assert [n["kind"] for n in await notifications(moderator)] == ["check_in_reply"]
    await moderator.http.post("/api/v1/me/notifications/read", json={})
    async with live.connect(alex, room_id) as me:
        await send(me, "again", "one more thing")
        await next_of(me, "message")
    assert [n["kind"] for n in await notifications(moderator)] == [
        "check_in_reply",
        "check_in_reply",
    ]


async def test_a_closed_check_in_takes_no_more_messages(live: Live) -> None:
    alex, moderator, room_id = await checked_in(live)
    closed = await alex.http.post(f"/api/v1/check-ins/{room_id}/close", json={})
    assert closed.json() == {"room_id": room_id, "closed": True}
    async with live.connect(alex, room_id) as me, live.connect(moderator, room_id) as team:
        await send(me, "late", "hello?")
        refused = await next_of(me, "error")
        assert refused["code"] == "check_in_closed"
        assert "You closed this conversation" in refused["message"]
        await send(team, "late", "hello?")
        assert (await next_of(team, "error"))["code"] == "check_in_closed"
    rooms = (await alex.http.get("/api/v1/me/conversations")).json()["rooms"]
    assert rooms[0]["closed"] is True
    # Only the member closes their conversation.
    refused_close = await moderator.http.post(f"/api/v1/check-ins/{room_id}/close", json={})
    assert refused_close.status_code == 403


async def test_a_new_check_in_opens_a_closed_conversation_again(live: Live) -> None:
    alex, moderator, room_id = await checked_in(live)
    await alex.http.post(f"/api/v1/check-ins/{room_id}/close", json={})
    [(circle_id,)] = await live.execute(
        "SELECT circle_id FROM check_ins WHERE room_id = :id", id=room_id
    )
    again = await moderator.http.post(
        f"/api/v1/moderation/items/{await item_in(moderator, circle_id)}/check-in",
        json={"body": "Checking in again."},
    )
    assert again.json()["room_id"] == room_id
    rooms = (await alex.http.get("/api/v1/me/conversations")).json()["rooms"]
    assert rooms[0]["closed"] is False


async def test_nobody_else_can_listen_to_a_check_in(live: Live) -> None:
    _, _, room_id = await checked_in(live)
    stranger = await live.member()
    refused = await stranger.http.get(f"/api/v1/rooms/{room_id}/messages")
    assert refused.status_code == 404
    try:
        async with live.connect(stranger, room_id):
            raise AssertionError("a stranger joined a check-in room")
    except Exception as exc:  # the handshake is refused
        assert "404" in str(exc)


async def test_any_site_moderator_may_read_and_write(live: Live) -> None:
    alex, _, room_id = await checked_in(live)
    colleague = await live.member(Role.MODERATOR)
    history = await colleague.http.get(f"/api/v1/rooms/{room_id}/messages")
    assert [m["author"]["display_name"] for m in history.json()["messages"]] == [
        "Circles moderators"
    ]
    async with live.connect(colleague, room_id) as team, live.connect(alex, room_id) as me:
        await send(team, "hi", "Hi, I'm another moderator on the team.")
        [heard] = await messages(me, 1)
        assert heard["author"]["display_name"] == "Circles moderators"
