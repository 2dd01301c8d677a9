"""Escalation over a real server: the lifespan task pushes an overdue urgent item to the
moderators' live queue, or, with nobody online, rings the author's bell with their lines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection

from forum.accounts.models import Role
from forum.db import utcnow
from forum.review import wording
from forum.review.models import ReviewItem
from tests.chat.helpers import Live, Member, next_of, send
from tests.conftest import FreshDatabase, fresh_database
from tests.live import LiveServer, circles_server

CRISIS = "I want to kill myself tonight"


@pytest.fixture(scope="module")
async def escalation_database(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FreshDatabase]:
    db = await fresh_database(tmp_path_factory.mktemp("escalation"))
    yield db
    await db.drop()


@pytest.fixture(scope="module")
def escalation_server(escalation_database: FreshDatabase) -> Iterator[LiveServer]:
    with circles_server(escalation_database.url, CIRCLES_ESCALATION_CHECK_SECONDS="0.2") as server:
        yield server


@pytest.fixture
async def live(
    escalation_server: LiveServer, escalation_database: FreshDatabase
) -> AsyncIterator[Live]:
    live = Live(escalation_server, escalation_database)
    yield live
    for client in live.clients:
        await client.aclose()


async def urgent_item(live: Live, author: Member) -> int:
    """An urgent chat message from `author`, its item made to look 10 minutes old."""
    room_id = await live.room(author)
    async with live.connect(author, room_id) as chat:
        await send(chat, "help", CRISIS)
        await next_of(chat, "held")
    rows = await live.execute(
        "SELECT id FROM review_items WHERE author_id = :id AND crisis_level = 'urgent'",
        id=author.id,
    )
    item_id = int(rows[0][0])
    backdate = update(ReviewItem).where(ReviewItem.id == item_id)
    await live.execute(backdate.values(created_at=utcnow() - timedelta(minutes=10)))
    return item_id


async def overdue_event(queue: ClientConnection, item_id: int) -> dict[str, Any]:
    while True:
        event = await next_of(queue, "queue")
        if event["change"] == "overdue" and event["item_id"] == item_id:
            return event


async def test_an_online_moderator_hears_the_overdue_item_again(live: Live) -> None:
    author, moderator = await live.member(), await live.member(Role.MODERATOR)
    async with live.queue(moderator) as queue:
        await asyncio.sleep(0.3)  # subscribed before the item exists
        item_id = await urgent_item(live, author)
        event = await overdue_event(queue, item_id)
    assert event["crisis_level"] == "urgent"
    notices = (await author.http.get("/api/v1/me/notifications")).json()["items"]
    assert [n for n in notices if n["kind"] == "support_waiting"] == []


async def test_with_nobody_online_the_author_is_told_live_with_their_lines(live: Live) -> None:
    author = await live.member()
    async with live.notifications(author) as bell:
        await next_of(bell, "unread")
        await urgent_item(live, author)
        pushed = await next_of(bell, "notification")
    notice = pushed["notification"]
    assert notice["kind"] == "support_waiting"
    assert notice["text"].startswith(wording.WAITING)
    assert pushed["unread"] == 1
