"""The live review queue over a real server: who hears what, as it commits."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import InvalidStatus

from forum.accounts.models import Role
from tests.chat.helpers import WAIT, Live, next_of, send

CRISIS = "I am going to kill myself tonight"
ABUSE = "you are a fucking idiot"


async def queue_event(ws: ClientConnection) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
    assert event["type"] == "queue"
    return event


async def test_moderators_hear_new_claimed_and_decided_items(live: Live) -> None:
    alex, moderator = await live.member(), await live.member(Role.MODERATOR)
    room_id = await live.room(alex)
    async with live.queue(moderator) as queue, live.connect(alex, room_id) as a:
        await send(a, "crisis", CRISIS)
        await next_of(a, "held")
        new = await queue_event(queue)
        assert (new["change"], new["crisis_level"], new["held"]) == ("new", "urgent", True)
        assert "author_id" not in new
        item = f"/api/v1/moderation/items/{new['item_id']}"
        assert (await moderator.http.post(f"{item}/claim", json={})).status_code == 200
        assert (await queue_event(queue))["change"] == "claimed"
        decided = await moderator.http.post(f"{item}/decision", json={"action": "approve"})
        assert decided.status_code == 200, decided.text
        assert (await queue_event(queue))["change"] == "decided"


async def test_circle_hosts_hear_only_their_own_circles(live: Live) -> None:
    owner, other_owner, author = await live.member(), await live.member(), await live.member()
    mine = await live.open_room(owner, author)
    theirs = await live.open_room(other_owner, author)
    async with live.queue(owner) as queue:
        async with live.connect(author, theirs.id) as elsewhere:
            await send(elsewhere, "there", ABUSE)
            await next_of(elsewhere, "held")
        async with live.connect(author, mine.id) as here:
            await send(here, "here", ABUSE)
            await next_of(here, "held")
        event = await queue_event(queue)
        assert event["circle_id"] == mine.circle_id


async def test_moderators_do_not_hear_about_their_own_messages(live: Live) -> None:
    moderator, alex = await live.member(Role.MODERATOR), await live.member()
    room_id = await live.room(alex, moderator)
    async with live.queue(moderator) as queue:
        async with live.connect(moderator, room_id) as m:
            await send(m, "mine", ABUSE)
            await next_of(m, "held")
        async with live.connect(alex, room_id) as a:
            await send(a, "theirs", "you stupid fucking moron")
            await next_of(a, "held")
        event = await queue_event(queue)
        assert event["change"] == "new"
        item = await moderator.http.get(f"/api/v1/moderation/items/{event['item_id']}")
        assert "moron" in item.json()["content"]["body_html"]


async def test_members_who_moderate_nothing_are_refused(live: Live) -> None:
    member = await live.member()
    with pytest.raises(InvalidStatus) as refused:
        async with live.queue(member):
            pass
    assert refused.value.response.status_code == 403
