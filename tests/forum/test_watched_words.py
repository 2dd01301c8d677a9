"""A circle's watched words at work on thread titles, posts and edits, over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from forum.threads.models import Post, Thread
from tests.conftest import Database, Persona, ThreadFactory, join, ok
from tests.forum.test_accounts import FORM_ERROR, BrowserFactory, browser
from tests.forum.test_accounts import signed_in as log_in
from tests.forum.test_pages import Opener, signed_in

__all__ = ["browser", "signed_in"]

WORDS = [
    {"phrase": "casserole", "action": "hold"},
    {"phrase": "darn", "action": "block", "explanation": "We keep language gentle here."},
    {"phrase": "heck", "action": "replace", "replacement": "h*ck"},
    {"phrase": "funeral", "action": "warn", "warning": "grief"},
]


@pytest.fixture
async def watched(user: Persona, other_user: Persona, circle: dict[str, Any]) -> dict[str, Any]:
    """The circle, watching WORDS, with `other_user` as a member."""
    for word in WORDS:
        await ok(
            await user.api.post(
                f"/api/v1/circles/{circle['slug']}/moderation/watched-words", json=word
            ),
            201,
        )
    await join(other_user, circle)
    return circle


async def reply(author: Persona, thread: dict[str, Any], body: str, **extra: Any) -> Any:
    return await author.api.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": body, **extra}
    )


async def post_count(database: Database) -> int:
    async with database.sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(Post)) or 0)


async def queue_reasons(moderator: Persona, post_id: int) -> list[dict[str, Any]]:
    data = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    item = next(
        i for i in data["items"] if (i["content_type"], i["content_id"]) == ("post", post_id)
    )
    reasons: list[dict[str, Any]] = item["reasons"]
    return reasons


async def test_hold_word_holds_a_reply_and_tells_the_queue_why(
    watched: dict[str, Any],
    thread: dict[str, Any],
    user: Persona,
    other_user: Persona,
    signed_in: Opener,
) -> None:
    held = await ok(await reply(other_user, thread, "Bring the C.A.S.S.E.R.O.L.E tonight"), 201)
    assert held["status"] == "pending"
    assert held["moderation"]["decision"] == "review"
    [reason] = held["moderation"]["reasons"]
    assert reason["kind"] == "watched_word" and reason["word"] == "casserole"
    public = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert held["id"] not in [p["id"] for p in public["posts"]]
    # The owner moderates their circle: the queue names the watched word.
    [queued] = await queue_reasons(user, held["id"])
    assert queued["kind"] == "watched_word" and queued["word"] == "casserole"
    only = await ok(await user.api.get("/api/v1/moderation/queue?reason=watched_word"))
    assert [i["content_id"] for i in only["items"]] == [held["id"]]
    page = await signed_in(user)
    item = only["items"][0]["id"]
    detail = (await page.get(f"/moderation/items/{item}")).text
    assert "Watched word:" in detail and "watched: “casserole”" in detail


async def test_hold_word_in_a_title_holds_the_new_thread(
    watched: dict[str, Any], other_user: Persona, make_thread: ThreadFactory, client: Any
) -> None:
    made = await make_thread(other_user, watched, title="About the casserole", body="Hello all.")
    assert made["status"] == "pending" and made["post"]["status"] == "pending"
    assert (await client.get(f"/api/v1/threads/{made['id']}")).status_code == 404


async def test_block_word_is_refused_with_the_owners_explanation_and_nothing_is_kept(
    watched: dict[str, Any], thread: dict[str, Any], other_user: Persona, database: Database
) -> None:
    before = await post_count(database)
    refused = await reply(other_user, thread, "Well DARN, that hurt.")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "blocked_word" and error["field"] == "body"
    assert error["explanation"] == "We keep language gentle here."
    assert "“DARN”" in error["message"] and "We keep language gentle here." in error["message"]
    assert await post_count(database) == before


async def test_block_word_in_a_title_stores_no_thread(
    watched: dict[str, Any], other_user: Persona, database: Database
) -> None:
    refused = await other_user.api.post(
        f"/api/v1/circles/{watched['slug']}/threads", json={"title": "d4rn it", "body": "Hi."}
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "blocked_word"
    async with database.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Thread)) == 0


async def test_block_word_never_turns_away_someone_in_danger(
    watched: dict[str, Any], thread: dict[str, Any], other_user: Persona
) -> None:
    held = await ok(await reply(other_user, thread, "darn it all, I want to die"), 201)
    assert held["status"] == "pending"
    assert held["crisis"] is not None
    assert "watched_word" in [r["kind"] for r in held["moderation"]["reasons"]]


async def test_replace_word_changes_what_is_stored_in_body_and_title(
    watched: dict[str, Any], other_user: Persona, make_thread: ThreadFactory
) -> None:
    made = await make_thread(
        other_user, watched, title="What the heck", body="Heck, HECK and heckle."
    )
    assert made["title"] == "What the h*ck"
    assert made["status"] == "published"
    assert made["post"]["body_html"] == "<p>h*ck, h*ck and heckle.</p>\n"
    assert [r["kind"] for r in made["moderation"]["reasons"]] == ["watched_replaced"]
    thread = await ok(await other_user.api.get(f"/api/v1/threads/{made['id']}"))
    assert thread["title"] == "What the h*ck"


async def test_warn_word_adds_its_content_warning(
    watched: dict[str, Any], thread: dict[str, Any], other_user: Persona
) -> None:
    warned = await ok(
        await reply(other_user, thread, "The funeral was today.", content_warnings=["abuse"]),
        201,
    )
    assert warned["status"] == "published"
    assert warned["content_warnings"] == ["grief", "abuse"]


async def test_edits_pass_the_watched_words_too(
    watched: dict[str, Any], thread: dict[str, Any], other_user: Persona, user: Persona
) -> None:
    post = await ok(await reply(other_user, thread, "A calm first draft."), 201)
    path = f"/api/v1/posts/{post['id']}"
    refused = await other_user.api.patch(path, json={"body": "darn, a second draft"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "blocked_word"
    kept = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert "A calm first draft." in kept["posts"][-1]["body_html"]

    replaced = await ok(await other_user.api.patch(path, json={"body": "heck, a third draft"}))
    assert replaced["body_html"] == "<p>h*ck, a third draft</p>\n"
    held = await ok(await other_user.api.patch(path, json={"body": "casserole, a fourth draft"}))
    assert held["status"] == "pending"


async def test_words_outside_the_list_are_untouched(
    watched: dict[str, Any], thread: dict[str, Any], other_user: Persona
) -> None:
    calm = await ok(await reply(other_user, thread, "Checking in: darning socks, heckled."), 201)
    assert calm["status"] == "published"
    assert calm["moderation"]["reasons"] == []
    assert calm["content_warnings"] == []


async def test_other_circles_are_not_affected(
    watched: dict[str, Any], other_user: Persona, make_circle: Any, make_thread: ThreadFactory
) -> None:
    elsewhere = await make_circle(other_user, slug="elsewhere")
    made = await make_thread(other_user, elsewhere, title="darn casserole", body="heck")
    assert made["status"] == "published" and made["title"] == "darn casserole"


async def test_reply_form_shows_the_block_explanation_and_keeps_the_draft(
    browser: BrowserFactory, watched: dict[str, Any], thread: dict[str, Any], other_user: Persona
) -> None:
    page = await log_in(browser, other_user)
    path = f"/threads/{thread['id']}"
    response = await page.submit(f"{path}/reply", {"body": "oh darn"}, page=path)
    assert response.status_code == 422
    error = FORM_ERROR.search(response.text)
    assert error is not None and "We keep language gentle here." in error.group(1)
    assert "oh darn</textarea>" in response.text
