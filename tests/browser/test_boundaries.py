"""Muted words in a real browser: posts and chat messages with them are folded away
behind "Hidden by your muted words: show", and a keyboard user can reveal them."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.async_api import expect
from websockets.asyncio.client import connect

from tests.browser.conftest import Browsing, Member, Seeder
from tests.browser.test_journey import log_in
from tests.live import LiveServer

pytestmark = pytest.mark.browser

MUTED_REPLY = "The grief comes back at night."


def circle_with(seeder: Seeder, owner: Member, member: Member) -> str:
    slug = f"evenings-{uuid.uuid4().hex[:6]}"
    circle = seeder.post(owner, "/api/v1/circles", {"slug": slug, "name": "Evenings"})
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(member, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})
    return slug


def mute(seeder: Seeder, member: Member, *words: str) -> None:
    response = seeder.http.patch(
        "/api/v1/me",
        json={"muted_words": list(words)},
        headers={"Authorization": f"Bearer {member.token}"},
    )
    assert response.status_code == 200, response.text


async def test_a_muted_word_collapses_a_post_until_the_reader_shows_it(
    browsing: Browsing, seeder: Seeder
) -> None:
    owner, reader = seeder.member("Sam"), seeder.member("Lee")
    slug = circle_with(seeder, owner, reader)
    thread = seeder.post(
        owner, f"/api/v1/circles/{slug}/threads", {"title": "Long evenings", "body": "Hello all."}
    )
    seeder.post(owner, f"/api/v1/threads/{thread['id']}/posts", {"body": MUTED_REPLY})
    mute(seeder, reader, "GRIEF")

    page = await (await browsing.context()).new_page()
    await log_in(page, reader)
    await page.goto(f"/threads/{thread['id']}")
    post = page.get_by_role("listitem").filter(has_text="Hidden by your muted words")
    await expect(post).to_have_count(1)
    await expect(page.get_by_text("Hello all.")).to_be_visible()  # other posts as written
    words = page.get_by_text(MUTED_REPLY)
    await expect(words).to_be_hidden()

    show = post.get_by_role("button", name="show")
    await expect(show).to_have_attribute("aria-expanded", "false")
    await show.focus()
    await page.keyboard.press("Enter")
    await expect(words).to_be_visible()
    hide = post.get_by_role("button", name="hide")
    await expect(hide).to_have_attribute("aria-expanded", "true")
    await page.keyboard.press("Space")
    await expect(words).to_be_hidden()
    assert browsing.problems.all() == []


async def test_a_muted_word_collapses_a_chat_message(
    browsing: Browsing, seeder: Seeder, live_server: LiveServer
) -> None:
    owner, reader = seeder.member("Sam"), seeder.member("Lee")
    slug = circle_with(seeder, owner, reader)
    rooms = seeder.http.get(f"/api/v1/circles/{slug}/rooms").json()["rooms"]
    url = f"ws://127.0.0.1:{live_server.port}/ws/rooms/{rooms[0]['id']}"
    async with connect(url, additional_headers={"Authorization": f"Bearer {owner.token}"}) as ws:
        for n, body in enumerate(("Anyone around?", "Grief again tonight.")):
            await ws.send(json.dumps({"type": "send", "client_msg_id": f"m{n}", "body": body}))
        seen = 0
        while seen < 2:
            seen += json.loads(await ws.recv())["type"] == "message"
    mute(seeder, reader, "grief")

    page = await (await browsing.context()).new_page()
    await log_in(page, reader)
    await page.goto(f"/c/{slug}")
    log = page.get_by_role("log")
    await expect(log.get_by_text("Anyone around?")).to_be_visible()
    muted = log.get_by_role("listitem").filter(has_text="Hidden by your muted words")
    await expect(muted).to_have_count(1)
    await expect(log.get_by_text("Grief again tonight.")).to_be_hidden()
    await muted.get_by_role("button", name="show").click()
    await expect(log.get_by_text("Grief again tonight.")).to_be_visible()
    assert browsing.problems.all() == []
