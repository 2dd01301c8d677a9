"""A real browser against a real server: the core journey, keyboard use and phones.

Locators go by label and role, so these tests also prove the forms are labelled.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing, Member, Seeder
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/circles-thread.png")
PHONE = {"width": 390, "height": 844}


async def register(page: Page, username: str, display_name: str) -> None:
    await page.goto("/register")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Display name").fill(display_name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create my account").click()
    await expect(page.get_by_role("link", name=display_name, exact=True)).to_be_visible()


async def log_in(page: Page, member: Member) -> None:
    await page.goto("/login")
    await page.get_by_label("Username").fill(member.username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("link", name=member.display_name, exact=True)).to_be_visible()


def post_by(page: Page, author: str, text: str) -> object:
    return page.get_by_role("listitem").filter(has_text=author).filter(has_text=text)


async def test_members_create_circle_join_start_thread_reply_and_both_see_both_posts(
    browsing: Browsing,
) -> None:
    tag = uuid.uuid4().hex[:6]
    owner = await (await browsing.context()).new_page()
    await register(owner, f"river-{tag}", f"River {tag}")

    await owner.get_by_role("link", name="Start a circle").click()
    await owner.get_by_label("Name").fill(f"Night owls {tag}")
    await owner.get_by_label("Address").fill(f"night-owls-{tag}")
    await owner.get_by_label("What is this circle for?").fill("For people who can't sleep.")
    await owner.get_by_label("Anyone (public)").check()
    await owner.get_by_role("button", name="Create circle").click()
    await expect(owner).to_have_url(re.compile(f"/c/night-owls-{tag}$"))
    await expect(owner.get_by_role("heading", name=f"Night owls {tag}")).to_be_visible()

    member = await (await browsing.context()).new_page()
    await register(member, f"sky-{tag}", f"Sky {tag}")
    await member.goto(f"/c/night-owls-{tag}")
    await expect(member.get_by_role("link", name="Start a conversation")).to_have_count(0)
    await member.get_by_role("button", name=re.compile("I accept these ground rules")).click()
    await member.get_by_role("link", name="Start a conversation").click()
    await member.get_by_label("Title").fill("Awake at 3am again")
    await member.get_by_label("What's on your mind?").fill("Does anyone else find *nights* hard?")
    await member.get_by_role("button", name="Post", exact=True).click()
    await expect(member).to_have_url(re.compile(r"/threads/\d+$"))
    await expect(member.get_by_role("heading", name="Awake at 3am again")).to_be_visible()
    thread_url = member.url

    await owner.goto(thread_url)
    await owner.get_by_label("Your reply").fill("You are not alone. Warm milk helps me.")
    await owner.get_by_role("button", name="Post reply").click()
    await expect(owner).to_have_url(re.compile(r"/threads/\d+#post-\d+$"))

    await member.reload()
    for page in (owner, member):
        posts = page.locator("ol.posts > li")
        await expect(posts).to_have_count(2)
        await expect(posts.nth(0)).to_contain_text(f"Sky {tag}")
        await expect(posts.nth(0).locator("em")).to_have_text("nights")
        await expect(posts.nth(1)).to_contain_text(f"River {tag}")
        await expect(posts.nth(1)).to_contain_text("You are not alone. Warm milk helps me.")

    await owner.screenshot(path=str(SCREENSHOT), full_page=True)
    assert browsing.problems.all() == []


async def test_login_form_works_by_keyboard_alone(browsing: Browsing, seeder: Seeder) -> None:
    member = seeder.member("Kim")
    page = await (await browsing.context()).new_page()
    await page.goto("/login")
    username = page.get_by_label("Username")
    for _ in range(12):
        await page.keyboard.press("Tab")
        if await username.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the username field on the login page")
    await page.keyboard.type(member.username)

    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Password")).to_be_focused()
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Log in")).to_be_focused()
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("link", name=member.display_name, exact=True)).to_be_visible()
    assert browsing.problems.all() == []


async def test_thread_page_fits_a_phone_screen(browsing: Browsing, seeder: Seeder) -> None:
    owner, member = seeder.member("Ash"), seeder.member("Jo")
    slug = f"phones-{uuid.uuid4().hex[:6]}"
    circle = seeder.post(
        owner,
        "/api/v1/circles",
        {"slug": slug, "name": "Small screens", "description": "", "visibility": "public"},
    )
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(member, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})
    thread = seeder.post(
        owner,
        f"/api/v1/circles/{slug}/threads",
        {"title": "A long title that has to wrap on a narrow screen " * 2, "body": "Hello."},
    )
    long_word = "Unbrokenwordthatkeepsgoing" * 8
    long_link = "https://example.org/" + "very-long-path-segment/" * 10
    seeder.post(
        member,
        f"/api/v1/threads/{thread['id']}/posts",
        {"body": f"{long_word}\n\n<{long_link}>\n\n```\n{'code ' * 40}\n```"},
    )

    page = await (await browsing.context(viewport=PHONE)).new_page()
    await log_in(page, member)  # signed in, the reply form is on the page too
    await page.goto(f"/threads/{thread['id']}")
    await expect(page.get_by_label("Your reply")).to_be_visible()
    scroll_width = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"page is {scroll_width}px wide on a 390px screen"
    assert browsing.problems.all() == []
