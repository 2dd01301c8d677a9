"""A circle page's conversations, live chat and ground rules are all reachable from the
first screen, on a wide screen and on a phone."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_chat import public_circle
from tests.browser.test_journey import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(1280, 800), (375, 700)], ids=["1280px", "375px"])
async def test_threads_chat_and_rules_are_a_tap_away_from_the_first_screen(
    browsing: Browsing, seeder: Seeder, size: tuple[int, int]
) -> None:
    owner = seeder.member("Rowan")
    slug = public_circle(seeder, owner)
    for n in range(4):  # as many as the posting limit allows at once
        seeder.post(
            owner, f"/api/v1/circles/{slug}/threads", {"title": f"Week {n + 1}", "body": "Notes."}
        )
    width, height = size
    page = await (await browsing.context(viewport={"width": width, "height": height})).new_page()
    await log_in(page, owner)
    await page.goto(f"/c/{slug}")
    sections = page.get_by_role("navigation", name="In this circle")
    for name, target in (
        ("Live chat", "Live chat"),
        ("Conversations", "Conversations"),
        ("Ground rules", "Ground rules"),
    ):
        link = sections.get_by_role("link", name=name)
        await expect(link).to_be_in_viewport()
        await link.click()
        await expect(page.get_by_role("heading", name=target, level=2)).to_be_in_viewport()
        await page.evaluate("window.scrollTo(0, 0)")
    assert browsing.problems.all() == []
