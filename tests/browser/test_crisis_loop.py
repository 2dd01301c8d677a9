"""The crisis care loop in a real browser: nobody who writes a goodbye is left alone.

A member posts a goodbye and sees support at once; a moderator hears of it live, claims
it and checks in; the member's bell lights up live; they open the conversation and reply,
and the moderator reads the reply as it arrives.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing, Member, Seeder
from tests.browser.test_moderation import create_moderator
from tests.conftest import PASSWORD, FreshDatabase

pytestmark = pytest.mark.browser

# A goodbye with no word of suicide in it: the warning signs (goodbyes said, a prized
# thing given away, a time) make it urgent.
GOODBYE = "I've said my goodbyes and given my guitar to my brother. Tonight is the night."


async def log_in(page: Page, username: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("button", name="Log out")).to_be_visible()


async def test_goodbye_post_to_check_in_reply(
    browsing: Browsing, seeder: Seeder, live_database: FreshDatabase
) -> None:
    owner, member = seeder.member("Sam"), seeder.member("Jo")
    slug = f"long-nights-{uuid.uuid4().hex[:6]}"
    circle = seeder.post(owner, "/api/v1/circles", {"slug": slug, "name": "Long nights"})
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(member, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})
    thread = seeder.post(
        owner, f"/api/v1/circles/{slug}/threads", {"title": "Checking in", "body": "How's today?"}
    )

    moderator: Member = create_moderator(live_database)
    team = await (await browsing.context()).new_page()
    await log_in(team, moderator.username)
    await team.goto("/moderation")
    await expect(team.locator("#queue-live")).to_have_attribute("data-connected", "true")

    # The member writes a goodbye, and sees support in the answer to their post.
    jo = await (await browsing.context(locale="en-US")).new_page()
    await log_in(jo, member.username)
    await jo.goto(f"/threads/{thread['id']}")
    await jo.get_by_label("Your reply").fill(GOODBYE)
    await jo.get_by_role("button", name="Post reply").click()
    support = jo.locator("#support")
    await expect(support.get_by_role("heading", name="You are not alone")).to_be_visible()
    await expect(support.get_by_text("988", exact=False).first).to_be_visible()
    bell = jo.locator("#bell")
    await expect(bell).to_have_attribute("data-live", "true")
    await expect(jo.locator("#bell-count")).to_be_hidden()

    # The moderator hears of it live, claims it and checks in.
    await expect(team.get_by_role("status").filter(has_text="new item")).to_contain_text(
        "urgent crisis"
    )
    await team.get_by_role("link", name="Refresh the queue").click()
    item = team.get_by_role("listitem").filter(has_text="Long nights").first
    await item.get_by_role("link", name="Open item").click()
    item_page = team.url
    await team.get_by_role("button", name="Claim this item").click()
    await expect(team.get_by_text("Claimed by Robin")).to_be_visible()
    words = team.get_by_label("Your message")
    await expect(words).to_contain_text("wanted to check in")
    await words.fill("Hi Jo, this is the moderators. We're here. How are you right now?")
    await team.get_by_role("button", name="Send check-in").click()
    await expect(team.get_by_text("Your check-in was sent.")).to_be_visible()

    # The member's bell lights up without a reload.
    await expect(jo.locator("#bell-count")).to_have_text("1")
    await expect(bell).to_have_class("bell bell-unread")
    await bell.click()
    notice = jo.get_by_role("link", name="The Circles moderators wrote to you", exact=False)
    await notice.click()
    await expect(jo.get_by_role("heading", name="Circles moderators", exact=True)).to_be_visible()
    await expect(jo.locator("#support").get_by_text("988", exact=False).first).to_be_visible()
    log = jo.locator('[data-chat="log"]')
    await expect(log).to_contain_text("We're here. How are you right now?")
    await expect(log).to_contain_text("Circles moderators")

    # They reply, and the moderator on the conversation page reads it as it arrives.
    await expect(team.locator('[data-chat="log"]')).to_contain_text("How are you right now?")
    await jo.get_by_label("Your message").fill("Thank you. I'm still here. It's a hard night.")
    await jo.get_by_label("Your message").press("Enter")
    await expect(log).to_contain_text("It's a hard night.")
    await expect(team.locator('[data-chat="log"]')).to_contain_text("It's a hard night.")

    # The moderator decides the item too, so the queue is left as it was found.
    await team.goto(item_page)
    await team.get_by_label("Approve").check()
    await team.get_by_role("button", name="Save decision").click()
    await expect(team).to_have_url(re.compile(r"/moderation\?decided="))
    assert browsing.problems.all() == []
