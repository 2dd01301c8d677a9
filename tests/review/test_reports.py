"""Members report content with a reason or a ground rule; reports join the same queue item."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import CircleFactory, Persona, PersonaFactory, ThreadFactory, join, ok, reply

ABUSE = "you are a fucking idiot"
CONCERN = "I want to die"


async def report(persona: Persona, content_id: int, **fields: Any) -> httpx.Response:
    body = {"content_type": "post", "content_id": content_id, "reason": "Unkind", **fields}
    return await persona.api.post("/api/v1/reports", json=body)


async def items_about(moderator: Persona, post_id: int) -> list[dict[str, Any]]:
    data = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    return [i for i in data["items"] if (i["content_type"], i["content_id"]) == ("post", post_id)]


async def only_item(moderator: Persona, post_id: int) -> dict[str, Any]:
    items = await items_about(moderator, post_id)
    assert len(items) == 1, items
    return items[0]


@pytest.fixture
async def published(
    other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> dict[str, Any]:
    await join(other_user, circle)
    # Unkind but no attack the automatic check reads ("get over it" now reaches a moderator
    # by itself): only a member's report brings this one to the queue.
    post = await reply(other_user, thread, "Have you tried just thinking more positively?")
    assert post["status"] == "published"
    return post


async def test_report_creates_a_queue_item_with_the_reason(
    user: Persona, moderator: Persona, published: dict[str, Any]
) -> None:
    assert await items_about(moderator, published["id"]) == []
    data = await ok(await report(user, published["id"], reason="Dismissive of my loss"), 201)
    assert data["status"] == "received"
    item = await only_item(moderator, published["id"])
    assert [r["kind"] for r in item["reasons"]] == ["report"]
    assert "Dismissive of my loss" in item["reasons"][0]["message"]
    detail = await ok(await moderator.api.get(f"/api/v1/moderation/items/{item['id']}"))
    assert [(r["reason"], r["reporter"]) for r in detail["reports"]] == [
        ("Dismissive of my loss", "Alex")
    ]


async def test_reports_from_several_members_join_one_item(
    user: Persona,
    moderator: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    published: dict[str, Any],
) -> None:
    third = await make_persona("casey", display_name="Casey")
    await ok(await report(user, published["id"], reason="first"), 201)
    await ok(await report(third, published["id"], reason="second"), 201)
    item = await only_item(moderator, published["id"])
    detail = await ok(await moderator.api.get(f"/api/v1/moderation/items/{item['id']}"))
    assert [r["reason"] for r in detail["reports"]] == ["first", "second"]


async def test_report_of_a_flagged_post_joins_its_item_with_both_reasons(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    flagged = await reply(user, thread, CONCERN)
    assert flagged["status"] == "published"
    await ok(await report(other_user, flagged["id"], reason="I am worried about Alex"), 201)
    item = await only_item(moderator, flagged["id"])
    assert [r["kind"] for r in item["reasons"]] == ["crisis", "report"]
    assert item["crisis_level"] == "concern"
    assert item["priority"] == 80  # a report does not lower a crisis item


async def test_report_of_a_held_post_joins_its_item_with_both_reasons(
    other_user: Persona, moderator: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    held = await reply(other_user, thread, ABUSE)
    assert held["status"] == "pending"
    await ok(await report(moderator, held["id"], reason="Insulting a member"), 201)
    item = await only_item(moderator, held["id"])
    assert [r["kind"] for r in item["reasons"]] == ["toxicity", "report"]
    assert item["held"] is True


async def test_report_of_a_post_others_cannot_see_is_404(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    # A held post is visible to its author only; a guessed id must not reveal it exists.
    await join(other_user, circle)
    held = await reply(other_user, thread, ABUSE)
    assert held["status"] == "pending"
    assert (await report(user, held["id"])).status_code == 404


async def test_report_citing_the_circles_rule_is_accepted(
    user: Persona, moderator: Persona, circle: dict[str, Any], published: dict[str, Any]
) -> None:
    rule = circle["rules"]["items"][0]
    await ok(await report(user, published["id"], reason="", rule_id=rule["id"]), 201)
    item = await only_item(moderator, published["id"])
    assert item["reasons"][0]["rule_id"] == rule["id"]
    assert rule["title"] in item["reasons"][0]["message"]


async def test_report_citing_another_circles_rule_is_409(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    make_circle: CircleFactory,
    published: dict[str, Any],
) -> None:
    elsewhere = await make_circle(other_user)
    response = await report(user, published["id"], rule_id=elsewhere["rules"]["items"][0]["id"])
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "rule_id"
    assert await items_about(moderator, published["id"]) == []


async def test_report_citing_a_missing_rule_is_409(
    user: Persona, published: dict[str, Any]
) -> None:
    response = await report(user, published["id"], rule_id=999_999)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "unknown_rule"


@pytest.mark.parametrize("reason", ["", "   \n "])
async def test_report_without_reason_or_rule_is_422(
    reason: str, user: Persona, moderator: Persona, published: dict[str, Any]
) -> None:
    response = await report(user, published["id"], reason=reason)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "reason"
    assert await items_about(moderator, published["id"]) == []


async def test_overlong_report_is_422(user: Persona, published: dict[str, Any]) -> None:
    assert (await report(user, published["id"], reason="x" * 1001)).status_code == 422


async def test_reporting_private_content_as_an_outsider_is_404(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    private_circle: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    secret = await make_thread(user, private_circle, title="Private", body="Only for us")
    post_id = secret["post"]["id"]
    response = await report(other_user, post_id)
    assert response.status_code == 404
    thread_response = await other_user.api.post(
        "/api/v1/reports",
        json={"content_type": "thread", "content_id": secret["id"], "reason": "x"},
    )
    assert thread_response.status_code == 404
    assert await items_about(moderator, post_id) == []


async def test_members_of_a_private_circle_can_report_in_it(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    private_circle: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    await ok(
        await user.api.post(
            f"/api/v1/circles/{private_circle['slug']}/members", json={"username": "blake"}
        ),
        201,
    )
    secret = await make_thread(user, private_circle, title="Private", body="Only for us")
    await ok(await report(other_user, secret["post"]["id"]), 201)
    assert len(await items_about(moderator, secret["post"]["id"])) == 1


async def test_reporting_a_thread_reports_its_opening_post(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    make_thread: ThreadFactory,
    circle: dict[str, Any],
) -> None:
    await join(other_user, circle)
    opened = await make_thread(other_user, circle, title="Get over it", body="Grief is weakness")
    await ok(
        await user.api.post(
            "/api/v1/reports",
            json={"content_type": "thread", "content_id": opened["id"], "reason": "Cruel"},
        ),
        201,
    )
    item = await only_item(moderator, opened["post"]["id"])
    assert item["content_type"] == "post"


async def test_report_of_unknown_content_type_is_422(
    user: Persona, published: dict[str, Any]
) -> None:
    response = await user.api.post(
        "/api/v1/reports",
        json={"content_type": "poem", "content_id": published["id"], "reason": "x"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "content_type"


@pytest.mark.parametrize("content_type", ["post", "thread"])
async def test_report_of_missing_content_is_404(content_type: str, user: Persona) -> None:
    response = await user.api.post(
        "/api/v1/reports",
        json={"content_type": content_type, "content_id": 999_999, "reason": "x"},
    )
    assert response.status_code == 404


async def test_anonymous_visitors_cannot_report(
    client: httpx.AsyncClient, published: dict[str, Any]
) -> None:
    response = await client.post(
        "/api/v1/reports",
        json={"content_type": "post", "content_id": published["id"], "reason": "x"},
    )
    assert response.status_code == 401
