"""The bell over a real server and websocket: a decision lights it up as it commits."""

from __future__ import annotations

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
