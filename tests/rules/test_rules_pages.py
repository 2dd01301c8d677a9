"""The rules pages over HTML forms: what changed, proposals, stances, ratifying, editing."""

from __future__ import annotations

import html
import re
from typing import Any

from forum.db import QueryCounter
from tests.conftest import Persona, ThreadFactory, join, ok
from tests.forum.test_accounts import FORM_ERROR, BrowserFactory, browser, signed_in
from tests.forum.test_pages import assert_strict_page
from tests.forum.test_query_counts import data_statements
from tests.rules.helpers import edit_rules, items_of, proposals_of, proposed, rules_of, take_stance

__all__ = ["browser"]  # the fixture, shared with test_accounts

NEW_RULE = {
    "kind": "add",
    "title": "Name the feeling",
    "text": "Say how you feel, not who's wrong.",
}


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


async def three_kinds_of_change(owner: Persona, circle: dict[str, Any]) -> list[dict[str, Any]]:
    items = items_of(circle)
    items[0]["text"] = "What is shared here stays here, always."
    edited = [*items[:5], {"title": "Take breaks", "text": "Step away whenever you need."}]
    await ok(await edit_rules(owner, circle, edited))
    return items


async def test_circle_page_shows_current_rules_and_what_changed_in_the_latest_version(
    browser: BrowserFactory, member: Persona, user: Persona, circle: dict[str, Any]
) -> None:
    items = await three_kinds_of_change(user, circle)
    page = await signed_in(browser, member)
    response = await page.http.get(f"/c/{circle['slug']}")
    assert_strict_page(response)
    shown = text_of(response.text)
    assert "Ground rules version 2" in shown
    assert "What changed in version 2" in shown
    assert "Added Take breaks" in shown
    assert f"Changed {items[0]['title']}" in shown
    assert "Now: What is shared here stays here, always." in shown
    assert f"Removed {circle['rules']['items'][5]['title']}" in shown


async def test_circle_page_of_the_first_version_lists_no_changes(
    client: Any, circle: dict[str, Any]
) -> None:
    response = await client.get(f"/c/{circle['slug']}")
    assert "What changed in version" not in response.text
    assert f'href="/c/{circle["slug"]}/rules"' in response.text


