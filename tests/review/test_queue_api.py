"""The review queue over HTTP: order, claims, decisions, scopes, the log and queue health."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette

from forum.accounts.models import Role
from tests.conftest import (
    AppFactory,
    CircleFactory,
    Database,
    Persona,
    PersonaFactory,
    ThreadFactory,
    join,
    ok,
    reply,
)

ABUSE = "you are a fucking idiot"  # the embedded model scores this ~1.0
MILDER_ABUSE = "ur such a loser"  # held too, but it scores lower
URGENT = "I have the pills ready. Tonight is the night."
CONCERN = "I want to die"
KIND = "Thank you for sharing this, I am glad you are here"


@pytest.fixture
def app(make_app: AppFactory) -> Starlette:
    # The embedded model explicitly: the order test depends on its scores.
    return make_app(toxicity_backend="embedded")


@pytest.fixture
async def second_moderator(make_persona: PersonaFactory) -> Persona:
    return await make_persona("mod2", role=Role.MODERATOR, display_name="Second Mod")


async def queue(persona: Persona, **params: str) -> list[dict[str, Any]]:
    data = await ok(await persona.api.get("/api/v1/moderation/queue", params=params))
    items: list[dict[str, Any]] = data["items"]
    return items


async def item_for(persona: Persona, post_id: int) -> dict[str, Any]:
    return next(
        i for i in await queue(persona) if (i["content_type"], i["content_id"]) == ("post", post_id)
    )


async def claim(persona: Persona, item_id: int) -> httpx.Response:
    return await persona.api.post(f"/api/v1/moderation/items/{item_id}/claim", json={})


async def decide(persona: Persona, item_id: int, action: str, **extra: Any) -> httpx.Response:
    return await persona.api.post(
        f"/api/v1/moderation/items/{item_id}/decision", json={"action": action, **extra}
    )


async def report(persona: Persona, post_id: int, reason: str = "This is unkind") -> None:
    await ok(
        await persona.api.post(
            "/api/v1/reports",
            json={"content_type": "post", "content_id": post_id, "reason": reason},
        ),
        201,
    )


def rule_id(circle: dict[str, Any], index: int = 0) -> int:
    return int(circle["rules"]["items"][index]["id"])


def client_for(app: Starlette, persona: Persona) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {persona.token}"},
    )


def post_ids(thread_json: dict[str, Any]) -> list[int]:
    return [p["id"] for p in thread_json["posts"]]


@pytest.fixture
async def held_post(
    other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> dict[str, Any]:
    """An abusive reply by other_user to user's thread, held for review."""
    await join(other_user, circle)
    post = await reply(other_user, thread, ABUSE)
    assert post["status"] == "pending"
    return post


@pytest.fixture
async def held_item(moderator: Persona, held_post: dict[str, Any]) -> dict[str, Any]:
    return await item_for(moderator, held_post["id"])


# --- order ---


