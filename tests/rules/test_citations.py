"""Moderators cite a rule by id and version; reports name a rule; authors see its words."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from tests.conftest import AppFactory, Persona, ok
from tests.rules.helpers import edit_rules, error_of, items_of

ABUSE = "you are a fucking idiot"  # held for review by the embedded model


@pytest.fixture
def app(make_app: AppFactory) -> Starlette:
    return make_app(toxicity_backend="embedded")


@pytest.fixture
async def held(
    member: Persona, moderator: Persona, thread: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A held reply by the member, and its review item."""
    post = await ok(
        await member.api.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": ABUSE}),
        201,
    )
    assert post["status"] == "pending"
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    item = next(i for i in queue["items"] if i["content_id"] == post["id"])
    return post, item


async def decide(moderator: Persona, item_id: int, **body: Any) -> Any:
    return await moderator.api.post(f"/api/v1/moderation/items/{item_id}/decision", json=body)


async def test_a_rejection_records_the_rule_id_and_version_and_its_words(
    moderator: Persona,
    member: Persona,
    circle: dict[str, Any],
    held: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, item = held
    rule = circle["rules"]["items"][1]
    done = await ok(
        await decide(moderator, item["id"], action="reject", rule_id=rule["id"], rules_version=1)
    )
    assert done["log"]["rule"] == {
        "id": rule["id"],
        "title": rule["title"],
        "text": rule["text"],
        "version": 1,
    }


async def test_author_sees_the_rule_as_it_was_when_cited_after_it_changes(
    user: Persona,
    moderator: Persona,
    member: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    held: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    post, item = held
    rule = circle["rules"]["items"][1]
    await ok(await decide(moderator, item["id"], action="reject", rule_id=rule["id"]))
    items = items_of(circle)
    items[1]["text"] = "Reworded later by the owner."
    await ok(await edit_rules(user, circle, items))

    mine = await ok(await member.api.get("/api/v1/me/moderation"))
    cited = mine["decisions"][0]["rule"]
    assert cited == {"id": rule["id"], "title": rule["title"], "text": rule["text"], "version": 1}
    own = await ok(await member.api.get(f"/api/v1/threads/{thread['id']}"))
    shown = next(p for p in own["posts"] if p["id"] == post["id"])
    assert shown["moderation"]["rule"]["text"] == rule["text"]


async def test_a_later_citation_of_the_same_rule_has_the_same_id_and_new_words(
    user: Persona,
    moderator: Persona,
    member: Persona,
    circle: dict[str, Any],
    held: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, item = held
    rule = circle["rules"]["items"][1]
    items = items_of(circle)
    items[1]["text"] = "Reworded by the owner."
    await ok(await edit_rules(user, circle, items))
    done = await ok(
        await decide(moderator, item["id"], action="reject", rule_id=rule["id"], rules_version=2)
    )
    assert done["log"]["rule"]["id"] == rule["id"]
    assert done["log"]["rule"]["version"] == 2
    assert done["log"]["rule"]["text"] == "Reworded by the owner."


async def test_citing_a_removed_rule_is_refused_clearly(
    user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    held: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, item = held
    gone = circle["rules"]["items"][5]
    await ok(await edit_rules(user, circle, items_of(circle)[:5]))
    response = await decide(moderator, item["id"], action="reject", rule_id=gone["id"])
    error = error_of(response, 409, "rule_removed")
    assert error["removed_in_version"] == 2 and error["field"] == "rule_id"


async def test_citing_rules_from_an_older_version_is_409_stale(
    user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    held: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, item = held
    items = items_of(circle)
    items[0]["title"] = "Confidentiality"
    await ok(await edit_rules(user, circle, items))
    rule = circle["rules"]["items"][0]
    response = await decide(
        moderator, item["id"], action="remove", rule_id=rule["id"], rules_version=1
    )
    assert error_of(response, 409, "rules_version_stale")["current_version"] == 2
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    assert any(i["id"] == item["id"] for i in queue["items"])  # still undecided


async def test_a_report_names_a_rule_with_its_version(
    user: Persona,
    member: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    rule = circle["rules"]["items"][3]
    await ok(
        await member.api.post(
            "/api/v1/reports",
            json={
                "content_type": "thread",
                "content_id": thread["id"],
                "reason": "",
                "rule_id": rule["id"],
            },
        ),
        201,
    )
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    item = next(i for i in queue["items"] if i["content_id"] == thread["post"]["id"])
    detail = await ok(await moderator.api.get(f"/api/v1/moderation/items/{item['id']}"))
    assert detail["reports"][0]["rule_id"] == rule["id"]
    assert detail["reports"][0]["rules_version"] == 1
    assert rule["title"] in item["reasons"][-1]["message"]


async def test_a_report_naming_a_removed_rule_is_refused_clearly(
    user: Persona, member: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    gone = circle["rules"]["items"][5]
    await ok(await edit_rules(user, circle, items_of(circle)[:5]))
    response = await member.api.post(
        "/api/v1/reports",
        json={"content_type": "thread", "content_id": thread["id"], "rule_id": gone["id"]},
    )
    assert gone["title"] in error_of(response, 409, "rule_removed")["message"]