async def test_member_is_asked_to_accept_new_rules_with_one_click(
    browser: BrowserFactory,
    member: Persona,
    user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await three_kinds_of_change(user, circle)
    page = await signed_in(browser, member)
    shown = (await page.http.get(f"/c/{circle['slug']}")).text
    assert "This circle's ground rules have changed" in shown
    assert 'name="accept_rules_version" value="2"' in shown
    thread_page = text_of((await page.http.get(f"/threads/{thread['id']}")).text)
    assert "accept version 2" in thread_page
    accepted = await page.submit(
        f"/c/{circle['slug']}/join", {"accept_rules_version": "2"}, f"/c/{circle['slug']}"
    )
    assert accepted.status_code == 303
    after = (await page.http.get(f"/c/{circle['slug']}")).text
    assert "This circle's ground rules have changed" not in after
    assert "Start a conversation" in after


async def test_rules_page_shows_every_version_and_earlier_ones_on_request(
    client: Any, user: Persona, circle: dict[str, Any]
) -> None:
    await three_kinds_of_change(user, circle)
    current = await client.get(f"/c/{circle['slug']}/rules")
    assert_strict_page(current)
    shown = text_of(current.text)
    assert "Version 2 (current)" in shown and "Take breaks" in shown
    assert "Version 1" in shown and "?version=1" in current.text
    assert "Log in to take part" in shown
    older = (await client.get(f"/c/{circle['slug']}/rules?version=1")).text
    assert "This is an earlier version" in text_of(older)
    listed = text_of(older.split('<ol class="rule-list">')[1].split("</ol>")[0])
    assert circle["rules"]["items"][5]["title"] in listed and "Take breaks" not in listed
    missing = await client.get(f"/c/{circle['slug']}/rules?version=9")
    assert missing.status_code == 404


async def test_member_proposes_endorses_and_owner_ratifies_through_the_pages(
    browser: BrowserFactory, member: Persona, user: Persona, circle: dict[str, Any]
) -> None:
    rules_url = f"/c/{circle['slug']}/rules"
    mine = await signed_in(browser, member)
    response = await mine.http.get(rules_url)
    assert_strict_page(response)
    assert "Propose a new rule" in response.text
    made = await mine.submit(
        f"{rules_url}/proposals", {**NEW_RULE, "rationale": "Arguments keep starting."}, rules_url
    )
    assert made.status_code == 303, made.text
    proposal = (await proposals_of(member, circle))[0]
    assert made.headers["location"].endswith(f"#proposal-{proposal['id']}")
    endorsed = await mine.submit(
        f"/rules/proposals/{proposal['id']}/endorse",
        {"stance": "endorse", "comment": "I hope this helps."},
        rules_url,
    )
    assert endorsed.status_code == 303

    owner = await signed_in(browser, user)
    seen = await owner.http.get(rules_url)
    assert_strict_page(seen)
    shown = text_of(seen.text)
    assert "1 member endorses" in shown and "0 object" in shown
    assert "Blake endorses: “I hope this helps.”" in shown
    assert "Ratify as version 2" in shown
    ratified = await owner.submit(
        f"/rules/proposals/{proposal['id']}/ratify", {"summary": ""}, rules_url
    )
    assert ratified.status_code == 303
    assert (await rules_of(owner.http, circle))["items"][-1]["title"] == NEW_RULE["title"]
    circle_page = text_of((await owner.http.get(f"/c/{circle['slug']}")).text)
    assert "What changed in version 2" in circle_page
    assert f"Added {NEW_RULE['title']}" in circle_page


async def test_members_do_not_see_others_comments(
    browser: BrowserFactory, member: Persona, user: Persona, circle: dict[str, Any]
) -> None:
    proposal = await proposed(member, circle, **NEW_RULE)
    await ok(await take_stance(user, proposal, "object", "The owner's private thought"))
    page = await signed_in(browser, member)
    shown = text_of((await page.http.get(f"/c/{circle['slug']}/rules")).text)
    assert "1 object" in shown
    assert "The owner's private thought" not in shown
    assert "Ratify as version" not in shown


async def test_a_refused_proposal_form_shows_the_problem_and_keeps_the_words(
    browser: BrowserFactory, member: Persona, circle: dict[str, Any]
) -> None:
    rules_url = f"/c/{circle['slug']}/rules"
    page = await signed_in(browser, member)
    response = await page.submit(
        f"{rules_url}/proposals", {**NEW_RULE, "rationale": "   "}, rules_url
    )
    assert response.status_code == 422
    error = FORM_ERROR.search(response.text)
    assert error is not None and "say why" in html.unescape(error.group(1))
    assert NEW_RULE["text"] in html.unescape(response.text)
    assert await proposals_of(member, circle) == []


async def test_owner_declines_through_the_page_and_needs_a_reason(
    browser: BrowserFactory, member: Persona, user: Persona, circle: dict[str, Any]
) -> None:
    proposal = await proposed(member, circle, **NEW_RULE)
    rules_url = f"/c/{circle['slug']}/rules"
    owner = await signed_in(browser, user)
    url = f"/rules/proposals/{proposal['id']}/decline"
    refused = await owner.submit(url, {"reason": ""}, rules_url)
    assert refused.status_code == 422
    assert (await proposals_of(user, circle))[0]["status"] == "open"
    declined = await owner.submit(url, {"reason": "Rule 2 covers it."}, rules_url)
    assert declined.status_code == 303
    page = await signed_in(browser, member)
    shown = text_of((await page.http.get(rules_url)).text)
    assert "Declined by Alex: Rule 2 covers it." in shown


async def test_owner_edits_the_rules_on_the_edit_page(
    browser: BrowserFactory, user: Persona, circle: dict[str, Any]
) -> None:
    owner = await signed_in(browser, user)
    edit_url = f"/c/{circle['slug']}/rules/edit"
    form = await owner.http.get(edit_url)
    assert_strict_page(form)
    items = circle["rules"]["items"]
    data: dict[str, str] = {}
    for n, item in enumerate(items):
        data |= {
            f"rule-{n}-id": str(item["id"]),
            f"rule-{n}-title": item["title"],
            f"rule-{n}-text": item["text"],
            f"rule-{n}-position": str(n + 1),
        }
    data |= {"rule-0-position": "9", "rule-5-remove": "1"}
    data |= {"rule-6-title": "Be on time", "rule-6-text": "Sessions start on the hour."}
    data |= {"rule-6-position": "3", "summary": "Moved confidentiality down."}
    saved = await owner.submit(edit_url, data, edit_url)
    assert saved.status_code == 303, saved.text
    rules = await rules_of(owner.http, circle)
    assert rules["version"] == 2 and rules["summary"] == "Moved confidentiality down."
    titles = [i["title"] for i in rules["items"]]
    assert titles == [
        items[1]["title"],
        items[2]["title"],
        "Be on time",
        items[3]["title"],
        items[4]["title"],
        items[0]["title"],
    ]


async def test_edit_page_refusal_keeps_the_owners_words(
    browser: BrowserFactory, user: Persona, circle: dict[str, Any]
) -> None:
    owner = await signed_in(browser, user)
    edit_url = f"/c/{circle['slug']}/rules/edit"
    item = circle["rules"]["items"][0]
    data = {"rule-0-id": str(item["id"]), "rule-0-title": "", "rule-0-text": "Kept words."}
    response = await owner.submit(edit_url, data, edit_url)
    assert response.status_code == 422
    assert "Rule 1: Please give the rule a short title." in html.unescape(response.text)
    assert "Kept words." in response.text
    assert (await rules_of(owner.http, circle))["version"] == 1


async def test_only_owners_open_the_edit_page(
    browser: BrowserFactory, member: Persona, circle: dict[str, Any]
) -> None:
    page = await signed_in(browser, member)
    assert (await page.http.get(f"/c/{circle['slug']}/rules/edit")).status_code == 403


async def test_moderators_decision_form_cites_the_current_version(
    browser: BrowserFactory,
    moderator: Persona,
    member: Persona,
    user: Persona,
    circle: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    await three_kinds_of_change(user, circle)
    await ok(
        await member.api.post(
            f"/api/v1/circles/{circle['slug']}/join", json={"accept_rules_version": 2}
        )
    )
    made = await make_thread(member, circle, title="Reported thread")
    await ok(
        await user.api.post(
            "/api/v1/reports",
            json={"content_type": "thread", "content_id": made["id"], "reason": "Check this"},
        ),
        201,
    )
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    item = next(i for i in queue["items"] if i["content_id"] == made["post"]["id"])
    page = await signed_in(browser, moderator)
    shown = (await page.http.get(f"/moderation/items/{item['id']}")).text
    assert 'name="rules_version" value="2"' in shown
    first = circle["rules"]["items"][0]
    assert f'<option value="{first["id"]}">' in shown
    assert circle["rules"]["items"][5]["title"] not in shown  # removed in version 2


async def test_rules_page_and_proposals_list_do_not_grow_with_proposals(
    app: Any,
    browser: BrowserFactory,
    database: Any,
    user: Persona,
    member: Persona,
    make_persona: Any,
    circle: dict[str, Any],
) -> None:
    owner = await signed_in(browser, user)
    url = f"/c/{circle['slug']}/rules"
    api = f"/api/v1/circles/{circle['slug']}/rules/proposals"

    async def statements(http: Any, path: str) -> int:
        await http.get(path)
        with QueryCounter(database.engine) as counter:
            assert (await http.get(path)).status_code == 200
        return len(data_statements(counter))

    await proposed(member, circle, **NEW_RULE)
    few = (await statements(owner.http, url), await statements(user.api, api))
    for n in range(3):
        voter = await make_persona(f"voter-{n}")
        await join(voter, circle)
        made = await proposed(voter, circle, kind="add", title=f"Idea {n}", text="Text.")
        await ok(await take_stance(member, made, "endorse", "Yes"))
        await ok(await take_stance(voter, made, "object"))
    assert (await statements(owner.http, url), await statements(user.api, api)) == few
