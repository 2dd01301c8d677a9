"""Content warnings: authors mark posts; each reader sees them shown, blurred or hidden."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from moderation.content_warnings import WARNINGS
from tests.conftest import Database, Persona, PersonaFactory, join, ok
from tests.forum.test_pages import Opener, signed_in
from tests.forum.test_query_counts import (
    SIGNED_IN_THREAD_PAGE_COLD,
    counted,
    forget_caches,
)

__all__ = ["signed_in"]

SECRET = "The words under the warning"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
TREATMENT = re.compile(r'<div class="cw cw-(show|blur|hide)"')


async def reply(author: Persona, thread: dict[str, Any], body: str, **extra: Any) -> Any:
    return await author.api.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": body, **extra}
    )


async def set_prefs(persona: Persona, prefs: dict[str, str]) -> dict[str, Any]:
    return await ok(await persona.api.patch("/api/v1/me", json={"content_warning_prefs": prefs}))


def treatments(html: str) -> list[str]:
    return TREATMENT.findall(html)


@pytest.fixture
async def warned(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> dict[str, Any]:
    """A reply by `other_user` marked "grief" in `user`'s thread."""
    await join(other_user, circle)
    return await ok(await reply(other_user, thread, SECRET, content_warnings=["grief"]), 201)


# --- marking posts ---


async def test_author_marks_a_reply_and_readers_of_the_api_see_the_warnings(
    warned: dict[str, Any], thread: dict[str, Any], client: httpx.AsyncClient
) -> None:
    assert warned["content_warnings"] == ["grief"]
    read = await ok(await client.get(f"/api/v1/threads/{thread['id']}"))
    assert [p["content_warnings"] for p in read["posts"]] == [[], ["grief"]]


async def test_warnings_are_kept_in_the_lists_order_without_repeats(
    user: Persona, circle: dict[str, Any]
) -> None:
    made = await ok(
        await user.api.post(
            f"/api/v1/circles/{circle['slug']}/threads",
            json={
                "title": "Hard week",
                "body": "…",
                "content_warnings": ["grief", "self-harm", "grief"],
            },
        ),
        201,
    )
    assert made["post"]["content_warnings"] == ["self-harm", "grief"]


async def test_an_unknown_warning_is_refused_and_nothing_is_posted(
    user: Persona, thread: dict[str, Any]
) -> None:
    refused = await reply(user, thread, "Hello", content_warnings=["spiders"])
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "content_warnings" and "self-harm" in error["message"]
    read = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert len(read["posts"]) == 1


async def test_edits_change_warnings_alone_or_keep_them(
    warned: dict[str, Any], other_user: Persona, client: httpx.AsyncClient, thread: dict[str, Any]
) -> None:
    path = f"/api/v1/posts/{warned['id']}"
    kept = await ok(await other_user.api.patch(path, json={"body": "Reworded, still sad."}))
    assert kept["content_warnings"] == ["grief"]
    only = await ok(
        await other_user.api.patch(
            path, json={"body": "Reworded, still sad.", "content_warnings": ["grief", "medical"]}
        )
    )
    assert only["content_warnings"] == ["grief", "medical"]
    # The thread's snapshot is rebuilt: readers see the change at once.
    read = await ok(await client.get(f"/api/v1/threads/{thread['id']}"))
    assert read["posts"][-1]["content_warnings"] == ["grief", "medical"]
    cleared = await ok(
        await other_user.api.patch(path, json={"body": "Better now.", "content_warnings": []})
    )
    assert cleared["content_warnings"] == []


# --- readers' choices ---


async def test_readers_start_with_blur_and_choose_per_warning(user: Persona) -> None:
    me = await ok(await user.api.get("/api/v1/me"))
    assert me["content_warning_prefs"] == dict.fromkeys(WARNINGS, "blur")
    changed = await set_prefs(user, {"grief": "show", "abuse": "hide"})
    assert changed["content_warning_prefs"]["grief"] == "show"
    again = await set_prefs(user, {"eating": "hide"})
    assert again["content_warning_prefs"]["grief"] == "show"  # the others are kept
    assert again["content_warning_prefs"]["eating"] == "hide"
    assert again["content_warning_prefs"]["suicide"] == "blur"


@pytest.mark.parametrize(
    ("prefs", "field"),
    [
        ({"spiders": "hide"}, "content_warning_prefs"),
        ({"grief": "vanish"}, "content_warning_prefs.grief"),
        ({"grief": 3}, "content_warning_prefs.grief"),
    ],
)
async def test_bad_choices_are_refused_and_nothing_changes(
    user: Persona, prefs: dict[str, Any], field: str
) -> None:
    response = await user.api.patch("/api/v1/me", json={"content_warning_prefs": prefs})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    me = await ok(await user.api.get("/api/v1/me"))
    assert set(me["content_warning_prefs"].values()) == {"blur"}


async def test_each_reader_sees_the_post_as_they_chose_from_one_shared_snapshot(
    warned: dict[str, Any],
    thread: dict[str, Any],
    signed_in: Opener,
    make_persona: PersonaFactory,
    other_user: Persona,
    client: httpx.AsyncClient,
) -> None:
    hider, shower = await make_persona("hider"), await make_persona("shower")
    await set_prefs(hider, {"grief": "hide"})
    await set_prefs(shower, {"grief": "show", "abuse": "hide"})
    url = f"/threads/{thread['id']}"
    pages = {
        "hider": await signed_in(hider),
        "shower": await signed_in(shower),
        "author": await signed_in(other_user),
        "anonymous": client,
    }
    expected = {"hider": "hide", "shower": "show", "author": "show", "anonymous": "blur"}
    # Twice round, so every reader after the first is served from the shared snapshot.
    for _ in range(2):
        for who, page in pages.items():
            html = (await page.get(url)).text
            assert treatments(html) == [expected[who]], who
            assert SECRET in html  # shown, or there to open: never lost
    hidden = (await pages["hider"].get(url)).text
    assert "Hidden by your content warning settings (grief and loss)" in hidden
    blurred = (await client.get(url)).text
    assert 'data-cw="blur" data-cw-words="grief and loss"' in blurred
    assert "<details" in blurred  # works without JavaScript