async def test_queue_orders_urgent_then_concern_then_held_by_score_then_age(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    older_reported = await reply(user, thread, KIND)
    newer_reported = await reply(user, thread, "Sending you a hug today")
    await report(other_user, older_reported["id"])
    await report(other_user, newer_reported["id"])
    milder = await reply(other_user, thread, MILDER_ABUSE)
    worse = await reply(other_user, thread, ABUSE)
    concern = await reply(user, thread, CONCERN)
    urgent = await reply(user, thread, URGENT)
    assert concern["status"] == "published" and urgent["status"] == "pending"
    order = [i["content_id"] for i in await queue(moderator)]
    assert order == [
        urgent["id"], concern["id"], worse["id"], milder["id"],
        older_reported["id"], newer_reported["id"],
    ]  # fmt: skip


async def test_queue_items_carry_the_contract_fields(
    moderator: Persona, held_item: dict[str, Any]
) -> None:
    for key in ("id", "content_type", "content_id", "priority", "reasons", "status", "claimed_by"):
        assert key in held_item
    assert held_item["status"] == "open"
    assert held_item["claimed_by"] is None
    reason = held_item["reasons"][0]
    assert reason["kind"] == "toxicity" and reason["score"] > 0.9
    assert reason["pipeline_version"]


async def test_queue_can_be_filtered_by_reason_and_urgency(
    user: Persona, moderator: Persona, thread: dict[str, Any], held_post: dict[str, Any]
) -> None:
    urgent = await reply(user, thread, URGENT)
    assert [i["content_id"] for i in await queue(moderator, urgent="1")] == [urgent["id"]]
    assert [i["content_id"] for i in await queue(moderator, reason="toxicity")] == [held_post["id"]]


# --- claims ---


async def test_second_claim_gets_409_naming_who_has_it(
    moderator: Persona, second_moderator: Persona, held_item: dict[str, Any]
) -> None:
    claimed = await ok(await claim(moderator, held_item["id"]))
    assert claimed["claimed_by"] == "Mod"
    response = await claim(second_moderator, held_item["id"])
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "already_claimed"
    assert "Mod" in error["message"]
    listed = await item_for(second_moderator, held_item["content_id"])
    assert listed["claimed_by"] == "Mod"


async def test_claimed_item_cannot_be_decided_by_another_moderator(
    moderator: Persona, second_moderator: Persona, held_item: dict[str, Any]
) -> None:
    await ok(await claim(moderator, held_item["id"]))
    response = await decide(second_moderator, held_item["id"], "approve")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_claimed"


async def test_expired_claim_lets_another_moderator_claim(
    make_app: AppFactory,
    moderator: Persona,
    second_moderator: Persona,
    held_item: dict[str, Any],
) -> None:
    quick = make_app(toxicity_backend="embedded", claim_minutes=0.001)  # 60 ms claims
    async with client_for(quick, moderator) as first, client_for(quick, second_moderator) as second:
        path = f"/api/v1/moderation/items/{held_item['id']}/claim"
        await ok(await first.post(path, json={}))
        assert (await second.post(path, json={})).status_code == 409
        await asyncio.sleep(0.15)
        taken = await ok(await second.post(path, json={}))
    assert taken["claimed_by"] == "Second Mod"


async def test_expired_claim_no_longer_shows_who_held_it(
    make_app: AppFactory, moderator: Persona, held_item: dict[str, Any]
) -> None:
    quick = make_app(toxicity_backend="embedded", claim_minutes=0.001)
    async with client_for(quick, moderator) as api:
        await ok(await api.post(f"/api/v1/moderation/items/{held_item['id']}/claim", json={}))
        listed = await ok(await api.get("/api/v1/moderation/queue"))
        assert listed["items"][0]["claimed_by"] == "Mod"
        await asyncio.sleep(0.15)
        listed = await ok(await api.get("/api/v1/moderation/queue"))
    assert listed["items"][0]["claimed_by"] is None


async def test_moderator_can_renew_their_own_claim(
    moderator: Persona, held_item: dict[str, Any]
) -> None:
    await ok(await claim(moderator, held_item["id"]))
    again = await ok(await claim(moderator, held_item["id"]))
    assert again["claimed_by"] == "Mod"


# --- decisions and conflicts ---


async def test_second_decision_on_the_same_item_gets_409_already_decided(
    moderator: Persona, second_moderator: Persona, held_item: dict[str, Any]
) -> None:
    await ok(await decide(moderator, held_item["id"], "approve"))
    response = await decide(second_moderator, held_item["id"], "approve")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "already_decided"
    assert "Mod" in error["message"]


async def test_rejecting_a_decided_item_says_it_is_decided_even_without_a_rule(
    moderator: Persona, second_moderator: Persona, held_item: dict[str, Any]
) -> None:
    await ok(await decide(moderator, held_item["id"], "approve"))
    response = await decide(second_moderator, held_item["id"], "reject")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_decided"


async def test_decision_with_a_stale_version_gets_409(
    moderator: Persona, held_item: dict[str, Any]
) -> None:
    seen = held_item["version"]
    await ok(await claim(moderator, held_item["id"]))  # the claim bumps the version
    response = await decide(moderator, held_item["id"], "approve", version=seen)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_version"


async def test_decision_with_the_current_version_succeeds(
    moderator: Persona, held_item: dict[str, Any]
) -> None:
    claimed = await ok(await claim(moderator, held_item["id"]))
    done = await ok(await decide(moderator, held_item["id"], "approve", version=claimed["version"]))
    assert done["item"]["status"] == "resolved"
    assert done["item"]["resolution"] == "approve"


async def test_approve_publishes_the_held_post_and_empties_the_queue(
    user: Persona,
    moderator: Persona,
    thread: dict[str, Any],
    held_post: dict[str, Any],
    held_item: dict[str, Any],
) -> None:
    await ok(await decide(moderator, held_item["id"], "approve"))
    seen = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert held_post["id"] in post_ids(seen)
    assert held_item["id"] not in [i["id"] for i in await queue(moderator)]


async def test_reject_requires_a_rule(moderator: Persona, held_item: dict[str, Any]) -> None:
    response = await decide(moderator, held_item["id"], "reject")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "rule_id"


async def test_reject_with_a_rule_of_another_circle_is_409(
    moderator: Persona,
    other_user: Persona,
    make_circle: CircleFactory,
    held_item: dict[str, Any],
) -> None:
    elsewhere = await make_circle(other_user)
    response = await decide(moderator, held_item["id"], "reject", rule_id=rule_id(elsewhere))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "unknown_rule"


async def test_reject_hides_the_post_and_tells_its_author_the_rule_and_note(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    held_post: dict[str, Any],
    held_item: dict[str, Any],
    client: httpx.AsyncClient,
) -> None:
    rule = circle["rules"]["items"][0]
    note = "Please talk about the idea, not the person."
    done = await ok(
        await decide(moderator, held_item["id"], "reject", rule_id=rule["id"], note=note)
    )
    assert done["content"]["status"] == "rejected"
    for viewer in (user.api, client):
        seen = await ok(await viewer.get(f"/api/v1/threads/{thread['id']}"))
        assert held_post["id"] not in post_ids(seen)
    own = await ok(await other_user.api.get(f"/api/v1/threads/{thread['id']}"))
    post = next(p for p in own["posts"] if p["id"] == held_post["id"])
    assert post["status"] == "rejected"
    assert post["moderation"]["rule"]["title"] == rule["title"]
    assert post["moderation"]["rule"]["text"] == rule["text"]
    assert post["moderation"]["note"] == note
    mine = await ok(await other_user.api.get("/api/v1/me/moderation"))
    decision = mine["decisions"][0]
    assert decision["action"] == "reject"
    assert decision["rule"]["title"] == rule["title"]
    assert decision["rule"]["text"] == rule["text"]
    assert decision["note"] == note
    assert decision["content_id"] == held_post["id"]


async def test_others_do_not_see_decisions_about_someone_else(
    user: Persona, moderator: Persona, circle: dict[str, Any], held_item: dict[str, Any]
) -> None:
    await ok(await decide(moderator, held_item["id"], "reject", rule_id=rule_id(circle)))
    assert (await ok(await user.api.get("/api/v1/me/moderation")))["decisions"] == []


async def test_remove_hides_a_published_post_from_others(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    client: httpx.AsyncClient,
) -> None:
    await join(other_user, circle)
    words = "Funny how it is always about you, every single time"
    published = await reply(other_user, thread, words)
    assert published["status"] == "published"
    await report(user, published["id"], "Dismissive of my grief")
    item = await item_for(moderator, published["id"])
    assert (await decide(moderator, item["id"], "remove")).status_code == 422
    done = await ok(await decide(moderator, item["id"], "remove", rule_id=rule_id(circle)))
    assert done["content"]["status"] == "removed"
    for viewer in (user.api, client):
        response = await viewer.get(f"/api/v1/threads/{thread['id']}")
        assert "always about you" not in response.text
        seen = await ok(response)
        shown = [p for p in seen["posts"] if p["id"] == published["id"]]
        assert all(p["status"] == "removed" and p["removed_by"] == "moderator" for p in shown)


async def test_escalated_item_can_only_be_decided_by_an_admin(
    moderator: Persona, admin: Persona, held_item: dict[str, Any]
) -> None:
    escalated = await ok(await decide(moderator, held_item["id"], "escalate", note="Not sure"))
    assert escalated["item"]["status"] == "escalated"
    assert escalated["item"]["claimed_by"] is None
    listed = await item_for(moderator, held_item["content_id"])
    assert listed["status"] == "escalated"
    response = await decide(moderator, held_item["id"], "approve")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "escalated"
    done = await ok(await decide(admin, held_item["id"], "approve"))
    assert done["item"]["status"] == "resolved"


async def test_warn_is_logged_and_shown_to_the_author(
    moderator: Persona, other_user: Persona, held_item: dict[str, Any]
) -> None:
    done = await ok(await decide(moderator, held_item["id"], "warn", note="Please be kind."))
    assert done["log"]["action"] == "warn"
    log = await ok(await moderator.api.get("/api/v1/moderation/log"))
    assert [(e["action"], e["note"]) for e in log["entries"]] == [("warn", "Please be kind.")]
    mine = await ok(await other_user.api.get("/api/v1/me/moderation"))
    assert [d["action"] for d in mine["decisions"]] == ["warn"]
    # A warning is about the author; the content itself still waits for a decision.
    assert (await item_for(moderator, held_item["content_id"]))["status"] == "open"


async def test_mute_stops_the_author_posting_until_the_time_passes(
    moderator: Persona,
    other_user: Persona,
    thread: dict[str, Any],
    held_item: dict[str, Any],
) -> None:
    assert (await decide(moderator, held_item["id"], "mute")).status_code == 422
    await ok(await decide(moderator, held_item["id"], "mute", mute_hours=0.0005))  # 1.8 s
    response = await other_user.api.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": KIND}
    )
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "muted"
    assert "paused your posting until" in error["message"]
    await asyncio.sleep(2.0)
    await reply(other_user, thread, KIND)


