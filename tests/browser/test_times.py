"""Timestamps in the browser: relative words, exact time on hover in the reader's zone."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Locator, expect

from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_accessibility import circle_with_content
from tests.browser.test_journey import log_in

pytestmark = pytest.mark.browser

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


async def assert_readers_time(time: Locator) -> None:
    await expect(time).to_have_attribute("datetime", ISO)
    await expect(time).to_have_text("just now")
    # The reader is in Auckland: the exact time is theirs, no longer the server's UTC.
    await expect(time).to_have_attribute("title", re.compile(r"20\d\d.*(GMT\+1[23]|NZ)"))


async def test_thread_and_chat_show_relative_times_with_the_exact_time_in_the_readers_zone(
    browsing: Browsing, seeder: Seeder
) -> None:
    owner, member = seeder.member("Tui"), seeder.member("Mere")
    slug, thread_id = circle_with_content(seeder, owner, member)
    context = await browsing.context(timezone_id="Pacific/Auckland", locale="en-NZ")
    page = await context.new_page()
    await log_in(page, member)

    await page.goto(f"/threads/{thread_id}")
    posts = page.locator(".posts time.timestamp")
    await expect(posts).to_have_count(2)
    await assert_readers_time(posts.first)

    await page.goto(f"/c/{slug}")
    await page.get_by_label("Your message").fill("Kia ora.")
    await page.get_by_label("Your message").press("Enter")
    line = page.get_by_role("log").get_by_role("listitem")
    await expect(line).to_have_count(1)
    await assert_readers_time(line.locator("time.timestamp"))
    assert browsing.problems.all() == []