async def test_the_strictest_choice_among_a_posts_warnings_wins(
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    signed_in: Opener,
) -> None:
    await join(other_user, circle)
    await ok(await reply(other_user, thread, SECRET, content_warnings=["grief", "abuse"]), 201)
    await set_prefs(user, {"grief": "show", "abuse": "hide"})
    page = await signed_in(user)
    html = (await page.get(f"/threads/{thread['id']}")).text
    assert treatments(html) == ["hide"]
    assert "(abuse, grief and loss)" not in html and "(grief and loss, abuse)" in html


async def test_a_changed_choice_applies_at_once(
    warned: dict[str, Any], thread: dict[str, Any], user: Persona, signed_in: Opener
) -> None:
    page = await signed_in(user)
    url = f"/threads/{thread['id']}"
    assert treatments((await page.get(url)).text) == ["blur"]
    await set_prefs(user, {"grief": "hide"})
    assert treatments((await page.get(url)).text) == ["hide"]


async def test_a_held_post_shows_its_author_the_warning(
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    signed_in: Opener,
) -> None:
    await join(other_user, circle)
    held = await ok(
        await reply(other_user, thread, "you are a fucking idiot", content_warnings=["abuse"]), 201
    )
    assert held["status"] == "pending"
    html = (await (await signed_in(other_user)).get(f"/threads/{thread['id']}")).text
    assert '<p class="cw-label">Content warning: abuse</p>' in html


async def test_warned_posts_add_no_queries_to_the_thread_page(
    app: Starlette,
    warned: dict[str, Any],
    thread: dict[str, Any],
    user: Persona,
    database: Database,
    signed_in: Opener,
) -> None:
    await set_prefs(user, {"grief": "hide"})
    page = await signed_in(user)
    forget_caches(app)
    response, statements = await counted(database, page, f"/threads/{thread['id']}")
    assert treatments(response.text) == ["hide"]
    assert len(statements) == SIGNED_IN_THREAD_PAGE_COLD, statements


# --- forms ---


async def csrf(page: httpx.AsyncClient, url: str) -> str:
    match = CSRF_INPUT.search((await page.get(url)).text)
    assert match is not None
    return match.group(1)


async def test_forms_mark_and_unmark_warnings(
    user: Persona, circle: dict[str, Any], signed_in: Opener
) -> None:
    page = await signed_in(user)
    new = f"/c/{circle['slug']}/new"
    form = {"title": "A hard week", "body": "Some of it.", "csrf_token": await csrf(page, new)}
    started = await page.post(new, data={**form, "content_warnings": ["grief", "medical"]})
    assert started.status_code == 303
    thread_url = started.headers["location"].split("?")[0]
    thread_id = int(thread_url.rsplit("/", 1)[1])
    read = await ok(await user.api.get(f"/api/v1/threads/{thread_id}"))
    assert read["posts"][0]["content_warnings"] == ["grief", "medical"]

    replied = await page.post(
        f"{thread_url}/reply",
        data={
            "body": "More.",
            "content_warnings": "eating",
            "csrf_token": await csrf(page, thread_url),
        },
    )
    assert replied.status_code == 303
    read = await ok(await user.api.get(f"/api/v1/threads/{thread_id}"))
    assert read["posts"][1]["content_warnings"] == ["eating"]

    edit = f"/posts/{read['posts'][0]['id']}/edit"
    edit_page = (await page.get(edit)).text
    assert re.search(r'value="grief" checked', edit_page)
    assert not re.search(r'value="eating" checked', edit_page)
    edited = await page.post(
        edit, data={"body": "Some of it.", "csrf_token": await csrf(page, edit)}
    )
    assert edited.status_code == 303
    read = await ok(await user.api.get(f"/api/v1/threads/{thread_id}"))
    assert read["posts"][0]["content_warnings"] == []


async def test_a_refused_form_keeps_the_chosen_warnings(
    user: Persona, circle: dict[str, Any], signed_in: Opener
) -> None:
    page = await signed_in(user)
    new = f"/c/{circle['slug']}/new"
    response = await page.post(
        new,
        data={
            "title": "x",
            "body": "Some.",
            "content_warnings": ["grief"],
            "csrf_token": await csrf(page, new),
        },
    )
    assert response.status_code == 422
    assert re.search(r'value="grief" checked', response.text)


async def test_account_page_saves_how_warnings_are_shown(user: Persona, signed_in: Opener) -> None:
    page = await signed_in(user)
    saved = await page.post(
        "/account/content-warnings",
        data={"cw_grief": "show", "cw_suicide": "hide", "csrf_token": await csrf(page, "/account")},
    )
    assert saved.status_code == 303
    me = await ok(await user.api.get("/api/v1/me"))
    assert me["content_warning_prefs"]["grief"] == "show"
    assert me["content_warning_prefs"]["suicide"] == "hide"
    assert me["content_warning_prefs"]["abuse"] == "blur"
    account = (await page.get("/account")).text
    assert 'name="cw_grief" value="show" checked' in account
    assert 'name="cw_abuse" value="blur" checked' in account
    refused = await page.post(
        "/account/content-warnings",
        data={"cw_grief": "explode", "csrf_token": await csrf(page, "/account")},
    )
    assert refused.status_code == 422
    assert (await ok(await user.api.get("/api/v1/me")))["content_warning_prefs"]["grief"] == "show"
