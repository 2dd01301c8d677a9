"""Escalation: an urgent item nobody claims in time is pushed again, shown overdue, and its
author is told kindly (with their crisis lines) when no moderator is online. A test clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from forum.accounts import repository as accounts_repository
from forum.db import transaction, utcnow
from forum.events import PENDING
from forum.live import ALL_CIRCLES
from forum.review import escalation, wording
from forum.review.escalation import Escalated, escalate_overdue, moderators_online
from forum.review.models import ReviewItem
from realtime.hub import Hub, Subscriber
from tests.conftest import Database, Persona, ok

URGENT = "I have the pills ready. Tonight is the night."
CONCERN = "I want to die"


def nobody(item: ReviewItem) -> bool:
    return False


def somebody(item: ReviewItem) -> bool:
    return True


async def post(persona: Persona, thread: dict[str, Any], body: str = URGENT) -> dict[str, Any]:
    url = f"/api/v1/threads/{thread['id']}/posts"
    return await ok(await persona.api.post(url, json={"body": body}), 201)


async def item_of(database: Database, post_id: int) -> ReviewItem:
    async with database.sessions() as db:
        item = await db.scalar(select(ReviewItem).where(ReviewItem.content_id == post_id))
    assert item is not None
    return item


async def run(
    database: Database, minutes: float, online: escalation.Online = nobody
) -> tuple[list[Escalated], list[dict[str, Any]]]:
    """One pass of the background task at `minutes` from now; what it escalated and announced."""
    now: datetime = utcnow() + timedelta(minutes=minutes)
    async with transaction(database.sessions) as db:
        done = await escalate_overdue(db, now, online)
        announced = list(db.info.get(PENDING, []))
    return done, announced


async def setting(admin: Persona) -> int:
    minutes: int = (await ok(await admin.api.get("/api/v1/admin/escalation")))[
        "escalate_after_minutes"
    ]
    return minutes


async def notices(persona: Persona) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await ok(await persona.api.get("/api/v1/me/notifications")))[
        "items"
    ]
    return [n for n in items if n["kind"] == "support_waiting"]


async def test_not_escalated_before_the_time(
    user: Persona, thread: dict[str, Any], database: Database
) -> None:
    await post(user, thread)
    done, announced = await run(database, 4.5)
    assert done == [] and announced == []
    assert await notices(user) == []


async def test_escalated_after_the_time_and_the_author_is_told_kindly(
    user: Persona, thread: dict[str, Any], database: Database
) -> None:
    created = await post(user, thread)
    item = await item_of(database, created["id"])
    done, announced = await run(database, 5.5)
    assert done == [Escalated(item.id, True)]
    overdue = [e for e in announced if e.get("kind") == "queue"]
    assert [(e["change"], e["item_id"], e["crisis_level"]) for e in overdue] == [
        ("overdue", item.id, "urgent")
    ]
    assert (await item_of(database, created["id"])).overdue_at is not None
    [notice] = await notices(user)
    assert notice["text"].startswith(wording.WAITING)
    assert notice["read"] is False and notice["url"].startswith("/support")


async def test_escalated_once_only(
    user: Persona, thread: dict[str, Any], database: Database
) -> None:
    await post(user, thread)
    assert len((await run(database, 6))[0]) == 1
    assert await run(database, 7) == ([], [])
    assert await run(database, 60) == ([], [])
    assert len(await notices(user)) == 1


async def test_a_moderator_online_hears_it_again_and_the_author_is_not_told(
    user: Persona, thread: dict[str, Any], database: Database
) -> None:
    await post(user, thread)
    done, announced = await run(database, 6, somebody)
    assert [d.author_told for d in done] == [False]
    assert [e["change"] for e in announced] == ["overdue"]
    assert await notices(user) == []


async def test_claimed_items_are_skipped_until_the_claim_runs_out(
    user: Persona, moderator: Persona, thread: dict[str, Any], database: Database
) -> None:
    created = await post(user, thread)
    item = await item_of(database, created["id"])
    await ok(await moderator.api.post(f"/api/v1/moderation/items/{item.id}/claim", json={}))
    assert (await run(database, 6))[0] == []
    # The claim lasts 15 minutes; after that the item is nobody's again.
    assert [d.item_id for d in (await run(database, 16))[0]] == [item.id]


async def test_decided_and_non_urgent_items_are_never_escalated(
    user: Persona, moderator: Persona, thread: dict[str, Any], database: Database
) -> None:
    await post(user, thread, CONCERN)
    created = await post(user, thread)
    item = await item_of(database, created["id"])
    base = f"/api/v1/moderation/items/{item.id}"
    await ok(await moderator.api.post(f"{base}/claim", json={}))
    await ok(await moderator.api.post(f"{base}/decision", json={"action": "approve"}))
    assert (await run(database, 60))[0] == []


async def test_the_author_hears_the_lines_for_their_region(
    user: Persona, thread: dict[str, Any], database: Database
) -> None:
    async with transaction(database.sessions) as db:
        found = await accounts_repository.get_user(db, user.id)
        assert found is not None
        found.region = "US"
    await post(user, thread)
    await run(database, 6)
    [notice] = await notices(user)
    assert "988" in notice["text"]
    assert notice["url"] == "/support?region=US"


async def test_the_admins_setting_decides_how_long_is_too_long(
    user: Persona, admin: Persona, thread: dict[str, Any], database: Database
) -> None:
    saved = await admin.api.put("/api/v1/admin/escalation", json={"escalate_after_minutes": 20})
    assert (await ok(saved)) == {"escalate_after_minutes": 20}
    await post(user, thread)
    assert (await run(database, 10))[0] == []
    assert len((await run(database, 21))[0]) == 1


@pytest.mark.parametrize("minutes", [0, -5, 241, 10_000])
async def test_the_setting_is_validated(admin: Persona, minutes: int) -> None:
    refused = await admin.api.put(
        "/api/v1/admin/escalation", json={"escalate_after_minutes": minutes}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "escalate_after_minutes"
    assert "between 1 and 240 minutes" in refused.json()["error"]["message"]
    current = await ok(await admin.api.get("/api/v1/admin/escalation"))
    assert current == {"escalate_after_minutes": escalation.DEFAULT_MINUTES}


async def test_only_admins_change_it(moderator: Persona, user: Persona) -> None:
    for persona in (moderator, user):
        refused = await persona.api.put(
            "/api/v1/admin/escalation", json={"escalate_after_minutes": 10}
        )
        assert refused.status_code == 403


async def test_the_admin_page_sets_it_and_explains_a_bad_number(admin: Persona) -> None:
    page = await admin.api.get("/admin")
    assert 'name="escalate_after_minutes"' in page.text and 'value="5"' in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    saved = await admin.api.post(
        "/admin/escalation", data={"escalate_after_minutes": "12", "csrf_token": token}
    )
    assert saved.status_code == 303
    assert (await ok(await admin.api.get("/api/v1/admin/escalation")))[
        "escalate_after_minutes"
    ] == 12
    for bad in ("soon", "0", ""):
        refused = await admin.api.post(
            "/admin/escalation", data={"escalate_after_minutes": bad, "csrf_token": token}
        )
        assert refused.status_code == 422, bad
    assert (await ok(await admin.api.get("/api/v1/admin/escalation")))[
        "escalate_after_minutes"
    ] == 12


async def test_queue_health_shows_overdue_items(
    user: Persona, moderator: Persona, thread: dict[str, Any], database: Database
) -> None:
    created = await post(user, thread)
    item = await item_of(database, created["id"])
    health = await ok(await moderator.api.get("/api/v1/moderation/health"))
    assert health["escalate_after_minutes"] == 5 and health["overdue"] == []
    async with transaction(database.sessions) as db:
        found = await db.get(ReviewItem, item.id)
        assert found is not None
        found.created_at = utcnow() - timedelta(minutes=8)
    health = await ok(await moderator.api.get("/api/v1/moderation/health"))
    [overdue] = health["overdue"]
    assert overdue["item_id"] == item.id and overdue["waited_minutes"] >= 8
    assert overdue["escalated"] is False
    page = (await moderator.api.get("/moderation/health")).text
    assert f"/moderation/items/{item.id}" in page and "overdue" in page


def test_moderators_online_means_someone_other_than_the_author_on_the_queue() -> None:
    hub = Hub()
    item = ReviewItem(circle_id=7, author_id=1)
    online = moderators_online(hub)
    assert online(item) is False
    author = Subscriber(1, "Author")
    hub.subscribe(ALL_CIRCLES, author)
    assert online(item) is False  # moderators never review their own content
    other_circle = Subscriber(2, "Elsewhere")
    hub.subscribe(8, other_circle)
    assert online(item) is False
    circle_moderator = Subscriber(3, "Circle mod")
    hub.subscribe(7, circle_moderator)
    assert online(item) is True
    hub.unsubscribe(7, circle_moderator)
    staff = Subscriber(4, "Staff")
    hub.subscribe(ALL_CIRCLES, staff)
    assert online(item) is True
