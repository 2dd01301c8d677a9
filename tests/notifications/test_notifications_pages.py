"""The bell on every page, the notifications page, and its query count."""

from __future__ import annotations

import re
from typing import Any

from starlette.applications import Starlette

from tests.conftest import Database, Persona, join, ok
from tests.forum.test_accounts import BrowserFactory, browser, signed_in
from tests.forum.test_query_counts import forget_caches, steady
from tests.notifications.test_notifications_api import decide, held_post, item_for

__all__ = ["browser"]

BELL_COUNT = re.compile(r'<span id="bell-count"[^>]*?(hidden)?>(\d+)</span>')


def bell(page_text: str) -> tuple[bool, int]:
    """(shown, count) of the bell's badge."""
    found = BELL_COUNT.search(page_text)
    assert found is not None, "no bell on the page"
    return found.group(1) is None, int(found.group(2))


async def two_decisions(
    other_user: Persona, moderator: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    for body in ("you are a fucking idiot", "you stupid fucking moron"):
        post = await held_post(other_user, thread, body)
        await decide(moderator, await item_for(moderator, post["id"]), action="approve")


async def test_every_page_shows_the_bell_with_the_unread_count(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    page = await signed_in(browser, other_user)
    assert bell((await page.http.get("/")).text) == (False, 0)
    await two_decisions(other_user, moderator, circle, thread)
    for url in ("/", f"/c/{circle['slug']}", f"/threads/{thread['id']}", "/account", "/messages"):
        response = await page.http.get(url)
        assert response.status_code == 200, url
        assert bell(response.text) == (True, 2), url
        assert '<script type="module" src="/static/js/notifications.js">' in response.text


async def test_signed_out_pages_have_no_bell(client: Any) -> None:
    response = await client.get("/")
    assert 'id="bell"' not in response.text and "notifications.js" not in response.text


async def test_notifications_page_lists_and_marks_all_read(
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    await two_decisions(other_user, moderator, circle, thread)
    page = await signed_in(browser, other_user)
    shown = await page.http.get("/notifications")
    assert shown.text.count("has been approved and is now visible") == 2
    assert shown.text.count("notification-unread") == 2
    marked = await page.submit("/notifications/read", {}, page="/notifications")
    assert marked.status_code == 303 and marked.headers["location"] == "/notifications"
    after = await page.http.get("/notifications")
    assert "notification-unread" not in after.text
    assert bell(after.text) == (False, 0)


async def test_mark_read_form_needs_its_csrf_token(
    other_user: Persona, browser: BrowserFactory
) -> None:
    page = await signed_in(browser, other_user)
    refused = await page.http.post("/notifications/read", data={})
    assert refused.status_code == 403
    assert "This form has expired" in refused.text


async def test_empty_notifications_page_says_so_kindly(
    user: Persona, browser: BrowserFactory
) -> None:
    page = await signed_in(browser, user)
    shown = await page.http.get("/notifications")
    assert "Nothing yet." in shown.text and "Mark all as read" not in shown.text


async def test_notifications_list_queries_do_not_grow(
    app: Starlette,
    database: Database,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    await two_decisions(other_user, moderator, circle, thread)
    page = await signed_in(browser, other_user)
    forget_caches(app)
    _, few = await steady(database, other_user.api, "/api/v1/me/notifications")
    _, page_few = await steady(database, page.http, "/notifications")
    await two_decisions(other_user, moderator, circle, thread)
    _, more = await steady(database, other_user.api, "/api/v1/me/notifications")
    _, page_more = await steady(database, page.http, "/notifications")
    assert len(more) == len(few) == 1  # the notifications; who is asking is remembered
    assert len(page_more) == len(page_few) == 1
    assert len((await ok(await other_user.api.get("/api/v1/me/notifications")))["items"]) == 4


async def test_settings_form_saves_kinds_and_quiet_hours(
    user: Persona, browser: BrowserFactory
) -> None:
    page = await signed_in(browser, user)
    form = {
        "kind_report": "on",
        "kind_invite": "on",
        "quiet": "on",
        "quiet_start": "23:00",
        "quiet_end": "06:30",
        "time_zone": "Europe/Madrid",
    }
    saved = await page.submit("/notifications/settings", form, page="/notifications")
    assert saved.status_code == 303
    assert saved.headers["location"] == "/notifications?saved=settings#settings-heading"
    assert await ok(await user.api.get("/api/v1/me/notification-settings")) == {
        "kinds": {
            "reply": False,
            "mention": False,
            "report": True,
            "rules": False,
            "invite": True,
        },
        "quiet_hours": {"start": "23:00", "end": "06:30", "time_zone": "Europe/Madrid"},
    }
    shown = (await page.http.get("/notifications?saved=settings")).text
    assert "Saved." in shown and 'value="Europe/Madrid"' in shown
    assert 'name="kind_reply" value="on">' in shown  # unticked
    assert 'name="kind_report" value="on" checked>' in shown


async def test_settings_form_with_a_mistake_keeps_what_was_typed(
    user: Persona, browser: BrowserFactory
) -> None:
    page = await signed_in(browser, user)
    form = {"quiet": "on", "quiet_start": "23:00", "quiet_end": "06:30", "time_zone": "Madrid"}
    refused = await page.submit("/notifications/settings", form, page="/notifications")
    assert refused.status_code == 422
    assert "Please choose a time zone by its name" in refused.text
    assert 'value="Madrid"' in refused.text and 'value="06:30"' in refused.text
    settings = await ok(await user.api.get("/api/v1/me/notification-settings"))
    assert settings["quiet_hours"] is None and all(settings["kinds"].values())