async def test_mute_is_logged_with_its_length(
    moderator: Persona, held_item: dict[str, Any]
) -> None:
    done = await ok(await decide(moderator, held_item["id"], "mute", mute_hours=24))
    assert done["log"]["action"] == "mute"
    assert "24 hours" in done["log"]["note"]


# --- who may see what ---


async def test_non_moderators_get_403_on_the_queue(
    make_persona: PersonaFactory, held_item: dict[str, Any]
) -> None:
    member = await make_persona("casey")
    response = await member.api.get("/api/v1/moderation/queue")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_moderator"
    assert (await claim(member, held_item["id"])).status_code == 403
    assert (await decide(member, held_item["id"], "approve")).status_code == 403


async def test_anonymous_visitors_cannot_see_the_queue(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/moderation/queue")).status_code == 401


async def test_circle_owner_sees_and_decides_only_their_own_circles_items(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    make_persona: PersonaFactory,
    make_circle: CircleFactory,
    make_thread: ThreadFactory,
    held_item: dict[str, Any],
) -> None:
    # user owns `circle`, where held_item is; other_user owns a circle of their own,
    # where someone else's post is held.
    theirs = await make_circle(other_user)
    writer = await make_persona("writer")
    await join(writer, theirs)
    foreign = await make_thread(writer, theirs, title="Mine", body=ABUSE)
    foreign_item = await item_for(moderator, foreign["post"]["id"])
    mine = await queue(user)
    assert [i["id"] for i in mine] == [held_item["id"]]
    their_queue = await queue(other_user)
    assert [i["id"] for i in their_queue] == [foreign_item["id"]]
    for response in (
        await user.api.get(f"/api/v1/moderation/items/{foreign_item['id']}"),
        await claim(user, foreign_item["id"]),
        await decide(user, foreign_item["id"], "approve"),
    ):
        assert response.status_code == 404
    await ok(await claim(user, held_item["id"]))
    await ok(await decide(user, held_item["id"], "approve"))


async def test_site_moderators_see_every_circle(
    other_user: Persona,
    moderator: Persona,
    make_circle: CircleFactory,
    make_thread: ThreadFactory,
    held_item: dict[str, Any],
) -> None:
    theirs = await make_circle(other_user)
    foreign = await make_thread(other_user, theirs, title="Mine", body=ABUSE)
    ids = {i["content_id"] for i in await queue(moderator)}
    assert {held_item["content_id"], foreign["post"]["id"]} <= ids


# --- the moderation log ---


@pytest.mark.parametrize(
    "statement", ["UPDATE moderation_log SET note = 'rewritten'", "DELETE FROM moderation_log"]
)
async def test_moderation_log_is_append_only_in_the_database(
    statement: str, database: Database, moderator: Persona, held_item: dict[str, Any]
) -> None:
    await ok(await decide(moderator, held_item["id"], "approve", note="fine"))
    async with database.sessions() as db:
        with pytest.raises(DBAPIError, match="append-only"):
            await db.execute(text(statement))
        await db.rollback()
    async with database.sessions() as db:
        rows = (await db.execute(text("SELECT action, note FROM moderation_log"))).all()
    assert [tuple(row) for row in rows] == [("approve", "fine")]


async def test_moderation_log_records_who_what_and_why(
    moderator: Persona, circle: dict[str, Any], held_item: dict[str, Any]
) -> None:
    rule = circle["rules"]["items"][1]
    await ok(await decide(moderator, held_item["id"], "reject", rule_id=rule["id"], note="n"))
    entry = (await ok(await moderator.api.get("/api/v1/moderation/log")))["entries"][0]
    assert entry["actor"] == "Mod"
    assert entry["action"] == "reject"
    assert entry["item_id"] == held_item["id"]
    assert entry["rule"]["id"] == rule["id"] and entry["rule"]["title"] == rule["title"]
    assert entry["note"] == "n"
    assert entry["created_at"]


# --- queue health ---


async def test_queue_health_reports_time_to_first_decision(
    user: Persona, moderator: Persona, thread: dict[str, Any], held_item: dict[str, Any]
) -> None:
    crisis = await reply(user, thread, URGENT)
    crisis_item = await item_for(moderator, crisis["id"])
    before = await ok(await moderator.api.get("/api/v1/moderation/health"))
    assert before["waiting_for_first_look"] == 2
    assert before["time_to_first_decision_minutes"]["other"]["decided"] == 0
    await ok(await decide(moderator, held_item["id"], "approve"))
    await ok(await decide(moderator, crisis_item["id"], "escalate"))
    health = await ok(await moderator.api.get("/api/v1/moderation/health"))
    waits = health["time_to_first_decision_minutes"]
    for kind in ("crisis", "other"):
        assert waits[kind]["decided"] == 1
        assert 0 <= waits[kind]["median"] < 5
        assert waits[kind]["p90"] == waits[kind]["median"]
    assert health["waiting_for_first_look"] == 0
    today = health["days"][-1]
    assert today["items"] == 2 and today["crisis"] == 1


async def test_queue_health_is_for_moderators_only(
    make_persona: PersonaFactory,
) -> None:
    member = await make_persona("casey")
    assert (await member.api.get("/api/v1/moderation/health")).status_code == 403


# --- edits ---


async def test_editing_a_published_post_into_abuse_holds_it_again(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    client: httpx.AsyncClient,
) -> None:
    await join(other_user, circle)
    published = await reply(other_user, thread, KIND)
    assert published["status"] == "published"
    edited = await ok(
        await other_user.api.patch(f"/api/v1/posts/{published['id']}", json={"body": ABUSE})
    )
    assert edited["status"] == "pending"
    assert edited["moderation"]["reasons"][0]["kind"] == "toxicity"
    for viewer in (user.api, client):
        seen = await ok(await viewer.get(f"/api/v1/threads/{thread['id']}"))
        assert published["id"] not in post_ids(seen)
    item = await item_for(moderator, published["id"])
    assert item["held"] is True


async def test_nobody_sees_or_decides_items_about_their_own_posts(
    user: Persona, moderator: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    # user owns the circle, so moderates it, and writes something that is held.
    own = await make_thread(user, circle, title="Mine", body=ABUSE)
    item = await item_for(moderator, own["post"]["id"])
    assert item["id"] not in [i["id"] for i in await queue(user)]
    for response in (
        await user.api.get(f"/api/v1/moderation/items/{item['id']}"),
        await claim(user, item["id"]),
        await decide(user, item["id"], "approve"),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "own_item"


async def test_circle_owners_cannot_pause_anyone_site_wide(
    user: Persona, moderator: Persona, held_item: dict[str, Any]
) -> None:
    # user owns the circle where held_item (by another member) waits.
    response = await decide(user, held_item["id"], "mute", mute_hours=1)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mute_not_allowed"
    await ok(await decide(moderator, held_item["id"], "mute", mute_hours=1))


async def test_approving_after_the_post_changed_is_refused_as_stale(
    moderator: Persona, held_post: dict[str, Any], held_item: dict[str, Any], other_user: Persona
) -> None:
    seen = held_item["version"]
    await ok(
        await other_user.api.patch(
            f"/api/v1/posts/{held_post['id']}", json={"body": "you are a worse fucking idiot"}
        )
    )
    response = await decide(moderator, held_item["id"], "approve", version=seen)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_version"


async def test_past_the_shift_limit_only_crisis_items_can_be_decided(
    make_app: AppFactory,
    moderator: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    tired = make_app(toxicity_backend="embedded", shift_limit=1)
    await join(other_user, circle)
    first, second = await reply(other_user, thread, ABUSE), await reply(other_user, thread, ABUSE)
    crisis = await reply(other_user, thread, CONCERN)
    async with client_for(tired, moderator) as api:
        items = {
            i["content_id"]: i["id"]
            for i in (await ok(await api.get("/api/v1/moderation/queue")))["items"]
        }
        path = "/api/v1/moderation/items/{}/decision"
        await ok(await api.post(path.format(items[first["id"]]), json={"action": "approve"}))
        refused = await api.post(path.format(items[second["id"]]), json={"action": "approve"})
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "shift_limit"
        await ok(await api.post(path.format(items[crisis["id"]]), json={"action": "approve"}))


async def test_queue_counts_say_what_waits_and_how_urgent(
    moderator: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    counts = "/api/v1/moderation/queue/counts"
    assert await ok(await moderator.api.get(counts)) == {"total": 0, "urgent": 0, "crisis": 0}
    await join(other_user, circle)
    for body in (ABUSE, URGENT):
        response = await other_user.api.post(
            f"/api/v1/threads/{thread['id']}/posts", json={"body": body}
        )
        assert response.status_code == 201, response.text
    assert await ok(await moderator.api.get(counts)) == {"total": 2, "urgent": 1, "crisis": 1}
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    assert queue["counts"] == {"total": 2, "urgent": 1, "crisis": 1}
    refused = await other_user.api.get(counts)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_a_moderator"
