"""The first-run page in a real browser: a newcomer registers, chooses a circle after
reading its rules, sets where they are, and arrives in the circle as a member."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_chat import public_circle
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


async def test_a_newcomer_chooses_a_circle_and_their_region_then_arrives_as_a_member(
    browsing: Browsing, seeder: Seeder
) -> None:
    owner = seeder.member("Rowan")
    slug = public_circle(seeder, owner)
    page = await (await browsing.context()).new_page()
    await page.goto("/register")
    name = f"Noor {uuid.uuid4().hex[:4].upper()}"
    await page.get_by_label("Username").fill(f"noor-{uuid.uuid4().hex[:6]}")
    await page.get_by_label("Display name").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create my account").click()

    await expect(page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
    await page.get_by_text("Its ground rules (version 1)").first.click()
    await page.get_by_role("checkbox", name=slug).check()
    await page.get_by_label("Country for crisis support lines").select_option("US")
    await page.get_by_role("radio", name="Members of a circle I'm in").check()
    await page.get_by_role("button", name="Save and continue").click()

    await expect(page).to_have_url(f"/c/{slug}?joined=1")
    await expect(page.get_by_label("Your message")).to_be_visible()  # in, and may chat
    await page.goto("/account")
    await expect(page.get_by_label("Country for crisis support lines")).to_have_value("US")
    assert browsing.problems.all() == []
