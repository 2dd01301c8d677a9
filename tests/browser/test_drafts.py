"""Drafts in a real browser: unsent words survive a reload or a closed tab, go once sent,
and are forgotten when the member logs out."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_chat import message, public_circle
from tests.browser.test_journey import log_in

pytestmark = pytest.mark.browser

SAVED_MS = 800  # drafts are saved a moment after typing stops


async def drafts(page: Page) -> list[str]:
    keys: list[str] = await page.evaluate(
        "Object.keys(localStorage).filter((key) => key.startsWith('circles-draft:'))"
    )
    return keys


async def test_a_reply_survives_a_reload_and_goes_once_sent(
    browsing: Browsing, seeder: Seeder
) -> None:
    rowan, sky = seeder.member("Rowan"), seeder.member("Sky")
    slug = public_circle(seeder, rowan, sky)
    thread = seeder.post(
        rowan, f"/api/v1/circles/{slug}/threads", {"title": "Night shifts", "body": "Anyone up?"}
    )
    page = await (await browsing.context()).new_page()
    await log_in(page, sky)
    await page.goto(f"/threads/{thread['id']}")
    words = "I'm up too. The quiet hours are the hardest."
    await page.get_by_label("Your reply").fill(words)
    await page.wait_for_timeout(SAVED_MS)

    await page.reload()
    await expect(page.get_by_label("Your reply")).to_have_value(words)
    await expect(page.get_by_role("status").filter(has_text="unsent words")).to_be_visible()
    await page.get_by_role("button", name="Post reply").click()
    await expect(page.get_by_text("The quiet hours are the hardest")).to_be_visible()
    await page.reload()
    await expect(page.get_by_label("Your reply")).to_have_value("")
    assert await drafts(page) == []

    # A draft kept and then discarded by choice.
    await page.get_by_label("Your reply").fill("Never mind.")
    await page.wait_for_timeout(SAVED_MS)
    await page.reload()
    await page.get_by_role("button", name="Discard them").click()
    await expect(page.get_by_label("Your reply")).to_have_value("")
    assert await drafts(page) == []
    assert browsing.problems.all() == []


async def test_a_new_thread_survives_a_closed_tab_and_logging_out_forgets_it(
    browsing: Browsing, seeder: Seeder
) -> None:
    rowan = seeder.member("Rowan")
    slug = public_circle(seeder, rowan)
    context = await browsing.context()
    page = await context.new_page()
    await log_in(page, rowan)
    await page.goto(f"/c/{slug}/new")
    await page.get_by_label("Title").fill("A year today")
    await page.get_by_label("What's on your mind?").fill("I didn't think I'd get here.")
    await page.wait_for_timeout(SAVED_MS)
    await page.close()

    again = await context.new_page()
    await again.goto(f"/c/{slug}/new")
    await expect(again.get_by_label("Title")).to_have_value("A year today")
    await expect(again.get_by_label("What's on your mind?")).to_have_value(
        "I didn't think I'd get here."
    )
    await again.get_by_role("button", name="Log out").click()
    await expect(again.get_by_role("link", name="Log in")).to_be_visible()
    assert await drafts(again) == []
    assert browsing.problems.all() == []


async def test_a_chat_line_survives_a_reload_and_goes_once_sent(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex = seeder.member("Alex")
    slug = public_circle(seeder, alex)
    page = await (await browsing.context()).new_page()
    await log_in(page, alex)
    await page.goto(f"/c/{slug}")
    await page.get_by_label("Your message").fill("Is anyone around tonight?")
    await page.wait_for_timeout(SAVED_MS)
    await page.reload()
    await expect(page.get_by_label("Your message")).to_have_value("Is anyone around tonight?")
    await page.get_by_label("Your message").press("Enter")
    await expect(message(page, "Is anyone around tonight?")).to_be_visible()
    await expect(page.locator(".chat-sending")).to_have_count(0)
    await page.reload()
    await expect(page.get_by_label("Your message")).to_have_value("")
    assert await drafts(page) == []
    assert browsing.problems.all() == []
