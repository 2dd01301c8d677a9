"""Notifications in two real browsers: a reply lights up its thread author's bell live, the
settings form turns a kind off, and a moderator's queue count follows the queue."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_crisis_loop import log_in
from tests.browser.test_moderation import create_moderator
from tests.conftest import FreshDatabase

ABUSE = "you are a fucking idiot"

pytestmark = pytest.mark.browser


async def test_a_reply_arrives_live_in_the_other_browser(
    browsing: Browsing, seeder: Seeder
) -> None:
    sam, jo = seeder.member("Sam"), seeder.member("Jo")
    slug = f"carers-{uuid.uuid4().hex[:6]}"
    circle = seeder.post(sam, "/api/v1/circles", {"slug": slug, "name": "Carers"})
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(jo, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})
    thread = seeder.post(
        sam, f"/api/v1/circles/{slug}/threads", {"title": "Night shifts", "body": "Tired."}
    )

    sams = await (await browsing.context()).new_page()
    await log_in(sams, sam.username)
    await sams.goto("/notifications")
    await expect(sams.locator("#bell")).to_have_attribute("data-live", "true")
    await expect(sams.locator("#bell-count")).to_be_hidden()

    jos = await (await browsing.context()).new_page()
    await log_in(jos, jo.username)
    await jos.goto(f"/threads/{thread['id']}")
    await jos.get_by_label("Your reply").fill("Same here. You're not alone in it.")
    await jos.get_by_role("button", name="Post reply").click()
    await expect(jos.get_by_text("You're not alone in it.")).to_be_visible()

    # Sam's open page changes without a reload: the count, and the list itself.
    await expect(sams.locator("#bell-count")).to_have_text("1")
    notice = sams.get_by_role("link", name=f"{jo.display_name} replied to your thread")
    await expect(notice).to_be_visible()
    await notice.click()
    await expect(sams.get_by_text("You're not alone in it.")).to_be_visible()

    # Sam turns replies off with the form; Jo's next reply doesn't reach the bell.
    await sams.goto("/notifications")
    await sams.get_by_label("Replies to your threads").uncheck()
    await sams.get_by_role("button", name="Save").click()
    await expect(sams.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    await expect(sams.get_by_label("Replies to your threads")).not_to_be_checked()
    await jos.get_by_label("Your reply").fill("Thinking of you tonight.")
    await jos.get_by_role("button", name="Post reply").click()
    await expect(jos.get_by_text("Thinking of you tonight.")).to_be_visible()
    await sams.reload()
    await expect(sams.get_by_role("link", name="replied to your thread")).to_have_count(1)


async def test_the_queue_count_in_the_navigation_is_live(
    browsing: Browsing, seeder: Seeder, live_database: FreshDatabase
) -> None:
    owner, member = seeder.member("Ari"), seeder.member("Kit")
    slug = f"recovery-{uuid.uuid4().hex[:6]}"
    circle = seeder.post(owner, "/api/v1/circles", {"slug": slug, "name": "Recovery"})
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(member, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})
    thread = seeder.post(
        owner, f"/api/v1/circles/{slug}/threads", {"title": "Day 30", "body": "Made it."}
    )

    moderator = create_moderator(live_database)
    page = await (await browsing.context()).new_page()
    await log_in(page, moderator.username)
    await page.goto("/")
    link = page.locator("#queue-link")
    await expect(link).to_have_attribute("data-live", "true")
    await expect(link).to_have_attribute("data-waiting", re.compile(r"^\d+$"))
    before = int(await link.get_attribute("data-waiting") or "0")

    # Held for review: the number beside "Review queue" goes up without a reload.
    seeder.post(member, f"/api/v1/threads/{thread['id']}/posts", {"body": ABUSE})
    await expect(link).to_have_attribute("data-waiting", str(before + 1))
    await expect(page.locator("#queue-count")).to_have_text(str(before + 1))
    await expect(
        page.get_by_role("link", name=f"Review queue, {before + 1} waiting")
    ).to_be_visible()
