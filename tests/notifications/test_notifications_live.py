"""The bell over a real server and websocket: a decision lights it up as it commits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from websockets.exceptions import InvalidStatus

from forum.accounts.models import Role
from tests.chat.helpers import Live, Member, next_of, send

ABUSE = "you are a fucking idiot"


async def item_url(moderator: Member, circle_id: int) -> str:
    """The circle's queue item (the server's database is shared by the whole session)."""
    queue = await moderator.http.get(f"/api/v1/moderation/queue?circle_id={circle_id}")
    return f"/api/v1/moderation/items/{queue.json()['items'][0]['id']}"


async def test_decision_reaches_the_authors_bell_live(live: Live) -> None:
    alex, moderator = await live.member(), await live.member(Role.MODERATOR)
    room = await live.open_room(alex)
    async with live.notifications(alex) as bell, live.notifications(moderator) as theirs:
        assert await next_of(bell, "unread") == {"type": "unread", "count": 0}
        await next_of(theirs, "unread")
        async with live.connect(alex, room.id) as chat:
            await send(chat, "held", ABUSE)
            await next_of(chat, "held")
        item = await item_url(moderator, room.circle_id)
        assert (await moderator.http.post(f"{item}/claim", json={})).status_code == 200
        decided = await moderator.http.post(f"{item}/decision", json={"action": "approve"})
        assert decided.status_code == 200, decided.text
        pushed = await next_of(bell, "notification")
        assert pushed["unread"] == 1
        assert pushed["notification"]["kind"] == "decision"
        assert "approved" in pushed["notification"]["text"]
        marked = await alex.http.post("/api/v1/me/notifications/read", json={})
        assert marked.json() == {"unread": 0}
        assert await next_of(bell, "unread") == {"type": "unread", "count": 0}
    async with live.notifications(alex) as again:
        assert await next_of(again, "unread") == {"type": "unread", "count": 0}


async def test_a_new_socket_starts_with_the_unread_count(live: Live) -> None:
    alex, moderator = await live.member(), await live.member(Role.MODERATOR)
    room = await live.open_room(alex)
    async with live.connect(alex, room.id) as chat:
        await send(chat, "held", ABUSE)
        await next_of(chat, "held")
    item = await item_url(moderator, room.circle_id)
    await moderator.http.post(f"{item}/claim", json={})
    await moderator.http.post(f"{item}/decision", json={"action": "approve"})
    async with live.notifications(alex) as bell:
        assert await next_of(bell, "unread") == {"type": "unread", "count": 1}


async def test_the_bell_needs_a_login(live: Live) -> None:
    alex = await live.member()
    alex.token = "not-a-token"
    with pytest.raises(InvalidStatus) as refused:
        async with live.notifications(alex):
            pass
    assert refused.value.response.status_code == 401


async def test_quiet_hours_keep_a_reply_from_lighting_up_the_bell(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    room = await live.open_room(alex, blake)
    thread = await alex.http.post(
        f"/api/v1/circles/{room.slug}/threads", json={"title": "Nights", "body": "Hard ones."}
    )
    replies = f"/api/v1/threads/{thread.json()['id']}/posts"
    now = datetime.now(UTC)
    quiet = {
        "start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "end": (now + timedelta(hours=1)).strftime("%H:%M"),
        "time_zone": "UTC",
    }
    settings = "/api/v1/me/notification-settings"
    assert (await alex.http.patch(settings, json={"quiet_hours": quiet})).status_code == 200
    async with live.notifications(alex) as bell:
        assert await next_of(bell, "unread") == {"type": "unread", "count": 0}
        first = await blake.http.post(replies, json={"body": "Here with you."})
        assert first.status_code == 201, first.text
        # Kept, not pushed: the bell waits until the quiet hours end or a page loads.
        assert (await alex.http.patch(settings, json={"quiet_hours": None})).status_code == 200
        second = await blake.http.post(replies, json={"body": "Still here."})
        pushed = await next_of(bell, "notification")
        assert pushed["notification"]["url"].endswith(f"#post-{second.json()['id']}")
        assert pushed["unread"] == 2
    kept = (await alex.http.get("/api/v1/me/notifications")).json()["items"]
    assert [n["url"].endswith(f"#post-{first.json()['id']}") for n in kept] == [False, True]
