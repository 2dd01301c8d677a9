"""Mention suggestions in a real browser: "@" and part of a name offers the circle's
members; the keyboard chooses one, and the reply that goes up tells them."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_chat import public_circle
from tests.browser.test_journey import log_in

pytestmark = pytest.mark.browser


async def test_typing_at_and_a_name_offers_the_circles_members_and_enter_chooses(
    browsing: Browsing, seeder: Seeder
) -> None:
    rowan, sky, robin = seeder.member("Rowan"), seeder.member("Sky"), seeder.member("Robin")
    outsider = seeder.member("Robert")  # no circle with Sky: never offered
    slug = public_circle(seeder, rowan, sky, robin)
    public_circle(seeder, outsider, rowan)
    thread = seeder.post(
        rowan, f"/api/v1/circles/{slug}/threads", {"title": "Night shifts", "body": "Anyone up?"}
    )
    page = await (await browsing.context()).new_page()
    await log_in(page, sky)
    await page.goto(f"/threads/{thread['id']}")
    field = page.get_by_label("Your reply")
    await field.press_sequentially("Thank you @Ro")
    options = page.get_by_role("listbox", name="Members of this circle").get_by_role("option")
    # Alphabetical among those whose names start with what was typed.
    await expect(options).to_have_text([robin.display_name, rowan.display_name], timeout=5000)
    await field.press("ArrowDown")
    await expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    await field.press("ArrowDown")  # round to the first again
    await expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    await field.press("Enter")  # chooses; does not send
    await expect(field).to_have_value(f"Thank you @{robin.display_name} ")
    await expect(options).to_have_count(0)
    await field.press_sequentially("for listening.")
    await page.get_by_role("button", name="Post reply").click()
    await expect(page.get_by_text("for listening.")).to_be_visible()
    told = seeder.http.get(
        "/api/v1/me/notifications", headers={"Authorization": f"Bearer {robin.token}"}
    ).json()["items"]
    assert [notice["kind"] for notice in told] == ["mention"]
    assert browsing.problems.all() == []
