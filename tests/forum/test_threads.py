"""Threads and posts over the JSON API: writing, reading, paging, editing and deleting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from forum.threads.models import Post, PostRevision, Thread
from tests.conftest import (
    AppFactory,
    CircleFactory,
    Database,
    Persona,
    ThreadFactory,
    join,
    ok,
)


def error_of(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


async def reply(persona: Persona, thread_id: int, body: str) -> dict[str, Any]:
    return await ok(
        await persona.api.post(f"/api/v1/threads/{thread_id}/posts", json={"body": body}), 201
    )


async def post_row(database: Database, post_id: int) -> Post:
    async with database.sessions() as db:
        post = await db.get(Post, post_id)
    assert post is not None
    return post


async def count_rows(database: Database, model: type[Post] | type[Thread]) -> int:
    async with database.sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


def api_client(app: Starlette, persona: Persona) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {persona.token}"},
    )


# Starting threads and replying


async def test_start_thread_returns_contract(user: Persona, circle: dict[str, Any]) -> None:
    created = await ok(
        await user.api.post(
            "/api/v1/circles/grief-and-loss/threads",
            json={"title": "  The first   winter ", "body": "It has been *hard*."},
        ),
        201,
    )
    assert isinstance(created["id"], int)
    assert created["title"] == "The first winter"
    post = created["post"]
    assert isinstance(post["id"], int)
    assert post["status"] == "published"
    assert post["body_html"].strip() == "<p>It has been <em>hard</em>.</p>"


async def test_markdown_is_rendered_and_sanitized_at_write_time(
    user: Persona, circle: dict[str, Any], database: Database
) -> None:
    body = (
        "Some **bold** words.\n\n<script>alert('x')</script>\n\n"
        '[a link](https://example.org) and [bad](javascript:alert(1)) <img src=x onerror="x()">'
    )
    created = await ok(
        await user.api.post(
            "/api/v1/circles/grief-and-loss/threads", json={"title": "Markdown", "body": body}
        ),
        201,
    )
    html = created["post"]["body_html"]
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html.lower()
    assert "<img" not in html
    assert 'onerror="' not in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow ugc noopener"' in html

    row = await post_row(database, created["post"]["id"])
    assert row.body == body
    assert row.body_html == html


async def test_reads_serve_stored_html_without_rendering_again(
    user: Persona, thread: dict[str, Any], database: Database
) -> None:
    post_id = thread["post"]["id"]
    async with database.sessions() as db:
        await db.execute(
            update(Post).where(Post.id == post_id).values(body_html="<p>stored marker</p>")
        )
        await db.commit()
    data = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert data["posts"][0]["body_html"] == "<p>stored marker</p>"


async def test_reply_returns_contract(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    created = await reply(other_user, thread["id"], "You're **not** alone.")
    assert isinstance(created["id"], int)
    assert created["status"] == "published"
    assert created["body_html"].strip() == "<p>You're <strong>not</strong> alone.</p>"
    assert created["id"] > thread["post"]["id"]


async def test_get_thread_contract(
    client: httpx.AsyncClient,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    answer = await reply(other_user, thread["id"], "Welcome.")
    data = await ok(await client.get(f"/api/v1/threads/{thread['id']}"))
    assert set(data) >= {"id", "title", "circle", "posts", "next_cursor"}
    assert data["id"] == thread["id"]
    assert data["title"] == "A first thread"
    assert data["circle"] == {"slug": "grief-and-loss", "name": "Grief and loss"}
    assert data["next_cursor"] is None
    assert [p["id"] for p in data["posts"]] == [thread["post"]["id"], answer["id"]]
    first, second = data["posts"]
    assert set(first) >= {"id", "author", "body_html", "status", "created_at"}
    assert first["author"] == {"display_name": "Alex"}
    assert second["author"] == {"display_name": "Blake"}
    assert first["body_html"] == thread["post"]["body_html"]
    assert second["body_html"].strip() == "<p>Welcome.</p>"
    assert {p["status"] for p in data["posts"]} == {"published"}
    for post in data["posts"]:
        assert datetime.fromisoformat(post["created_at"]).tzinfo is not None
    assert "username" not in str(data) and "alex" not in str(data)


async def test_unknown_thread_is_404(client: httpx.AsyncClient) -> None:
    error_of(await client.get("/api/v1/threads/987654"), 404, "not_found")


async def test_reply_to_unknown_thread_is_404(user: Persona) -> None:
    error_of(await user.api.post("/api/v1/threads/987654/posts", json={"body": "Hi"}), 404)


async def test_writing_requires_login(
    client: httpx.AsyncClient, circle: dict[str, Any], thread: dict[str, Any], database: Database
) -> None:
    before = await count_rows(database, Post)
    error_of(
        await client.post(
            "/api/v1/circles/grief-and-loss/threads", json={"title": "Anon", "body": "Hi"}
        ),
        401,
    )
    error_of(await client.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": "Hi"}), 401)
    assert await count_rows(database, Post) == before


# Pagination


async def test_thread_posts_page_with_keyset_cursor(
    make_app: AppFactory, user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    posted = [thread["post"]["id"]]
    for n in range(6):
        posted.append((await reply(user, thread["id"], f"Reply number {n}"))["id"])
    assert len(posted) == 7

    async with api_client(make_app(page_size=3), user) as api:
        seen: list[int] = []
        pages: list[int] = []
        cursor: str | None = None
        while True:
            params = {"cursor": cursor} if cursor else {}
            page = await ok(await api.get(f"/api/v1/threads/{thread['id']}", params=params))
            pages.append(len(page["posts"]))
            seen.extend(p["id"] for p in page["posts"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
            assert len(pages) < 10, "pagination does not end"
    assert seen == posted
    assert pages == [3, 3, 1]


async def test_thread_pagination_is_stable_when_posts_arrive(
    make_app: AppFactory, user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    for n in range(3):
        await reply(user, thread["id"], f"Early {n}")
    async with api_client(make_app(page_size=2), user) as api:
        first = await ok(await api.get(f"/api/v1/threads/{thread['id']}"))
        late = await reply(user, thread["id"], "Late arrival")
        second = await ok(
            await api.get(
                f"/api/v1/threads/{thread['id']}", params={"cursor": first["next_cursor"]}
            )
        )
        third = await ok(
            await api.get(
                f"/api/v1/threads/{thread['id']}", params={"cursor": second["next_cursor"]}
            )
        )
    ids = [p["id"] for page in (first, second, third) for p in page["posts"]]
    assert len(ids) == len(set(ids)) == 5
    assert ids[-1] == late["id"]
    assert third["next_cursor"] is None


async def test_garbage_thread_cursor_is_400(
    client: httpx.AsyncClient, thread: dict[str, Any]
) -> None:
    for cursor in ("not-a-cursor!!", "%%%", "bm90LWEtbnVtYmVy"):  # the last is "not-a-number"
        response = await client.get(f"/api/v1/threads/{thread['id']}", params={"cursor": cursor})
        error_of(response, 400, "bad_cursor")


async def test_circle_threads_page_by_latest_activity(
    make_app: AppFactory,
    user: Persona,
    circle: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    made = [(await make_thread(user, circle, title=f"Thread {n}"))["id"] for n in range(5)]
    # Replying brings a thread back to the top.
    await reply(user, made[1], "Bumping this one.")
    expected = [made[1], made[4], made[3], made[2], made[0]]

    async with api_client(make_app(page_size=2), user) as api:
        seen: list[int] = []
        cursor: str | None = None
        for _ in range(10):
            params = {"cursor": cursor} if cursor else {}
            page = await ok(await api.get("/api/v1/circles/grief-and-loss/threads", params=params))
            assert len(page["threads"]) <= 2
            seen.extend(t["id"] for t in page["threads"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
    assert seen == expected
    assert cursor is None


async def test_circle_thread_list_entries(
    client: httpx.AsyncClient, user: Persona, thread: dict[str, Any]
) -> None:
    await reply(user, thread["id"], "One reply.")
    listing = await ok(await client.get("/api/v1/circles/grief-and-loss/threads"))
    assert listing["next_cursor"] is None
    [entry] = listing["threads"]
    assert entry["id"] == thread["id"]
    assert entry["title"] == "A first thread"
    assert entry["author"] == {"display_name": "Alex"}
    assert entry["reply_count"] == 1
    assert entry["last_post_at"] >= entry["created_at"]


async def test_garbage_circle_thread_cursor_is_400(
    client: httpx.AsyncClient, circle: dict[str, Any]
) -> None:
    for cursor in ("@@@", "bm90LWEtZGF0ZQ"):  # the last is "not-a-date"
        response = await client.get(
            "/api/v1/circles/grief-and-loss/threads", params={"cursor": cursor}
        )
        error_of(response, 400, "bad_cursor")


# Editing


async def test_edit_keeps_history_and_marks_edited(
    user: Persona, thread: dict[str, Any], database: Database
) -> None:
    post_id = thread["post"]["id"]
    old_html = thread["post"]["body_html"]
    edited = await ok(
        await user.api.patch(f"/api/v1/posts/{post_id}", json={"body": "Hello, **all**."})
    )
    assert edited["id"] == post_id
    assert edited["body_html"].strip() == "<p>Hello, <strong>all</strong>.</p>"
    assert edited["edited_at"] is not None
    assert datetime.fromisoformat(edited["edited_at"]) >= datetime.fromisoformat(
        edited["created_at"]
    )

    history = await ok(await user.api.get(f"/api/v1/posts/{post_id}/revisions"))
    assert history["post_id"] == post_id
    assert [(r["body"], r["body_html"]) for r in history["revisions"]] == [
        ("Hello, *everyone*.", old_html)
    ]

    read = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert read["posts"][0]["body_html"] == edited["body_html"]
    assert read["posts"][0]["edited_at"] == edited["edited_at"]
    row = await post_row(database, post_id)
    assert row.body == "Hello, **all**."
    assert row.body_html == edited["body_html"]


async def test_each_edit_adds_a_revision(user: Persona, thread: dict[str, Any]) -> None:
    post_id = thread["post"]["id"]
    for body in ("Second text.", "Third text."):
        await ok(await user.api.patch(f"/api/v1/posts/{post_id}", json={"body": body}))
    history = await ok(await user.api.get(f"/api/v1/posts/{post_id}/revisions"))
    assert [r["body"] for r in history["revisions"]] == ["Hello, *everyone*.", "Second text."]


async def test_unchanged_edit_adds_no_revision(
    user: Persona, thread: dict[str, Any], database: Database
) -> None:
    post_id = thread["post"]["id"]
    same = await ok(
        await user.api.patch(f"/api/v1/posts/{post_id}", json={"body": "Hello, *everyone*."})
    )
    assert same["edited_at"] is None
    async with database.sessions() as db:
        count = await db.scalar(select(func.count()).select_from(PostRevision))
    assert count == 0


async def test_editing_someone_elses_post_is_403(
    other_user: Persona, circle: dict[str, Any], thread: dict[str, Any], database: Database
) -> None:
    await join(other_user, circle)
    post_id = thread["post"]["id"]
    response = await other_user.api.patch(f"/api/v1/posts/{post_id}", json={"body": "Mine now."})
    error_of(response, 403, "not_author")
    error_of(await other_user.api.delete(f"/api/v1/posts/{post_id}"), 403, "not_author")
    error_of(await other_user.api.get(f"/api/v1/posts/{post_id}/revisions"), 403, "not_author")
    row = await post_row(database, post_id)
    assert row.body == "Hello, *everyone*."
    assert row.status == "published"


async def test_edit_validates_body(
    user: Persona, thread: dict[str, Any], database: Database
) -> None:
    post_id = thread["post"]["id"]
    error_of(await user.api.patch(f"/api/v1/posts/{post_id}", json={"body": "   "}), 422)
    error_of(await user.api.patch(f"/api/v1/posts/{post_id}", json={"body": "x" * 20_001}), 422)
    assert (await post_row(database, post_id)).body == "Hello, *everyone*."


async def test_editing_unknown_post_is_404(user: Persona) -> None:
    error_of(await user.api.patch("/api/v1/posts/987654", json={"body": "Hi"}), 404)


# Deleting


async def test_deleting_own_post_shows_removed_by_author(
    client: httpx.AsyncClient,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    database: Database,
) -> None:
    await join(other_user, circle)
    answer = await reply(other_user, thread["id"], "Something I regret saying.")
    await ok(await other_user.api.patch(f"/api/v1/posts/{answer['id']}", json={"body": "Edited."}))
    deleted = await ok(await other_user.api.delete(f"/api/v1/posts/{answer['id']}"))
    assert deleted["status"] == "removed"
    assert deleted["removed_by"] == "author"
    assert deleted["body_html"] == ""

    data = await ok(await client.get(f"/api/v1/threads/{thread['id']}"))
    assert [p["id"] for p in data["posts"]] == [thread["post"]["id"], answer["id"]]
    removed = data["posts"][1]
    assert removed["status"] == "removed"
    assert removed["removed_by"] == "author"
    assert removed["body_html"] == ""
    assert "regret" not in str(data) and "Edited." not in str(data)

    page = await client.get(f"/threads/{thread['id']}")
    assert page.status_code == 200
    assert "Removed by its author" in page.text
    assert "regret" not in page.text and "Edited." not in page.text

    row = await post_row(database, answer["id"])
    assert row.body == "" and row.body_html == ""
    async with database.sessions() as db:
        kept = await db.scalar(
            select(func.count()).select_from(PostRevision).where(PostRevision.post_id == row.id)
        )
    assert kept == 0, "deleting removes the words, including earlier versions"


async def test_deleted_post_cannot_be_edited_again(user: Persona, thread: dict[str, Any]) -> None:
    post_id = thread["post"]["id"]
    await ok(await user.api.delete(f"/api/v1/posts/{post_id}"))
    error_of(await user.api.patch(f"/api/v1/posts/{post_id}", json={"body": "Back"}), 409)
    error_of(await user.api.delete(f"/api/v1/posts/{post_id}"), 409, "post_removed")


# Validation


async def test_empty_body_is_422(
    user: Persona, circle: dict[str, Any], thread: dict[str, Any], database: Database
) -> None:
    before = await count_rows(database, Post)
    started = await user.api.post(
        "/api/v1/circles/grief-and-loss/threads", json={"title": "Nothing here", "body": " \n "}
    )
    assert error_of(started, 422)["field"] == "body"
    replied = await user.api.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": ""})
    assert error_of(replied, 422)["field"] == "body"
    assert await count_rows(database, Post) == before


async def test_missing_fields_are_422(user: Persona, circle: dict[str, Any]) -> None:
    response = await user.api.post("/api/v1/circles/grief-and-loss/threads", json={"body": "x"})
    assert "title" in error_of(response, 422)["message"]


async def test_title_length_is_checked(
    user: Persona, circle: dict[str, Any], database: Database
) -> None:
    for title in ("t" * 201, "ab", "   "):
        response = await user.api.post(
            "/api/v1/circles/grief-and-loss/threads", json={"title": title, "body": "Fine body."}
        )
        error = error_of(response, 422)
        assert error["field"] == "title"
        assert "200" in error["message"]
    assert await count_rows(database, Thread) == 0
    await ok(
        await user.api.post(
            "/api/v1/circles/grief-and-loss/threads", json={"title": "t" * 200, "body": "Fine."}
        ),
        201,
    )


async def test_too_long_body_is_422_with_clear_message_and_no_row(
    user: Persona, circle: dict[str, Any], thread: dict[str, Any], database: Database
) -> None:
    posts, threads = await count_rows(database, Post), await count_rows(database, Thread)
    long_body = "a" * 20_001
    for response in (
        await user.api.post(
            "/api/v1/circles/grief-and-loss/threads", json={"title": "Long", "body": long_body}
        ),
        await user.api.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": long_body}),
    ):
        error = error_of(response, 422)
        assert error["field"] == "body"
        assert "20,000" in error["message"]
        assert "20,001" in error["message"]
    assert await count_rows(database, Post) == posts
    assert await count_rows(database, Thread) == threads
    await reply(user, thread["id"], "b" * 20_000)


async def test_posting_in_unknown_circle_is_404(user: Persona) -> None:
    response = await user.api.post(
        "/api/v1/circles/no-such-circle/threads", json={"title": "Hello", "body": "Hi"}
    )
    error_of(response, 404)


async def test_thread_in_other_circle_is_separate(
    user: Persona, make_circle: CircleFactory, make_thread: ThreadFactory
) -> None:
    first = await make_circle(user, slug="first-circle")
    second = await make_circle(user, slug="second-circle")
    in_first = await make_thread(user, first, title="Only in first")
    listing = await ok(await user.api.get("/api/v1/circles/second-circle/threads"))
    assert listing["threads"] == []
    data = await ok(await user.api.get(f"/api/v1/threads/{in_first['id']}"))
    assert data["circle"]["slug"] == "first-circle"
    assert second["slug"] == "second-circle"
