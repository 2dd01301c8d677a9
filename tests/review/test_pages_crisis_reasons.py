"""Moderators read why a post was flagged for crisis: the rules, warning signs and score."""

from __future__ import annotations

import html
from typing import Any

from tests.conftest import Persona
from tests.forum.test_accounts import BrowserFactory, browser, signed_in
from tests.review.test_pages import item_for, reply

__all__ = ["browser"]

GOODBYE = "I've said my goodbyes and given my guitar to my brother"


async def test_queue_and_item_say_why_this_was_flagged(
    user: Persona,
    moderator: Persona,
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    post = await reply(user, thread, GOODBYE)
    item = await item_for(moderator, post["id"])
    first = item["reasons"][0]
    assert first["kind"] == "crisis"
    assert {"goodbye", "giving_away"} <= set(first["label"].split(","))
    assert 0 <= first["score"] <= 1
    page = await signed_in(browser, moderator)
    queue = html.unescape((await page.http.get("/moderation")).text)
    assert "Why this was flagged:" in queue
    assert "saying goodbye" in queue
    assert "giving things away" in queue
    assert "model score" in queue
    detail = html.unescape((await page.http.get(f"/moderation/items/{item['id']}")).text)
    assert "rule suicide.goodbyes_said" in detail
    assert "warning signs: saying goodbye, giving things away" in detail
