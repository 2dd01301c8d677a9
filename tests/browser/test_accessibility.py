"""axe-core in Chromium on every main page: no serious or critical violation.

axe-core's JavaScript comes inside the axe-playwright-python wheel (nothing is fetched).
Pages are opened as a visitor, a member with content to show, and a moderator, at a
desktop and a phone width; key pages again in the light and the dark theme, where any
contrast failure counts, whatever its impact.
"""

from __future__ import annotations

import uuid

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import BrowserContext, Page, expect

from tests.browser.conftest import Browsing, Member, Seeder
from tests.browser.test_journey import log_in
from tests.browser.test_moderation import create_moderator
from tests.conftest import PASSWORD, FreshDatabase

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
        if violation["impact"] in BLOCKING or violation["id"] == "color-contrast"
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


def approve(seeder: Seeder, moderator: Member, post: dict[str, object]) -> None:
    """Approve a held post over the API, as the moderator."""
    answer = seeder.http.post(
        "/api/v1/auth/token", json={"username": moderator.username, "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {answer.json()['token']}"}
    items = seeder.http.get("/api/v1/moderation/queue", headers=headers).json()["items"]
    (item,) = [i for i in items if i["content_type"] == "post" and i["content_id"] == post["id"]]
    base = f"/api/v1/moderation/items/{item['id']}"
    assert seeder.http.post(f"{base}/claim", headers=headers).status_code == 200
    decision = seeder.http.post(f"{base}/decision", json={"action": "approve"}, headers=headers)
    assert decision.status_code == 200, decision.text


async def themed_page(browsing: Browsing, theme: str) -> tuple[BrowserContext, Page]:
    """A page whose system prefers `theme`: the dark one comes from the media query alone."""
    context = await browsing.context(color_scheme=theme)
    return context, await context.new_page()


async def is_dark(page: Page) -> bool:
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(part) for part in background[4:-1].split(","))
    return red + green + blue < 3 * 128


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_key_pages_keep_their_contrast_in_both_themes(
    browsing: Browsing, seeder: Seeder, live_database: FreshDatabase, theme: str
) -> None:
    owner, member = seeder.member("Kit"), seeder.member("Ren")
    slug, thread_id = circle_with_content(seeder, owner, member)
    # A held reply, so the review queue shows an item and its count badge.
    held = seeder.post(
        member, f"/api/v1/threads/{thread_id}/posts", {"body": "you are a fucking idiot"}
    )
    assert held["status"] == "pending"
    found: list[str] = []

    _, visitor = await themed_page(browsing, theme)
    for path in ["/", "/login", f"/threads/{thread_id}", "/support"]:
        found += await serious_violations(visitor, path)
    assert await is_dark(visitor) == (theme == "dark")

    _, page = await themed_page(browsing, theme)
    await log_in(page, member)
    await page.goto(f"/c/{slug}")
    await page.get_by_label("Your message").fill("Evening all.")
    await page.get_by_label("Your message").press("Enter")
    await expect(page.get_by_role("log").get_by_role("listitem")).to_have_count(1)
    found += await serious_violations_here(page, f"/c/{slug} with a chat message")
    for path in [f"/threads/{thread_id}", f"/c/{slug}/new", "/account"]:
        found += await serious_violations(page, path)

    _, staff = await themed_page(browsing, theme)
    moderator = create_moderator(live_database)
    await log_in(staff, moderator)
    await staff.goto("/moderation")
    await expect(staff.locator("#queue-count")).to_be_visible()
    found += await serious_violations_here(staff, "/moderation")
    found += await serious_violations(staff, "/moderation/health")
    approve(seeder, moderator, held)  # the queue is shared with later tests
    assert found == []
    assert browsing.problems.all() == []


async def test_theme_choice_works_by_keyboard_and_is_remembered(
    browsing: Browsing, seeder: Seeder
) -> None:
    owner, member = seeder.member("Ira"), seeder.member("Noa")
    slug, thread_id = circle_with_content(seeder, owner, member)
    _, page = await themed_page(browsing, "light")
    await page.goto("/")
    choice = page.get_by_role("combobox", name="Colour theme")
    await expect(choice).to_have_value("system")
    assert not await is_dark(page)

    await choice.focus()
    await page.keyboard.press("ArrowDown")  # System theme -> Light
    await page.keyboard.press("ArrowDown")  # Light -> Dark
    await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert await is_dark(page)

    # Remembered, and applied before the page is drawn: the first paint is already dark.
    found = await serious_violations(page, f"/threads/{thread_id}")
    assert await page.evaluate("document.documentElement.dataset.theme") == "dark"
    await expect(page.get_by_role("combobox", name="Colour theme")).to_have_value("dark")
    assert await is_dark(page)

    # Light chosen on a system that prefers dark wins over the system.
    await page.emulate_media(color_scheme="dark")
    await page.get_by_role("combobox", name="Colour theme").select_option("light")
    await page.goto(f"/c/{slug}")
    assert not await is_dark(page)
    found += await serious_violations_here(page, f"/c/{slug} light on a dark system")

    await page.get_by_role("combobox", name="Colour theme").select_option("system")
    assert await page.evaluate("localStorage.getItem('circles-theme')") is None
    assert await is_dark(page)
    assert found == []
    assert browsing.problems.all() == []
