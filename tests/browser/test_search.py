"""Search in a real browser: from the navigation, marked matches, and a private circle's
words never shown to someone outside it."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_journey import log_in

pytestmark = pytest.mark.browser


async def test_search_finds_public_words_and_never_a_private_circles(
    browsing: Browsing, seeder: Seeder
) -> None:
    owner, outsider = seeder.member("Rowan"), seeder.member("Sky")
    word = f"lantern{uuid.uuid4().hex[:6]}"  # found only in this test's posts
    public, private = f"open-{uuid.uuid4().hex[:6]}", f"closed-{uuid.uuid4().hex[:6]}"
    seeder.post(owner, "/api/v1/circles", {"slug": public, "name": "Open evenings"})
    seeder.post(
        owner, "/api/v1/circles", {"slug": private, "name": "Closed room", "visibility": "private"}
    )
    seeder.post(
        owner,
        f"/api/v1/circles/{public}/threads",
        {"title": "Evening walks", "body": f"We carried a {word} down to the river."},
    )
    seeder.post(
        owner,
        f"/api/v1/circles/{private}/threads",
        {"title": f"Only us: {word}", "body": f"A private {word} story."},
    )

    page = await (await browsing.context()).new_page()
    await log_in(page, outsider)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    await page.get_by_role("searchbox").fill(word)
    await page.get_by_role("button", name="Search").click()
    results = page.locator(".search-result")
    await expect(results).to_have_count(1)
    await expect(results.first.locator("mark")).to_have_text(word)
    await expect(results.first).to_contain_text("Open evenings")
    await expect(page.get_by_text("Only us")).to_have_count(0)
    await expect(page.get_by_text("private " + word)).to_have_count(0)

    # The owner, a member of both, finds all three: the post, and the private title and post.
    mine = await (await browsing.context()).new_page()
    await log_in(mine, owner)
    await mine.goto(f"/search?q={word}")
    await expect(mine.locator(".search-result")).to_have_count(3)
    await mine.locator(".search-result a", has_text="Evening walks").click()
    await expect(mine.get_by_text("down to the river")).to_be_visible()
    assert browsing.problems.all() == []
