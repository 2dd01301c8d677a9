"""Edge cases a review found: access after leaving, what stays private, counts, bad input."""

from __future__ import annotations

import base64
import math
from typing import Any

import httpx

from moderation.crisis import CrisisLevel, CrisisResult
from moderation.decision import Action, Policy, decide
from moderation.targets import Target
from tests.conftest import Persona, ThreadFactory, join, ok
from tests.review.test_queue_api import ABUSE, item_for, reply
from tests.review.test_queue_api import decide as decide_item

NO_CRISIS = CrisisResult(CrisisLevel.NONE, ())


async def test_leaving_a_private_circle_stops_reading_it_at_once(
    user: Persona, other_user: Persona, private_circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    thread = await make_thread(user, private_circle)
    slug = private_circle["slug"]
    await ok(
        await user.api.post(f"/api/v1/circles/{slug}/members", json={"username": "blake"}), 201
    )
    await join(other_user, private_circle)
    await ok(await other_user.api.get(f"/api/v1/threads/{thread['id']}"))
    await ok(await other_user.api.post(f"/api/v1/circles/{slug}/leave", json={}))
    assert (await other_user.api.get(f"/api/v1/threads/{thread['id']}")).status_code == 404


async def test_replies_in_a_held_thread_cannot_be_reported_by_others(
    user: Persona, other_user: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    await join(other_user, circle)
    held = await make_thread(other_user, circle, title="Hello", body=ABUSE)
    assert held["status"] == "pending"
    own_reply = await reply(other_user, {"id": held["id"]}, "A kind follow-up")
    response = await user.api.get(f"/posts/{own_reply['id']}/report")
    assert response.status_code == 404
    assert "A kind follow-up" not in response.text


async def test_removing_a_held_post_keeps_it_private(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    client: httpx.AsyncClient,
) -> None:
    await join(other_user, circle)
    held = await reply(other_user, thread, ABUSE)
    item = await item_for(moderator, held["id"])
    rule = circle["rules"]["items"][1]["id"]
    await ok(await decide_item(moderator, item["id"], "remove", rule_id=rule))
    public = await ok(await client.get(f"/api/v1/threads/{thread['id']}"))
    assert held["id"] not in [p["id"] for p in public["posts"]]
    mine = await ok(await other_user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert next(p for p in mine["posts"] if p["id"] == held["id"])["status"] == "rejected"


async def test_authors_are_not_told_which_moderator_decided(
    other_user: Persona, moderator: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    held = await reply(other_user, thread, ABUSE)
    item = await item_for(moderator, held["id"])
    rule = circle["rules"]["items"][0]["id"]
    await ok(await decide_item(moderator, item["id"], "reject", rule_id=rule, note="Be kind."))
    decisions = (await ok(await other_user.api.get("/api/v1/me/moderation")))["decisions"]
    assert decisions[0]["note"] == "Be kind."
    assert "actor" not in decisions[0]


async def test_reply_count_follows_approval_and_removal(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    held = await reply(other_user, thread, ABUSE)
    shown = await reply(other_user, thread, "Glad you're here.")

    async def replies() -> int:
        listed = await ok(await user.api.get(f"/api/v1/circles/{circle['slug']}/threads"))
        count: int = next(t for t in listed["threads"] if t["id"] == thread["id"])["reply_count"]
        return count

    assert await replies() == 1
    await ok(await decide_item(moderator, (await item_for(moderator, held["id"]))["id"], "approve"))
    assert await replies() == 2
    await ok(
        await user.api.post(
            "/api/v1/reports",
            json={"content_type": "post", "content_id": shown["id"], "reason": "testing removal"},
        ),
        201,
    )
    item = await item_for(moderator, shown["id"])
    rule = circle["rules"]["items"][0]["id"]
    await ok(await decide_item(moderator, item["id"], "remove", rule_id=rule))
    assert await replies() == 1


async def test_approving_a_post_its_author_deleted_leaves_it_deleted(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    held = await reply(other_user, thread, ABUSE)
    item = await item_for(moderator, held["id"])
    await ok(await other_user.api.delete(f"/api/v1/posts/{held['id']}"))
    await ok(await decide_item(moderator, item["id"], "approve"))
    mine = await ok(await other_user.api.get(f"/api/v1/threads/{thread['id']}"))
    post = next(p for p in mine["posts"] if p["id"] == held["id"])
    assert (post["status"], post["removed_by"]) == ("removed", "author")


async def test_rejected_posts_cannot_be_edited(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    held = await reply(other_user, thread, ABUSE)
    item = await item_for(moderator, held["id"])
    rule = circle["rules"]["items"][0]["id"]
    await ok(await decide_item(moderator, item["id"], "reject", rule_id=rule))
    response = await other_user.api.patch(f"/api/v1/posts/{held['id']}", json={"body": "Sorry."})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "post_rejected"


def test_a_hold_threshold_below_the_flag_threshold_still_holds() -> None:
    policy = Policy(hold={"toxicity": 0.5}, flag={"toxicity": 0.8})
    decision = decide(NO_CRISIS, {"toxicity": 0.55}, Target.OTHERS, policy)
    assert decision.action == Action.REVIEW


def test_a_broken_score_is_treated_as_a_failed_check() -> None:
    decision = decide(NO_CRISIS, {"toxicity": math.nan}, Target.OTHERS, Policy())
    assert decision.action == Action.REVIEW
    assert decision.reasons[-1].kind == "classifier_unavailable"


async def test_ids_too_large_for_the_database_are_404_or_422_not_500(
    user: Persona, thread: dict[str, Any], client: httpx.AsyncClient
) -> None:
    huge = "9" * 23
    assert (await client.get(f"/threads/{huge}")).status_code == 404
    assert (await client.get(f"/api/v1/threads/{huge}")).status_code == 404
    report = await user.api.post(
        "/api/v1/reports", json={"content_type": "post", "content_id": 10**20, "reason": "x"}
    )
    assert report.status_code == 422
    cursor = base64.urlsafe_b64encode("²".encode()).decode().rstrip("=")
    response = await client.get(f"/api/v1/threads/{thread['id']}?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_cursor"


async def test_text_with_a_nul_character_is_refused_clearly(
    user: Persona, circle: dict[str, Any]
) -> None:
    response = await user.api.post(
        f"/api/v1/circles/{circle['slug']}/threads", json={"title": "Hi", "body": "a\x00b"}
    )
    assert response.status_code == 422
    assert "NUL" in response.json()["error"]["message"]
