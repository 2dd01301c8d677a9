"""Moderation pages over HTML forms: queue, item, log, health, support, admin, reports."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.db import QueryCounter
from forum.review.models import CrisisResource, ReviewItem
from tests.conftest import (
    CircleFactory,
    Database,
    Persona,
    PersonaFactory,
    ThreadFactory,
    join,
    ok,
    reply,
)
from tests.forum.test_accounts import BrowserFactory, browser, signed_in

__all__ = ["browser"]  # the fixture, shared with test_accounts

TOXIC = "you are a fucking idiot"
URGENT = "I have the pills ready. Tonight is the night."
CLOSED_DETAILS = re.compile(r'<details class="sensitive">(.*?)</details>', re.S)
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')
RESOURCE_NAME = re.compile(r'<strong class="resource-name">([^<]+)</strong>')


async def item_for(moderator: Persona, post_id: int) -> dict[str, Any]:
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    return next(i for i in queue["items"] if i["content_id"] == post_id)


async def held_reply(
    other_user: Persona, circle: dict[str, Any], thread: dict[str, Any], body: str = TOXIC
) -> dict[str, Any]:
    await join(other_user, circle)
    post = await reply(other_user, thread, body)
    assert post["status"] == "pending"
    return post


async def decide(page: Any, item_id: int, **fields: str) -> httpx.Response:
    """Submit the decision form as shown on the item page, with its version and CSRF token."""
    shown = await page.http.get(f"/moderation/items/{item_id}")
    version = VERSION_INPUT.search(shown.text)
    assert version is not None, shown.text
    data = {"version": version.group(1), "rule_id": "", "note": "", "mute_hours": "", **fields}
    return await page.submit(f"/moderation/items/{item_id}/decision", data)


async def scalar(database: Database, query: Any) -> int:
    async with database.sessions() as db:
        return int(await db.scalar(query) or 0)


# The queue


async def test_queue_shows_priority_in_words_waiting_time_and_crisis_counts(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    await held_reply(other_user, circle, thread)
    await reply(user, thread, URGENT)
    page = await signed_in(browser, moderator)
    response = await page.http.get("/moderation")
    assert response.status_code == 200
    text = response.text
    assert text.index(">Urgent crisis<") < text.index(">Held<")
    assert "Grief and loss" in text
    assert "waiting under a minute" in text
    assert "<strong>1</strong> urgent crisis" in text
    assert "Not claimed yet" in text
    assert "Your shift:</strong> 0 of 60 decisions" in text


async def test_queue_names_who_claimed_an_item(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    post = await held_reply(other_user, circle, thread)
    item = await item_for(moderator, post["id"])
    page = await signed_in(browser, moderator)
    claimed = await page.submit(f"/moderation/items/{item['id']}/claim", {})
    assert claimed.status_code == 303
    queue = await page.http.get("/moderation")
    assert "Claimed by <strong>Mod</strong>" in queue.text


async def test_queue_filters_by_reason_and_urgency(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    toxic = await held_reply(other_user, circle, thread)
    crisis = await reply(user, thread, URGENT)
    toxic_item = await item_for(moderator, toxic["id"])
    crisis_item = await item_for(moderator, crisis["id"])
    page = await signed_in(browser, moderator)
    urgent = (await page.http.get("/moderation?urgent=1")).text
    assert f'id="item-{crisis_item["id"]}"' in urgent
    assert f'id="item-{toxic_item["id"]}"' not in urgent
    hurtful = (await page.http.get("/moderation?reason=toxicity")).text
    assert f'id="item-{toxic_item["id"]}"' in hurtful
    assert f'id="item-{crisis_item["id"]}"' not in hurtful


async def test_queue_refuses_members_who_moderate_nothing(
    other_user: Persona, browser: BrowserFactory
) -> None:
    page = await signed_in(browser, other_user)
    response = await page.http.get("/moderation")
    assert response.status_code == 403
    assert "Only moderators can see the review queue." in response.text


async def test_queue_asks_visitors_to_log_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/moderation")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/moderation"


async def test_circle_owner_sees_only_their_own_circles_items(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    make_circle: CircleFactory,
    make_thread: ThreadFactory,
    browser: BrowserFactory,
) -> None:
    mine = await item_for(moderator, (await held_reply(other_user, circle, thread))["id"])
    elsewhere = await make_circle(other_user, slug="night-owls", name="Night owls")
    their_thread = await make_thread(other_user, elsewhere, title="Late nights")
    await join(user, elsewhere)
    theirs = await item_for(moderator, (await reply(user, their_thread, TOXIC))["id"])
    page = await signed_in(browser, user)
    queue = await page.http.get("/moderation")
    assert queue.status_code == 200
    assert f'id="item-{mine["id"]}"' in queue.text
    assert f'id="item-{theirs["id"]}"' not in queue.text
    assert "Night owls" not in queue.text
    assert (await page.http.get(f"/moderation/items/{theirs['id']}")).status_code == 404
    circle_page = await page.http.get("/c/grief-and-loss")
    assert "/moderation?circle=" in circle_page.text


async def test_queue_page_query_count_does_not_grow_with_items(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    database: Database,
    browser: BrowserFactory,
) -> None:
    page = await signed_in(browser, moderator)
    await held_reply(other_user, circle, thread)
    await page.http.get("/moderation")  # warm: whatever is cached per member stays cached
    with QueryCounter(database.engine) as few:
        assert (await page.http.get("/moderation")).status_code == 200
    for n in range(4):
        await reply(other_user, thread, f"{TOXIC} number {n}")
    await reply(user, thread, URGENT)
    with QueryCounter(database.engine) as many:
        assert (await page.http.get("/moderation")).status_code == 200
    assert many.count == few.count <= 8


# One item


async def test_sensitive_content_stays_in_closed_details_until_revealed(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    post = await held_reply(other_user, circle, thread)
    item = await item_for(moderator, post["id"])
    assert item["sensitive"]
    page = await signed_in(browser, moderator)
    shown = (await page.http.get(f"/moderation/items/{item['id']}")).text
    hidden = CLOSED_DETAILS.findall(shown)
    assert len(hidden) == 1
    assert "Sensitive — show" in hidden[0]
    assert TOXIC in hidden[0]
    assert shown.count(TOXIC) == 1
    queue = (await page.http.get("/moderation")).text
    # The reason names the attack and its target ("an insult aimed at someone in the
    # conversation"), where it used to say only "may be hurtful to others".
    assert any("may read as an insult" in block for block in CLOSED_DETAILS.findall(queue))


async def test_item_page_shows_thread_context_reasons_scores_and_rules(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    post = await held_reply(other_user, circle, thread)
    await reply(user, thread, "Thank you all for being here.")
    item = await item_for(moderator, post["id"])
    page = await signed_in(browser, moderator)
    shown = html.unescape((await page.http.get(f"/moderation/items/{item['id']}")).text)
    assert "Just before" in shown and "Hello, <em>everyone</em>." in shown
    assert "Just after" in shown and "Thank you all for being here." in shown
    assert "May be hurtful:" in shown
    assert "Classifier scores" in shown
    assert "Listen without judging" in shown  # a ground rule to cite
    assert "Nobody has claimed this yet." in shown


async def test_decision_form_approves_a_held_post_and_logs_it(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    client: httpx.AsyncClient,
    browser: BrowserFactory,
) -> None:
    post = await held_reply(other_user, circle, thread)
    item = await item_for(moderator, post["id"])
    page = await signed_in(browser, moderator)
    assert (await page.submit(f"/moderation/items/{item['id']}/claim", {})).status_code == 303
    decided = await decide(page, item["id"], action="approve", note="Heated, but allowed.")
    assert decided.status_code == 303, decided.text
    assert decided.headers["location"] == f"/moderation?decided={item['id']}"
    public = await ok(await client.get(f"/api/v1/threads/{thread['id']}"))
    assert post["id"] in [p["id"] for p in public["posts"]]
    log = (await page.http.get("/moderation/log")).text
    assert "Approved" in log and "Heated, but allowed." in log
    queue = (await page.http.get(decided.headers["location"])).text
    assert f'id="item-{item["id"]}"' not in queue
    assert "Decision saved" in queue


async def test_decision_form_without_csrf_token_changes_nothing(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    database: Database,
    browser: BrowserFactory,
) -> None:
    post = await held_reply(other_user, circle, thread)
    item = await item_for(moderator, post["id"])
    page = await signed_in(browser, moderator)
    response = await page.http.post(
        f"/moderation/items/{item['id']}/decision", data={"action": "approve"}
    )
    assert response.status_code == 403
    still_open = select(func.count()).where(
        ReviewItem.id == item["id"], ReviewItem.status == "open"
    )
    assert await scalar(database, still_open) == 1


async def test_reject_without_a_rule_shows_the_item_again_with_the_problem(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    post = await held_reply(other_user, circle, thread)
    item = await item_for(moderator, post["id"])
    page = await signed_in(browser, moderator)
    response = await decide(page, item["id"], action="reject")
    assert response.status_code == 422
    assert "Please choose the ground rule this breaks" in response.text
    assert 'action="/moderation/items/{}/decision"'.format(item["id"]) in response.text
    assert (await item_for(moderator, post["id"]))["status"] == "open"


async def test_second_decision_on_a_decided_item_gets_a_clear_409_page(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    make_persona: PersonaFactory,
    browser: BrowserFactory,
) -> None:
    second = await make_persona("sam", role=Role.MODERATOR, display_name="Sam")
    post = await held_reply(other_user, circle, thread)
    item = await item_for(moderator, post["id"])
    first_page, second_page = await signed_in(browser, moderator), await signed_in(browser, second)
    stale = await second_page.http.get(f"/moderation/items/{item['id']}")
    assert (await decide(first_page, item["id"], action="approve")).status_code == 303
    version = VERSION_INPUT.search(stale.text)
    assert version is not None
    late = await second_page.submit(
        f"/moderation/items/{item['id']}/decision",
        {"action": "approve", "version": version.group(1)},
    )
    assert late.status_code == 409
    assert "Mod has already decided this item" in late.text


async def test_rejection_shows_its_author_the_rule_and_note(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    rule = next(r for r in circle["rules"]["items"] if r["title"] == "Listen without judging")
    post = await held_reply(other_user, circle, thread)
    item = await item_for(moderator, post["id"])
    page = await signed_in(browser, moderator)
    rejected = await decide(
        page, item["id"], action="reject", rule_id=str(rule["id"]), note="Please speak kindly."
    )
    assert rejected.status_code == 303, rejected.text
    author = await signed_in(browser, other_user)
    mine = html.unescape((await author.http.get("/account/moderation")).text)
    assert "Not published" in mine
    assert "Listen without judging" in mine and rule["text"] in mine
    assert "Please speak kindly." in mine
    assert "/account/moderation" in (await author.http.get("/account")).text


async def test_mute_form_pauses_the_author(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    post = await held_reply(other_user, circle, thread)
    item = await item_for(moderator, post["id"])
    page = await signed_in(browser, moderator)
    muted = await decide(page, item["id"], action="mute", mute_hours="2", note="Cool off.")
    assert muted.status_code == 303, muted.text
    refused = await other_user.api.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": "hello again"}
    )
    assert refused.status_code == 403
    assert "muted for 2 hours" in (await page.http.get("/moderation/log")).text


# Queue health


async def test_health_page_draws_items_per_day_and_wait_times(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    post = await held_reply(other_user, circle, thread)
    await reply(user, thread, URGENT)
    page = await signed_in(browser, moderator)
    await decide(page, (await item_for(moderator, post["id"]))["id"], action="approve")
    shown = (await page.http.get("/moderation/health")).text
    assert shown.count('class="bar bar-crisis"') == 14
    assert "2 items, 1 about crisis</title>" in shown
    assert "2 items in the last 14 days, 1 of them about crisis" in shown
    assert re.search(r"Everything else</th><td>1</td><td>under a minute</td>", shown)
    assert re.search(r"Crisis items</th><td>0</td><td>—</td>", shown)
    assert "style=" not in shown  # CSP: style-src 'self'


# Crisis support


async def test_support_page_lists_samaritans_first_for_a_british_browser(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/support", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert response.status_code == 200
    names = RESOURCE_NAME.findall(response.text)
    assert names[0] == "Samaritans"
    assert "988 Suicide &amp; Crisis Lifeline" in names  # every region follows


async def test_support_page_follows_the_members_region_setting(
    user: Persona, browser: BrowserFactory
) -> None:
    page = await signed_in(browser, user)
    saved = await page.submit("/account/region", {"region": "AU"})
    assert saved.status_code == 303
    response = await page.http.get("/support", headers={"Accept-Language": "en-GB"})
    assert RESOURCE_NAME.findall(response.text)[0] == "Lifeline"


async def test_every_page_links_to_support_in_the_footer(
    client: httpx.AsyncClient, thread: dict[str, Any]
) -> None:
    for path in ("/", "/login", f"/threads/{thread['id']}", "/no-such-page"):
        response = await client.get(path)
        footer = response.text.split('<footer class="site-footer">', 1)[1]
        assert 'href="/support"' in footer, path


async def test_review_queue_link_only_for_staff(
    moderator: Persona, other_user: Persona, browser: BrowserFactory
) -> None:
    staff = await signed_in(browser, moderator)
    member = await signed_in(browser, other_user)
    staff_page = (await staff.http.get("/")).text
    assert 'href="/moderation" id="queue-link">Review queue' in staff_page
    assert "/static/js/queue_count.js" in staff_page
    member_page = (await member.http.get("/")).text
    assert "Review queue" not in member_page and "queue_count.js" not in member_page


# Admin


async def test_admin_sees_the_model_and_adds_and_deletes_a_resource(
    admin: Persona, database: Database, browser: BrowserFactory
) -> None:
    page = await signed_in(browser, admin)
    shown = await page.http.get("/admin")
    assert shown.status_code == 200
    assert 'id="model-name">' in shown.text and "pipeline 1" in shown.text
    added = await page.submit(
        "/admin/resources",
        {"region": "nz", "name": "Need to Talk? 1737", "phone": "1737", "position": "1"},
    )
    assert added.status_code == 303, added.text
    named = select(CrisisResource.id).where(CrisisResource.name == "Need to Talk? 1737")
    resource_id = await scalar(database, named)
    assert resource_id
    assert "Need to Talk? 1737" in (await page.http.get("/support")).text
    deleted = await page.submit(f"/admin/resources/{resource_id}/delete", {})
    assert deleted.status_code == 303
    assert await scalar(database, named) == 0


async def test_admin_form_explains_a_bad_resource_and_keeps_the_draft(
    admin: Persona, database: Database, browser: BrowserFactory
) -> None:
    before = await scalar(database, select(func.count()).select_from(CrisisResource))
    page = await signed_in(browser, admin)
    response = await page.submit("/admin/resources", {"region": "GB", "name": "Only a name"})
    assert response.status_code == 422
    assert "Give at least a phone number" in response.text
    assert 'value="Only a name"' in response.text
    assert await scalar(database, select(func.count()).select_from(CrisisResource)) == before


async def test_non_admins_cannot_see_admin_or_change_resources(
    moderator: Persona, database: Database, browser: BrowserFactory
) -> None:
    before = await scalar(database, select(func.count()).select_from(CrisisResource))
    page = await signed_in(browser, moderator)
    assert (await page.http.get("/admin")).status_code == 403
    added = await page.submit("/admin/resources", {"region": "GB", "name": "X", "phone": "1"})
    assert added.status_code == 403
    first = await scalar(database, select(func.min(CrisisResource.id)))
    assert (await page.submit(f"/admin/resources/{first}/delete", {})).status_code == 403
    assert await scalar(database, select(func.count()).select_from(CrisisResource)) == before


# Reports


async def test_report_form_queues_the_post_and_thanks_the_reporter(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    await join(other_user, circle)
    post_id = thread["post"]["id"]
    rule = circle["rules"]["items"][0]
    page = await signed_in(browser, other_user)
    shown = (await page.http.get(f"/threads/{thread['id']}")).text
    assert f'href="/posts/{post_id}/report"' in shown
    form = (await page.http.get(f"/posts/{post_id}/report")).text
    assert f'action="/posts/{post_id}/report"' in form
    assert f'<option value="{rule["id"]}">' in form
    reported = await page.submit(
        f"/posts/{post_id}/report", {"reason": "This shares a name.", "rule_id": str(rule["id"])}
    )
    assert reported.status_code == 303, reported.text
    assert reported.headers["location"] == f"/threads/{thread['id']}?reported=1#post-{post_id}"
    thanked = await page.http.get(reported.headers["location"])
    assert "Thank you for telling us" in thanked.text
    item = await item_for(moderator, post_id)
    assert item["reasons"][-1] == {
        "kind": "report",
        "message": "Reported: This shares a name.",
        "template": "Reported: %(reason)s",
        "values": {"reason": "This shares a name."},
        "rule_id": rule["id"],
        "rules_version": 1,
    }
    owner = await signed_in(browser, user)
    own_post = (await owner.http.get(f"/threads/{thread['id']}")).text
    assert f'href="/posts/{post_id}/report"' not in own_post  # nobody reports themselves


async def test_empty_report_is_refused_with_a_message(
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    database: Database,
    browser: BrowserFactory,
) -> None:
    page = await signed_in(browser, other_user)
    response = await page.submit(f"/posts/{thread['post']['id']}/report", {"reason": "  "})
    assert response.status_code == 422
    assert "Please say what's wrong, or choose a ground rule." in html.unescape(response.text)
    assert await scalar(database, select(func.count()).select_from(ReviewItem)) == 0
