"""Hot pages send a small, fixed number of SQL statements, however long the thread."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from forum.db import QueryCounter
from tests.conftest import Database, Persona, ThreadFactory, join, ok
from tests.forum.test_pages import Opener, signed_in

__all__ = ["signed_in"]  # the fixture, shared with test_pages

DATA_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


def forget_caches(app: Starlette) -> None:
    state = app.state.circles
    state.read_cache.principals.clear()
    state.read_cache.memberships.clear()
    state.read_cache.threads.clear()
    state.read_cache.blocked.clear()
    state.page_cache.clear()


def data_statements(counter: QueryCounter) -> list[str]:
    """The statements that touch data: savepoints and pragmas differ between backends."""
    return [s for s in counter.statements if s.lstrip().upper().startswith(DATA_STATEMENTS)]


async def counted(
    database: Database, http: httpx.AsyncClient, url: str
) -> tuple[httpx.Response, list[str]]:
    with QueryCounter(database.engine) as counter:
        response = await http.get(url)
    assert response.status_code == 200, response.text
    return response, data_statements(counter)


async def steady(
    database: Database, http: httpx.AsyncClient, url: str
) -> tuple[httpx.Response, list[str]]:
    """Counts a repeat visit: who is signed in may be remembered for a few seconds."""
    assert (await http.get(url)).status_code == 200
    return await counted(database, http, url)


async def add_replies(persona: Persona, thread: dict[str, Any], count: int) -> None:
    for n in range(count):
        await ok(
            await persona.api.post(
                f"/api/v1/threads/{thread['id']}/posts", json={"body": f"Reply {n}, *kindly*."}
            ),
            201,
        )


@pytest.fixture
async def two_threads(
    user: Persona, other_user: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A thread with 2 posts and one with 50, by two different authors."""
    await join(other_user, circle)
    short = await make_thread(user, circle, title="Short thread")
    await add_replies(other_user, short, 1)
    long = await make_thread(user, circle, title="Long thread")
    await add_replies(other_user, long, 25)
    await add_replies(user, long, 24)
    return short, long


# Pinned numbers. If a change makes one of these go up, look for an N+1 before
# raising it; if one goes down, lower it here.
# Cold: nothing cached (who the member is, their membership, whom they blocked, the
# thread's snapshot, with one query for the page's reaction counts).
SIGNED_IN_THREAD_PAGE_COLD = 7
ANONYMOUS_THREAD_PAGE = 4
API_THREAD_READ_COLD = 7
# Warm, on a page where posts have reactions: which of them this member gave.
WARM_READ_WITH_REACTIONS = 1
# Warm: a repeat visit within the cache's few seconds needs no SQL at all.
WARM_READ = 0
CIRCLE_PAGE_ANONYMOUS = 3
CIRCLE_PAGE_SIGNED_IN = 4


