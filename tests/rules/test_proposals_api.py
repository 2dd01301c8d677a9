"""Members propose, endorse and object; owners see the tally and ratify or decline."""

from __future__ import annotations

from typing import Any

import httpx

from forum.rules.changes import COMMENT_MAX, MAX_OPEN_PER_MEMBER, MAX_RULES, RATIONALE_MAX
from tests.conftest import Persona, PersonaFactory, join, ok
from tests.rules.helpers import (
    decline,
    edit_rules,
    error_of,
    items_of,
    proposals_of,
    propose,
    proposed,
    ratify,
    rules_of,
    take_stance,
)

NEW_RULE = {"kind": "add", "title": "No diagnosing each other", "text": "We're peers, not doctors."}


async def test_member_proposes_a_new_rule_and_gets_201_with_id_and_status(
    member: Persona, circle: dict[str, Any]
) -> None:
    created = await proposed(member, circle, **NEW_RULE, rationale="It happened last week.")
    assert isinstance(created["id"], int) and created["status"] == "open"
    assert created["title"] == NEW_RULE["title"] and created["rule_id"] is None
    assert created["author"] == {"display_name": "Blake"}
    assert created["tally"] == {"endorse": 0, "object": 0}
    assert created["base_version"] == 1


async def test_owner_ratifies_an_addition_as_a_new_version(
    client: httpx.AsyncClient, user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    proposal = await proposed(member, circle, **NEW_RULE)
    answer = await ok(await ratify(user, proposal))
    assert answer["version"] == 2 and answer["status"] == "ratified"

    rules = await rules_of(client, circle)
    assert rules["version"] == 2
    assert rules["items"][-1]["title"] == NEW_RULE["title"]
    assert rules["history"][-1]["version"] == 2
    assert rules["history"][-1]["summary"] == f"Added “{NEW_RULE['title']}”."
    assert [c["kind"] for c in rules["changes"]] == ["added"]
    after = (await proposals_of(member, circle))[0]
    assert after["status"] == "ratified" and after["rule_id"] == rules["items"][-1]["id"]
    assert after["decision"]["version"] == 2 and after["decision"]["by"] == "Alex"


async def test_ratify_accepts_an_optional_summary(
    user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    proposal = await proposed(member, circle, **NEW_RULE)
    await ok(await ratify(user, proposal, summary="Blake's proposal, agreed by the circle."))
    rules = await rules_of(user.api, circle)
    assert rules["summary"] == "Blake's proposal, agreed by the circle."


async def test_member_proposes_removing_a_rule_and_owner_ratifies(
    user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    target = circle["rules"]["items"][4]
    proposal = await proposed(member, circle, kind="remove", rule_id=target["id"])
    assert proposal["old"] == {"title": target["title"], "text": target["text"]}
    await ok(await ratify(user, proposal))
    rules = await rules_of(user.api, circle)
    assert target["id"] not in [i["id"] for i in rules["items"]]
    assert rules["changes"] == [
        {
            "kind": "removed",
            "rule_id": target["id"],
            "title": target["title"],
            "text": target["text"],
        }
    ]


async def test_endorse_and_object_are_one_stance_per_member_and_changeable(
    user: Persona,
    member: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
) -> None:
    third = await make_persona("casey", display_name="Casey")
    await join(third, circle)
    proposal = await proposed(member, circle, **NEW_RULE)

    first = await ok(await take_stance(third, proposal, "object", "Feels too strict."))
    assert first["tally"] == {"endorse": 0, "object": 1}
    assert first["my_stance"] == {"stance": "object", "comment": "Feels too strict."}
    again = await ok(await take_stance(third, proposal, "endorse", "Thought again: yes."))
    assert again["tally"] == {"endorse": 1, "object": 0}
    await ok(await take_stance(member, proposal, "endorse"))

    seen_by_member = (await proposals_of(member, circle))[0]
    assert seen_by_member["tally"] == {"endorse": 2, "object": 0}
    assert "stances" not in seen_by_member  # comments are for the owners
    seen_by_owner = (await proposals_of(user, circle))[0]
    assert seen_by_owner["tally"] == {"endorse": 2, "object": 0}
    comments = {s["display_name"]: (s["stance"], s["comment"]) for s in seen_by_owner["stances"]}
    assert comments == {"Casey": ("endorse", "Thought again: yes."), "Blake": ("endorse", "")}


async def test_stance_must_be_endorse_or_object_and_comment_is_bounded(
    member: Persona, circle: dict[str, Any]
) -> None:
    proposal = await proposed(member, circle, **NEW_RULE)
    wrong = await take_stance(member, proposal, "maybe")
    assert error_of(wrong, 422, "invalid")["field"] == "stance"
    too_long = await take_stance(member, proposal, "endorse", "x" * (COMMENT_MAX + 1))
    assert str(COMMENT_MAX) in error_of(too_long, 422, "invalid")["message"]


async def test_non_members_cannot_propose_endorse_or_see_proposals(
    user: Persona,
    member: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    client: httpx.AsyncClient,
) -> None:
    stranger = await make_persona("drew")
    error_of(await propose(stranger, circle, **NEW_RULE), 403, "not_a_member")
    proposal = await proposed(member, circle, **NEW_RULE)
    error_of(await take_stance(stranger, proposal, "endorse"), 403, "not_a_member")
    listing = await stranger.api.get(f"/api/v1/circles/{circle['slug']}/rules/proposals")
    error_of(listing, 403, "not_a_member")
    anonymous = await client.post(
        f"/api/v1/circles/{circle['slug']}/rules/proposals", json={**NEW_RULE, "rationale": "x"}
    )
    assert anonymous.status_code == 401


async def test_only_owners_ratify_or_decline(member: Persona, circle: dict[str, Any]) -> None:
    proposal = await proposed(member, circle, **NEW_RULE)
    error_of(await ratify(member, proposal), 403, "owners_only")
    error_of(await decline(member, proposal, "No."), 403, "owners_only")
    assert (await proposals_of(member, circle))[0]["status"] == "open"


async def test_owner_declines_with_a_reason_the_proposer_sees(
    user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    proposal = await proposed(member, circle, **NEW_RULE)
    error_of(await decline(user, proposal, "   "), 422, "invalid")
    declined = await ok(await decline(user, proposal, "Rule 3 already covers this, I think."))
    assert declined["status"] == "declined"
    mine = (await proposals_of(member, circle))[0]
    assert mine["decision"]["note"] == "Rule 3 already covers this, I think."
    assert (await rules_of(member.api, circle))["version"] == 1


async def test_decided_proposals_cannot_be_decided_or_endorsed_again(
    user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    proposal = await proposed(member, circle, **NEW_RULE)
    await ok(await ratify(user, proposal))
    error_of(await ratify(user, proposal), 409, "proposal_closed")
    error_of(await decline(user, proposal, "Changed my mind"), 409, "proposal_closed")
    error_of(await take_stance(member, proposal, "object"), 409, "proposal_closed")
    assert (await rules_of(user.api, circle))["version"] == 2


async def test_proposer_withdraws_their_own_open_proposal(
    user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    proposal = await proposed(member, circle, **NEW_RULE)
    url = f"/api/v1/rules/proposals/{proposal['id']}/withdraw"
    error_of(await user.api.post(url), 403, "forbidden")
    assert (await ok(await member.api.post(url)))["status"] == "withdrawn"
    error_of(await ratify(user, proposal), 409, "proposal_closed")


async def test_proposal_limits_are_clear_errors(member: Persona, circle: dict[str, Any]) -> None:
    missing = await propose(member, circle, **NEW_RULE, rationale="  ")
    assert "why" in error_of(missing, 422, "invalid")["message"]
    long = await propose(member, circle, **NEW_RULE, rationale="x" * (RATIONALE_MAX + 1))
    assert error_of(long, 422, "invalid")["field"] == "rationale"
    no_title = await propose(member, circle, kind="add", text="Something.")
    assert error_of(no_title, 422, "invalid")["field"] == "title"
    no_rule = await propose(member, circle, kind="change", text="Something.")
    assert error_of(no_rule, 422, "invalid")["field"] == "rule_id"
    bad_kind = await propose(member, circle, kind="replace", rule_id=1)
    assert error_of(bad_kind, 422, "invalid")["field"] == "kind"
    same = circle["rules"]["items"][0]
    # What the rules now say makes these two impossible: conflicts, not bad input.
    unchanged = await propose(member, circle, kind="change", rule_id=same["id"], text=same["text"])
    error_of(unchanged, 409, "no_changes")
    duplicate = await propose(member, circle, kind="add", title=same["title"].upper(), text="x")
    assert error_of(duplicate, 409, "duplicate_title")["field"] == "title"


async def test_open_proposals_per_member_are_limited(
    member: Persona, circle: dict[str, Any]
) -> None:
    for n in range(MAX_OPEN_PER_MEMBER):
        await proposed(member, circle, kind="add", title=f"Idea {n}", text="Text.")
    error = error_of(await propose(member, circle, **NEW_RULE), 409, "too_many_open_proposals")
    assert "withdraw" in error["message"]


async def test_an_addition_past_the_most_rules_is_refused(
    user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    items = [{"title": f"Rule {n}", "text": "Text."} for n in range(MAX_RULES)]
    await ok(await edit_rules(user, circle, items))
    await join(member, {"slug": circle["slug"], "rules": {"version": 2}})
    error_of(await propose(member, circle, **NEW_RULE), 409, "too_many_rules")


async def test_proposing_against_a_removed_rule_is_refused_clearly(
    user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    gone = circle["rules"]["items"][5]
    keep = items_of(circle)[:5]
    await ok(await edit_rules(user, circle, keep))
    error = error_of(
        await propose(member, circle, kind="change", rule_id=gone["id"], text="Kinder words."),
        409,
        "rule_removed",
    )
    assert error["removed_in_version"] == 2 and gone["title"] in error["message"]


async def test_proposing_against_an_outdated_wording_is_refused_clearly(
    user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    rule = circle["rules"]["items"][1]
    items = items_of(circle)
    items[1]["text"] = "Listen first. Judge never."
    await ok(await edit_rules(user, circle, items))
    stale = await propose(
        member, circle, kind="change", rule_id=rule["id"], text="Be kind.", rules_version=1
    )
    error = error_of(stale, 409, "rule_outdated")
    assert error["current_version"] == 2
    assert error["current"] == {"id": rule["id"], "title": rule["title"], "text": items[1]["text"]}
    # Still possible once they have read the current wording.
    fresh = await propose(
        member, circle, kind="change", rule_id=rule["id"], text="Be kind.", rules_version=2
    )
    assert fresh.status_code == 201, fresh.text


async def test_proposing_a_rule_of_another_circle_is_409(
    user: Persona, member: Persona, circle: dict[str, Any], make_circle: Any
) -> None:
    elsewhere = await make_circle(user)
    foreign = elsewhere["rules"]["items"][0]["id"]
    response = await propose(member, circle, kind="remove", rule_id=foreign)
    assert error_of(response, 409, "unknown_rule")["field"] == "rule_id"


async def test_ratifying_one_of_two_conflicting_changes_outdates_the_other(
    user: Persona, member: Persona, make_persona: PersonaFactory, circle: dict[str, Any]
) -> None:
    third = await make_persona("casey", display_name="Casey")
    await join(third, circle)
    rule = circle["rules"]["items"][2]
    first = await proposed(member, circle, kind="change", rule_id=rule["id"], text="Ask first.")
    second = await proposed(third, circle, kind="remove", rule_id=rule["id"])
    unrelated = await proposed(third, circle, **NEW_RULE)

    await ok(await ratify(user, first))
    error = error_of(await ratify(user, second), 409, "proposal_closed")
    assert "no longer applies" in error["message"]
    listed = {p["id"]: p for p in await proposals_of(user, circle)}
    assert listed[second["id"]]["status"] == "outdated"
    assert "Version 2" in listed[second["id"]]["decision"]["note"]
    assert listed[unrelated["id"]]["status"] == "open"
    # The unrelated one still applies cleanly on top of version 2.
    assert (await ok(await ratify(user, unrelated)))["version"] == 3
    rules = await rules_of(user.api, circle)
    changed = next(i for i in rules["items"] if i["id"] == rule["id"])
    assert changed["text"] == "Ask first."


async def test_two_additions_with_the_same_title_cannot_both_be_ratified(
    user: Persona, member: Persona, make_persona: PersonaFactory, circle: dict[str, Any]
) -> None:
    third = await make_persona("casey")
    await join(third, circle)
    first = await proposed(member, circle, **NEW_RULE)
    second = await proposed(third, circle, **{**NEW_RULE, "text": "Other words."})
    await ok(await ratify(user, first))
    error_of(await ratify(user, second), 409, "proposal_closed")
    outdated = next(p for p in await proposals_of(user, circle) if p["id"] == second["id"])
    assert outdated["status"] == "outdated" and NEW_RULE["title"] in outdated["decision"]["note"]


async def test_an_owner_edit_outdates_proposals_it_overtakes(
    user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    rule = circle["rules"]["items"][0]
    proposal = await proposed(member, circle, kind="change", rule_id=rule["id"], text="Short.")
    items = items_of(circle)
    items[0]["text"] = "Owner's own rewording."
    await ok(await edit_rules(user, circle, items))
    found = (await proposals_of(member, circle))[0]
    assert found["id"] == proposal["id"] and found["status"] == "outdated"


async def test_proposals_list_filters_by_status(
    user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    kept = await proposed(member, circle, **NEW_RULE)
    dropped = await proposed(member, circle, kind="add", title="Another", text="Text.")
    await ok(await decline(user, dropped, "Not now."))
    assert [p["id"] for p in await proposals_of(member, circle, "open")] == [kept["id"]]
    assert [p["id"] for p in await proposals_of(member, circle, "closed")] == [dropped["id"]]
    assert {p["id"] for p in await proposals_of(member, circle)} == {kept["id"], dropped["id"]}
    response = await member.api.get(f"/api/v1/circles/{circle['slug']}/rules/proposals?status=x")
    error_of(response, 422, "invalid")


async def test_one_proposal_reads_like_the_list_and_is_404_when_missing(
    member: Persona, circle: dict[str, Any]
) -> None:
    proposal = await proposed(member, circle, **NEW_RULE)
    one = await ok(await member.api.get(f"/api/v1/rules/proposals/{proposal['id']}"))
    assert one == (await proposals_of(member, circle))[0]
    missing = await member.api.get(f"/api/v1/rules/proposals/{proposal['id'] + 1000}")
    assert missing.status_code == 404


async def test_proposing_to_remove_the_only_rule_is_refused(
    user: Persona, member: Persona, circle: dict[str, Any]
) -> None:
    only = items_of(circle)[:1]
    await ok(await edit_rules(user, circle, only))
    response = await propose(member, circle, kind="remove", rule_id=only[0]["id"])
    assert "at least one" in error_of(response, 409, "last_rule")["message"]
