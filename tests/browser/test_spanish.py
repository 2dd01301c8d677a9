"""Circles in Spanish in a real browser: a Spanish browser is answered in Spanish, a member
can choose Spanish on the account page, and the scripts speak it too."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from forum.i18n import gettext, using
from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_chat import public_circle
from tests.browser.test_journey import log_in

pytestmark = pytest.mark.browser


def es(english: str) -> str:
    with using("es"):
        spanish = gettext(english)
    assert spanish != english, english  # the test would prove nothing otherwise
    return spanish


async def test_a_spanish_browser_is_answered_in_spanish(browsing: Browsing) -> None:
    page = await (await browsing.context(locale="es-ES")).new_page()
    await page.goto("/")
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await expect(page.get_by_role("link", name=es("Log in"), exact=True).first).to_be_visible()
    assert browsing.problems.all() == []


async def test_a_member_chooses_spanish_and_the_scripts_speak_it_too(
    browsing: Browsing, seeder: Seeder
) -> None:
    rowan = seeder.member("Rowan")
    slug = public_circle(seeder, rowan)
    page = await (await browsing.context(locale="en-GB")).new_page()
    await log_in(page, rowan)
    await page.goto("/account")
    await page.get_by_label("The language Circles speaks to you").select_option("es")
    language = page.locator("section").filter(has=page.get_by_role("heading", name="Language"))
    await language.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", name=es("Language"))).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    # A page's script words come from the page: the empty chat room says so in Spanish.
    await page.goto(f"/c/{slug}")
    await expect(page.get_by_text(es("No messages yet."))).to_be_visible()
    assert browsing.problems.all() == []