async def test_signed_in_thread_page_queries_do_not_grow_with_posts(
    app: Starlette,
    signed_in: Opener,
    other_user: Persona,
    database: Database,
    two_threads: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    short, long = two_threads
    browser = await signed_in(other_user)
    cold, warm = [], []
    for thread, posts in ((short, 2), (long, 50)):
        forget_caches(app)
        response, statements = await counted(database, browser, f"/threads/{thread['id']}")
        assert response.text.count('class="post card"') == posts
        assert 'id="reply-body"' in response.text
        cold.append(len(statements))
        again, statements = await counted(database, browser, f"/threads/{thread['id']}")
        assert again.text == response.text
        warm.append(len(statements))
    assert cold == [SIGNED_IN_THREAD_PAGE_COLD] * 2, cold
    assert warm == [WARM_READ] * 2, warm


async def test_reactions_cost_a_signed_in_reader_one_query_however_many_posts_have_them(
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    database: Database,
    two_threads: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, long = two_threads
    page = await ok(await user.api.get(f"/api/v1/threads/{long['id']}"))
    by_user = [p["id"] for p in page["posts"] if p["author"]["display_name"] == "Alex"][:20]
    for post_id in by_user:
        await ok(await other_user.api.put(f"/api/v1/posts/{post_id}/reactions/with_you"))
    browser = await signed_in(other_user)
    await browser.get(f"/threads/{long['id']}")
    again, statements = await counted(database, browser, f"/threads/{long['id']}")
    assert again.text.count('value="with_you" class="reaction" aria-pressed="true"') == 20
    assert len(statements) == WARM_READ_WITH_REACTIONS, statements


async def test_anonymous_thread_page_cold_render_is_pinned_and_cached_hit_is_free(
    client: httpx.AsyncClient,
    database: Database,
    two_threads: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    for thread, posts in zip(two_threads, (2, 50), strict=True):
        cold, statements = await counted(database, client, f"/threads/{thread['id']}")
        assert cold.text.count('class="post card"') == posts
        assert len(statements) == ANONYMOUS_THREAD_PAGE, statements

        with QueryCounter(database.engine) as counter:
            hit = await client.get(f"/threads/{thread['id']}")
        assert hit.status_code == 200
        assert hit.content == cold.content
        assert counter.count == 0, counter.statements


async def test_api_thread_read_queries_do_not_grow_with_posts(
    app: Starlette,
    other_user: Persona,
    database: Database,
    two_threads: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    for thread, posts in zip(two_threads, (2, 50), strict=True):
        forget_caches(app)
        url = f"/api/v1/threads/{thread['id']}"
        response, statements = await counted(database, other_user.api, url)
        assert len(response.json()["posts"]) == posts
        assert len(statements) == API_THREAD_READ_COLD, statements
        again, statements = await counted(database, other_user.api, url)
        assert again.json() == response.json()
        assert len(statements) == WARM_READ, statements


async def test_circle_page_queries_are_pinned(
    client: httpx.AsyncClient,
    signed_in: Opener,
    user: Persona,
    database: Database,
    circle: dict[str, Any],
    make_thread: ThreadFactory,
    two_threads: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    url = f"/c/{circle['slug']}"
    few, statements = await counted(database, client, url)
    assert few.text.count('href="/threads/') == 2
    assert len(statements) == CIRCLE_PAGE_ANONYMOUS, statements

    for n in range(10):
        await make_thread(user, circle, title=f"More threads {n}")
    many, statements = await counted(database, client, url)
    assert many.text.count('href="/threads/') == 12
    assert len(statements) == CIRCLE_PAGE_ANONYMOUS, statements

    browser = await signed_in(user)
    _, statements = await steady(database, browser, url)
    assert len(statements) == CIRCLE_PAGE_SIGNED_IN, statements


async def test_readers_arriving_together_share_one_cold_build(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    two_threads: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, long = two_threads
    forget_caches(app)
    url = f"/api/v1/threads/{long['id']}"
    with QueryCounter(database.engine) as counter:
        responses = await asyncio.gather(*(client.get(url) for _ in range(10)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    statements = data_statements(counter)
    # One build for all ten (the anonymous API read needs no member lookups).
    assert len(statements) == ANONYMOUS_THREAD_PAGE, statements


async def test_a_build_that_overlaps_a_write_is_not_kept(
    app: Starlette,
    client: httpx.AsyncClient,
    user: Persona,
    two_threads: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    short, _ = two_threads
    forget_caches(app)
    cache = app.state.circles.read_cache
    first = client.get(f"/api/v1/threads/{short['id']}")
    # The reply commits (and forgets the thread) while the first read may still be building.
    replied, read = await asyncio.gather(
        user.api.post(f"/api/v1/threads/{short['id']}/posts", json={"body": "Still here."}),
        first,
    )
    assert replied.status_code == 201 and read.status_code == 200
    later = await ok(await client.get(f"/api/v1/threads/{short['id']}"))
    assert later["posts"][-1]["body_html"] == "<p>Still here.</p>\n"
    assert cache.generation(short["id"]) >= 1
