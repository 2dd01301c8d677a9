"""axe-core in Chromium on every main page: no serious or critical violation.

axe-core's JavaScript comes inside the axe-playwright-python wheel (nothing is fetched).
Pages are opened as a visitor, a member with content to show, and a moderator, at a
desktop and a phone width.
"""

from __future__ import annotations

import uuid

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing, Member, Seeder
from tests.browser.test_journey import log_in
from tests.browser.test_moderation import create_moderator
from tests.conftest import FreshDatabase

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}


async def serious_violations(page: Page, path: str) -> list[str]:
    response = await page.goto(path)
    assert response is not None and response.status == 200, path
    return await serious_violations_here(page, path)


async def serious_violations_here(page: Page, path: str) -> list[str]:
    results = await Axe().run(page)
    return [
        f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


def circle_with_content(seeder: Seeder, owner: Member, member: Member) -> tuple[str, int]:
    slug = f"a11y-{uuid.uuid4().hex[:8]}"
    circle = seeder.post(owner, "/api/v1/circles", {"slug": slug, "name": "Carers"})
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(member, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})
    thread = seeder.post(
        owner, f"/api/v1/circles/{slug}/threads", {"title": "This week", "body": "How are you?"}
    )
    seeder.post(member, f"/api/v1/threads/{thread['id']}/posts", {"body": "Tired, but *here*."})
    return slug, int(str(thread["id"]))


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
async def test_main_pages_have_no_serious_accessibility_violations(
    browsing: Browsing, seeder: Seeder, live_database: FreshDatabase, size: str
) -> None:
    owner, member = seeder.member("Sam"), seeder.member("Lee")
    slug, thread_id = circle_with_content(seeder, owner, member)
    found: list[str] = []

    visitor = await (await browsing.context(viewport=SIZES[size])).new_page()
    for path in ["/", "/login", "/register", f"/c/{slug}", f"/threads/{thread_id}"]:
        found += await serious_violations(visitor, path)

    page = await (await browsing.context(viewport=SIZES[size])).new_page()
    await log_in(page, member)
    await page.goto(f"/c/{slug}")
    # The chat panel is drawn by chat.js: check it with a message in its log.
    await page.get_by_label("Your message").fill("Evening all.")
    await page.get_by_label("Your message").press("Enter")
    await expect(page.get_by_role("log").get_by_role("listitem")).to_have_count(1)
    found += await serious_violations_here(page, f"/c/{slug} with a chat message")
    for path in [
        "/",
        f"/threads/{thread_id}",
        f"/c/{slug}/rules",
        f"/c/{slug}/new",
        "/account",
        "/messages",
        "/notifications",
        "/me/safety-plan",
        "/support",
    ]:
        found += await serious_violations(page, path)

    # The owner's view of the members page carries the remove and ban forms.
    owning = await (await browsing.context(viewport=SIZES[size])).new_page()
    await log_in(owning, owner)
    found += await serious_violations(owning, f"/c/{slug}/members")

    moderator = create_moderator(live_database)
    staff = await (await browsing.context(viewport=SIZES[size])).new_page()
    await log_in(staff, moderator)
    for path in ["/moderation", "/moderation/log", "/moderation/health"]:
        found += await serious_violations(staff, path)
    assert found == []
