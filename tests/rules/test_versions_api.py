"""Reading the rules over the API: the contract, every version kept, owners' edits, limits."""

from __future__ import annotations

from typing import Any

import httpx

from forum.circles.service import RULES_TEMPLATE
from forum.rules.changes import MAX_RULES, TITLE_MAX
from tests.conftest import Persona, ok
from tests.rules.helpers import edit_rules, error_of, items_of, proposed, ratify, rules_of


async def test_rules_contract_has_version_items_and_history(
    client: httpx.AsyncClient, circle: dict[str, Any]
) -> None:
    rules = await rules_of(client, circle)
    assert rules["version"] == 1
    assert [(i["title"], i["text"]) for i in rules["items"]] == list(RULES_TEMPLATE)
    for item in rules["items"]:
        assert set(item) == {"id", "title", "text"} and isinstance(item["id"], int)
    assert [i["id"] for i in rules["items"]] == [i["id"] for i in circle["rules"]["items"]]
    assert len(rules["history"]) == 1
    first = rules["history"][0]
    assert set(first) == {"version", "ratified_at", "summary"}
    assert first["version"] == 1 and first["summary"] and first["ratified_at"]
    assert rules["changes"] == []


async def test_a_change_keeps_the_rules_id_and_every_version_is_kept(
    client: httpx.AsyncClient, user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    target = circle["rules"]["items"][2]
    change = {"kind": "change", "rule_id": target["id"], "text": "Ask first."}
    proposal = await proposed(member, circle, **change)
    assert (await ok(await ratify(user, proposal)))["version"] == 2

    now = await rules_of(client, circle)
    assert now["version"] == 2
    assert [i["id"] for i in now["items"]] == [i["id"] for i in circle["rules"]["items"]]
    changed = next(i for i in now["items"] if i["id"] == target["id"])
    assert changed == {"id": target["id"], "title": target["title"], "text": "Ask first."}
    assert [v["version"] for v in now["history"]] == [1, 2]
    assert now["changes"] == [
        {
            "kind": "changed",
            "rule_id": target["id"],
            "title": target["title"],
            "text": "Ask first.",
            "old": {"title": target["title"], "text": target["text"]},
        }
    ]

    before = await rules_of(client, circle, version=1)
    assert before["version"] == 1 and before["current_version"] == 2
    assert before["items"] == circle["rules"]["items"]


async def test_asking_for_a_version_that_does_not_exist_is_404(
    client: httpx.AsyncClient, circle: dict[str, Any]
) -> None:
    for version in ("2", "0", "not-a-number"):
        response = await client.get(f"/api/v1/circles/{circle['slug']}/rules?version={version}")
        assert response.status_code == 404, version
        assert "current one is version 1" in response.json()["error"]["message"]


async def test_private_circle_rules_are_404_to_outsiders(
    other_user: Persona, client: httpx.AsyncClient, private_circle: dict[str, Any]
) -> None:
    for http in (client, other_user.api):
        response = await http.get(f"/api/v1/circles/{private_circle['slug']}/rules")
        assert response.status_code == 404


async def test_owner_edits_reorders_adds_and_removes_as_a_new_version(
    client: httpx.AsyncClient, user: Persona, circle: dict[str, Any]
) -> None:
    items = circle["rules"]["items"]
    edited = [
        {"id": items[1]["id"], "title": items[1]["title"], "text": items[1]["text"]},
        {"id": items[0]["id"], "title": "Keep it in the circle", "text": items[0]["text"]},
        *[{"id": i["id"], "title": i["title"], "text": i["text"]} for i in items[2:5]],
        {"title": "Be gentle with yourself", "text": "Rest counts as progress."},
    ]
    result = await ok(await edit_rules(user, circle, edited, "Tidied the wording."))
    assert result["version"] == 2 and result["summary"] == "Tidied the wording."
    assert [i["title"] for i in result["items"]] == [e["title"] for e in edited]
    assert [i["id"] for i in result["items"][:5]] == [e["id"] for e in edited[:5]]
    new_id = result["items"][5]["id"]
    assert new_id not in {i["id"] for i in items}
    kinds = {(c["kind"], c["title"]) for c in result["changes"]}
    assert kinds == {
        ("changed", "Keep it in the circle"),
        ("added", "Be gentle with yourself"),
        ("removed", items[5]["title"]),
    }
    assert (await rules_of(client, circle))["items"] == result["items"]


async def test_owner_edit_without_summary_describes_the_changes(
    user: Persona, circle: dict[str, Any]
) -> None:
    items = items_of(circle)
    result = await ok(await edit_rules(user, circle, items[:-1]))
    assert result["summary"] == f"Removed “{items[-1]['title']}”."


async def test_owner_edit_that_changes_nothing_is_409(
    user: Persona, circle: dict[str, Any]
) -> None:
    items = items_of(circle)
    error_of(await edit_rules(user, circle, items), 409, "no_changes")


async def test_only_owners_edit_the_rules(member: Persona, circle: dict[str, Any]) -> None:
    items = [{"title": "Mine now", "text": "All mine."}]
    error_of(await edit_rules(member, circle, items), 403, "owners_only")


async def test_owner_edit_limits_are_clear_errors(user: Persona, circle: dict[str, Any]) -> None:
    many = [{"title": f"Rule {n}", "text": "Text."} for n in range(MAX_RULES + 1)]
    error = error_of(await edit_rules(user, circle, many), 409, "too_many_rules")
    assert str(MAX_RULES) in error["message"]
    error_of(await edit_rules(user, circle, []), 409, "last_rule")
    long_title = [{"title": "x" * (TITLE_MAX + 1), "text": "Text."}]
    error = error_of(await edit_rules(user, circle, long_title), 422, "invalid")
    assert error["field"] == "items.0.title" and error["message"].startswith("Rule 1:")
    twice = [{"title": "Same", "text": "a"}, {"title": "same", "text": "b"}]
    error_of(await edit_rules(user, circle, twice), 422, "duplicate_title")
    empty = [{"title": "Fine", "text": "   "}]
    blank = await edit_rules(user, circle, empty)
    assert error_of(blank, 422, "invalid")["field"] == "items.0.text"


async def test_owner_edit_naming_a_rule_of_another_version_is_409(
    user: Persona, circle: dict[str, Any], make_circle: Any
) -> None:
    elsewhere = await make_circle(user)
    foreign = elsewhere["rules"]["items"][0]
    response = await edit_rules(user, circle, [{"id": foreign["id"], "title": "x", "text": "y"}])
    assert error_of(response, 409, "unknown_rule")["field"] == "items.0.id"
    assert (await rules_of(user.api, circle))["version"] == 1
