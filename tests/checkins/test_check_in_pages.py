"""Check-ins from the pages: the item page's form, the conversation page, the boundary."""

from __future__ import annotations

import html
from typing import Any

from starlette.applications import Starlette

from tests.checkins.test_check_in_api import check_in, crisis_item
from tests.conftest import Database, Persona, PersonaFactory, ok
from tests.forum.test_accounts import BrowserFactory, browser, signed_in
from tests.forum.test_query_counts import forget_caches
from tests.review.test_crisis_resources import set_region

__all__ = ["browser"]


async def test_item_page_offers_a_check_in_with_kind_words(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    page = await signed_in(browser, moderator)
    shown = await page.http.get(f"/moderation/items/{item_id}")
    assert f'action="/moderation/items/{item_id}/check-in"' in shown.text
    assert "we read what you wrote and wanted to check in" in html.unescape(shown.text).lower()
    sent = await page.submit(
        f"/moderation/items/{item_id}/check-in",
        {"body": "Thinking of you. How are you right now?"},
        page=f"/moderation/items/{item_id}",
    )
    assert sent.status_code == 303, sent.text
    room_url = sent.headers["location"].split("?")[0]
    assert room_url.startswith("/check-ins/")
    team_view = await page.http.get(room_url)
    assert f"A private conversation between {other_user.user.display_name}" in team_view.text
    assert "support-heading" not in team_view.text  # the support lines are the member's
    author = await signed_in(browser, other_user)
    mine = await author.http.get(room_url, headers={"Accept-Language": "en-US"})
    assert "<h1>Circles moderators</h1>" in mine.text
    assert "support-heading" in mine.text and "988" in mine.text
    assert "Close this conversation" in mine.text


async def test_check_in_form_errors_show_on_the_item_page(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    page = await signed_in(browser, moderator)
    empty = await page.submit(
        f"/moderation/items/{item_id}/check-in", {"body": " "}, page=f"/moderation/items/{item_id}"
    )
    assert empty.status_code == 422 and "Please write a message for the check-in" in empty.text
    forged = await page.http.post(f"/moderation/items/{item_id}/check-in", data={"body": "hi"})
    assert forged.status_code == 403 and "This form has expired" in forged.text
    await ok(await other_user.api.patch("/api/v1/me", json={"check_ins": False}))
    off = await page.submit(
        f"/moderation/items/{item_id}/check-in", {"body": "hi"}, page=f"/moderation/items/{item_id}"
    )
    assert off.status_code == 409
    assert "has chosen not to receive check-ins" in html.unescape(off.text)


async def test_support_follows_profile_region_then_browser_language(
    app: Starlette,
    database: Database,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    room_id = (await ok(await check_in(moderator, item_id), 201))["room_id"]
    url = f"/api/v1/check-ins/{room_id}"

    async def names(language: str | None = None) -> tuple[str, list[str]]:
        headers = {"Accept-Language": language} if language else {}
        support = (await ok(await other_user.api.get(url, headers=headers)))["support"]
        return support["region"], [r["name"] for r in support["resources"]]

    region, found = await names("en-US")
    assert region == "US" and any("988" in n for n in found)
    region, found = await names()
    assert region == "*" and found
    await set_region(database, other_user, "GB")
    forget_caches(app)
    region, found = await names("en-US")
    assert region == "GB" and "Samaritans" in found
    team = await ok(await moderator.api.get(url))
    assert team["support"] is None and team["rooms"][0]["name"].startswith("Check-in with")


async def test_member_closes_from_the_page(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    room_id = (await ok(await check_in(moderator, item_id), 201))["room_id"]
    author = await signed_in(browser, other_user)
    closed = await author.submit(f"/check-ins/{room_id}/close", {}, page=f"/check-ins/{room_id}")
    assert closed.status_code == 303
    shown = await author.http.get(closed.headers["location"])
    assert "You closed this conversation" in shown.text
    assert 'data-can-send="false"' in shown.text and "Close this conversation" not in shown.text


async def test_strangers_get_404_for_a_check_in_page(
    other_user: Persona,
    moderator: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    item_id = await crisis_item(other_user, moderator, circle, thread)
    room_id = (await ok(await check_in(moderator, item_id), 201))["room_id"]
    stranger = await make_persona("casey", display_name="Casey")
    page = await signed_in(browser, stranger)
    assert (await page.http.get(f"/check-ins/{room_id}")).status_code == 404
    assert (await stranger.api.get(f"/api/v1/check-ins/{room_id}")).status_code == 404
    refused = await stranger.api.post(f"/api/v1/check-ins/{room_id}/close", json={})
    assert refused.status_code == 404


async def test_account_boundaries_turn_check_ins_off_and_on(
    user: Persona, browser: BrowserFactory
) -> None:
    page = await signed_in(browser, user)
    account = await page.http.get("/account")
    assert 'name="check_ins" value="true" checked' in account.text
    saved = await page.submit("/account/check-ins", {}, page="/account")
    assert saved.status_code == 303
    assert (await ok(await user.api.get("/api/v1/me")))["check_ins"] is False
    account = await page.http.get("/account?saved=check-ins")
    assert 'name="check_ins" value="true">' in account.text and "Saved." in account.text
    await page.submit("/account/check-ins", {"check_ins": "true"}, page="/account")
    assert (await ok(await user.api.get("/api/v1/me")))["check_ins"] is True
