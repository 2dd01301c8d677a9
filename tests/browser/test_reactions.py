"""Supportive reactions in real browsers: a post's buttons answer in place, the author sees
who reacted, and a reaction in chat reaches the other member's open page live."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_chat import both_here, message, open_chat, public_circle, say
from tests.browser.test_journey import log_in

pytestmark = pytest.mark.browser


async def test_a_reaction_on_a_post_answers_in_place_and_its_author_sees_who(
    browsing: Browsing, seeder: Seeder
) -> None:
    rowan, sky = seeder.member("Rowan"), seeder.member("Sky")
    slug = public_circle(seeder, rowan, sky)
    thread = seeder.post(
        rowan, f"/api/v1/circles/{slug}/threads", {"title": "Six months on", "body": "Still here."}
    )

    page = await (await browsing.context()).new_page()
    await log_in(page, sky)
    await page.goto(f"/threads/{thread['id']}")
    await page.evaluate("window.notReloaded = true")
    reactions = page.get_by_role("form", name="Reactions")
    button = reactions.get_by_role("button", name="With you")
    await expect(button).to_have_attribute("aria-pressed", "false")
    await button.click()
    await expect(button).to_have_attribute("aria-pressed", "true")
    await expect(button.locator(".reaction-count")).to_have_text("1")
    assert await page.evaluate("window.notReloaded") is True  # answered without a reload
    await button.click()  # and taken back the same way
    await expect(button).to_have_attribute("aria-pressed", "false")
    await expect(button.locator(".reaction-count")).to_have_text("")
    await reactions.get_by_role("button", name="Sending strength").click()
    await expect(reactions.get_by_role("button", name="Sending strength")).to_have_attribute(
        "aria-pressed", "true"
    )

    author = await (await browsing.context()).new_page()
    await log_in(author, rowan)
    await author.goto(f"/threads/{thread['id']}")
    await expect(author.get_by_role("form", name="Reactions")).to_have_count(0)
    await author.get_by_role("link", name="Who reacted").click()
    await expect(author.get_by_role("listitem")).to_contain_text(
        [f"Sending strength: {sky.display_name}"]
    )
    assert browsing.problems.all() == []


async def test_a_reaction_in_chat_reaches_the_other_page_live(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex, blake = seeder.member("Alex"), seeder.member("Blake")
    slug = public_circle(seeder, alex, blake)
    a = await open_chat(browsing, alex, slug)
    b = await open_chat(browsing, blake, slug)
    await both_here(a, b, alex.display_name, blake.display_name)

    await say(a, "First anniversary today.")
    await message(b, "First anniversary today").get_by_role("button", name="Me too").click()
    mine = message(b, "First anniversary today").get_by_role("button", name="Me too")
    await expect(mine).to_have_attribute("aria-pressed", "true")
    # Alex's page hears the count live, with no reload.
    own = message(a, "First anniversary today").locator(".reactions-own")
    await expect(own.get_by_role("button")).to_have_count(0)  # no reacting to your own
    await expect(own.locator(".reaction:not([hidden])")).to_have_text(["🫂 Me too 1"])
    await a.reload()
    own = message(a, "First anniversary today").locator(".reactions-own")
    await expect(own.locator(".reaction:not([hidden])")).to_have_text(["🫂 Me too 1"])
    assert browsing.problems.all() == []
