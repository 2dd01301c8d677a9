"""A reader who blurs a content warning sees a marked post covered, and reveals it by keyboard."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_chat import message, open_chat, public_circle, say
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

MARKED = "My dad's funeral was this morning."


async def test_reader_who_blurs_grief_sees_the_post_covered_and_reveals_it(
    browsing: Browsing, seeder: Seeder
) -> None:
    owner, author, reader = seeder.member("Sam"), seeder.member("Lee"), seeder.member("Kim")
    slug = f"after-loss-{uuid.uuid4().hex[:6]}"
    circle = seeder.post(owner, "/api/v1/circles", {"slug": slug, "name": "After loss"})
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(author, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})
    thread = seeder.post(
        owner, f"/api/v1/circles/{slug}/threads", {"title": "This week", "body": "How are you?"}
    )
    reply = seeder.post(
        author,
        f"/api/v1/threads/{thread['id']}/posts",
        {"body": MARKED, "content_warnings": ["grief"]},
    )
    assert reply["content_warnings"] == ["grief"]

    page = await (await browsing.context()).new_page()
    await page.goto("/login")
    await page.get_by_label("Username").fill(reader.username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    # The reader chooses "blur" for grief on their account page.
    await page.goto("/account")
    await page.get_by_role("group", name="Grief and loss").get_by_label("Blur").check()
    await page.locator("form.cw-prefs").get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    me = seeder.http.get("/api/v1/me", headers={"Authorization": f"Bearer {reader.token}"})
    assert me.json()["content_warning_prefs"]["grief"] == "blur"

    await page.goto(f"/threads/{thread['id']}")
    post = page.locator(f"#post-{reply['id']}")
    cover = post.locator(".cw-cover")
    await expect(cover).to_be_visible()
    await expect(cover).to_contain_text("Content warning: grief and loss")
    body = post.locator(".cw-content")
    await expect(body).to_have_class("cw-content cw-blurred")
    assert await body.evaluate("node => node.inert") is True
    assert await body.evaluate("node => getComputedStyle(node).filter") != "none"

    # By keyboard: the button says what it shows, and Enter reveals the post.
    show = cover.get_by_role("button", name="Show")
    await expect(show).to_have_accessible_description("Content warning: grief and loss")
    await show.focus()
    await page.keyboard.press("Enter")
    await expect(cover).to_have_count(0)
    await expect(body).not_to_have_class("cw-content cw-blurred")
    await expect(body).to_be_focused()
    await expect(body).to_contain_text(MARKED)
    assert await body.evaluate("node => node.inert") is False
    assert browsing.problems.all() == []


async def test_a_chat_message_a_watched_word_warns_about_is_covered_for_readers(
    browsing: Browsing, seeder: Seeder
) -> None:
    owner, author = seeder.member("Ash"), seeder.member("Rae")
    slug = public_circle(seeder, owner, author)
    seeder.post(
        owner,
        f"/api/v1/circles/{slug}/moderation/watched-words",
        {"phrase": "funeral", "action": "warn", "warning": "grief"},
    )
    reading = await open_chat(browsing, owner, slug)
    writing = await open_chat(browsing, author, slug)
    await expect(writing.get_by_label("Your message")).to_be_enabled()
    await say(writing, "The funeral is on Friday")

    covered = reading.locator(".chat-message").filter(has=reading.locator(".cw-blur"))
    await expect(covered.locator(".cw-note")).to_have_text("Content warning: grief and loss")
    await expect(covered.locator(".cw-cover")).to_be_visible()
    assert await covered.locator(".chat-body").evaluate("node => node.inert") is True
    await covered.get_by_role("button", name="Show").press("Enter")
    await expect(covered.locator(".cw-cover")).to_have_count(0)
    await expect(covered.locator(".chat-body")).to_contain_text("The funeral is on Friday")
    # Its author sees their own words, with the warning named.
    mine = message(writing, "The funeral is on Friday")
    await expect(mine.locator(".cw-label")).to_have_text("Content warning: grief and loss")
    assert browsing.problems.all() == []
