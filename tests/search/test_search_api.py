"""Search over the API: what is found, what never is, and searches that can't break it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from forum.cli import migrate
from forum.config import Settings
from forum.db import make_engine, make_sessionmaker, transaction, utcnow
from forum.search import repository
from forum.search.repository import Clause, Scope, Terms
from forum.search.service import MAX_HITS, MAX_QUERY, parse_query
from forum.threads.models import Post, Thread
from tests.conftest import (
    BACKEND,
    Database,
    Persona,
    ThreadFactory,
    fresh_database,
    join,
    ok,
    reply,
)


async def search(who: Persona | httpx.AsyncClient, q: str) -> list[dict[str, Any]]:
    api = who.api if isinstance(who, Persona) else who
    found: list[dict[str, Any]] = (await ok(await api.get("/api/v1/search", params={"q": q})))[
        "items"
    ]
    return found


def ids(items: list[dict[str, Any]], kind: str = "post") -> list[int]:
    return [item["id"] for item in items if item["type"] == kind]


async def decide(moderator: Persona, post_id: int, action: str, **extra: Any) -> None:
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    item = next(
        i for i in queue["items"] if (i["content_type"], i["content_id"]) == ("post", post_id)
    )
    await ok(await moderator.api.post(f"/api/v1/moderation/items/{item['id']}/claim", json={}))
    await ok(
        await moderator.api.post(
            f"/api/v1/moderation/items/{item['id']}/decision", json={"action": action, **extra}
        )
    )


# What is found


async def test_a_title_and_a_post_body_are_found(
    user: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    made = await make_thread(
        user, circle, title="Evenings after the funeral", body="The lanterns by the river help."
    )
    [thread] = await search(user, "evenings")
    assert thread == {
        "type": "thread",
        "id": made["id"],
        "thread_id": made["id"],
        "circle": "grief-and-loss",
        "title": "Evenings after the funeral",
        "snippet": "Evenings after the funeral",
    }
    [post] = await search(user, "LANTERNS")
    assert post == {
        "type": "post",
        "id": made["post"]["id"],
        "thread_id": made["id"],
        "circle": "grief-and-loss",
        "title": "Evenings after the funeral",
        "snippet": "The lanterns by the river help.",
    }
    assert await search(user, "lantern") == []  # whole words, as written


async def test_a_long_post_gives_a_snippet_around_the_match(
    user: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    body = "Before. " + "word " * 100 + "the\nlanterns  by the river " + "after " * 100
    await make_thread(user, circle, title="A long evening", body=body)
    [post] = await search(user, "lanterns")
    snippet = post["snippet"]
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "the lanterns by the river" in snippet
    assert len(snippet) <= 210 and "Before" not in snippet


async def test_results_are_capped_newest_first(
    user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    made = [
        (await reply(user, thread, f"Lanterns, evening {n}."))["id"] for n in range(MAX_HITS + 3)
    ]
    found = await search(user, "lanterns")
    assert ids(found) == made[::-1][:MAX_HITS]


# What is never found


async def test_private_circle_posts_are_found_by_members_only(
    user: Persona,
    other_user: Persona,
    private_circle: dict[str, Any],
    make_thread: ThreadFactory,
    client: httpx.AsyncClient,
) -> None:
    made = await make_thread(user, private_circle, title="Lanterns in private", body="Lanterns.")
    assert ids(await search(user, "lanterns"), "thread") == [made["id"]]
    assert ids(await search(user, "lanterns")) == [made["post"]["id"]]
    assert await search(other_user, "lanterns") == []
    assert await search(client, "lanterns") == []


async def test_a_held_post_is_found_only_once_a_moderator_approves_it(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await ok(
        await user.api.post(
            f"/api/v1/circles/{circle['slug']}/moderation/watched-words",
            json={"phrase": "casserole", "action": "hold"},
        ),
        201,
    )
    await join(other_user, circle)
    held = await reply(other_user, thread, "I brought the casserole and the lanterns.")
    assert held["status"] == "pending"
    assert await search(user, "lanterns") == []
    assert await search(other_user, "lanterns") == []  # not even its author: only published
    await decide(moderator, held["id"], "approve")
    assert ids(await search(user, "lanterns")) == [held["id"]]


async def test_a_post_its_author_deleted_is_not_found(
    user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    post = await reply(user, thread, "The lanterns by the river.")
    assert ids(await search(user, "lanterns")) == [post["id"]]
    await ok(await user.api.delete(f"/api/v1/posts/{post['id']}"))
    assert await search(user, "lanterns") == []


async def test_a_post_a_moderator_removed_is_not_found(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post = await reply(other_user, thread, "The lanterns by the river.")
    await ok(
        await user.api.post(
            "/api/v1/reports",
            json={"content_type": "post", "content_id": post["id"], "reason": "It upset me"},
        ),
        201,
    )
    await decide(moderator, post["id"], "remove", rule_id=circle["rules"]["items"][0]["id"])
    assert await search(user, "lanterns") == []
    assert await search(moderator, "lanterns") == []


async def test_an_edited_post_is_found_by_its_new_words_only(
    user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    post = await reply(user, thread, "The lanterns by the river.")
    await ok(await user.api.patch(f"/api/v1/posts/{post['id']}", json={"body": "The candles."}))
    assert await search(user, "lanterns") == []
    [found] = await search(user, "candles")
    assert (found["id"], found["snippet"]) == (post["id"], "The candles.")


async def test_a_blocked_members_threads_and_posts_are_not_found(
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    make_thread: ThreadFactory,
    client: httpx.AsyncClient,
) -> None:
    await join(other_user, circle)
    post = await reply(other_user, thread, "The lanterns by the river.")
    theirs = await make_thread(
        other_user, circle, title="Lanterns again", body="Lanterns, quietly."
    )
    assert len(await search(user, "lanterns")) == 3
    await ok(await user.api.post(f"/api/v1/me/blocks/{other_user.username}"), 201)
    assert await search(user, "lanterns") == []
    # Only the member who blocked stops seeing them.
    assert ids(await search(client, "lanterns")) == [theirs["post"]["id"], post["id"]]
    assert ids(await search(client, "lanterns"), "thread") == [theirs["id"]]


async def test_results_with_muted_words_are_marked_muted(
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    await join(other_user, circle)
    plain = await reply(other_user, thread, "The lanterns by the river.")
    muted = await reply(other_user, thread, "Lanterns outside the HOSPITAL.")
    titled = await make_thread(other_user, circle, title="Hospital lanterns", body="Quiet ones.")
    await ok(await user.api.patch("/api/v1/me", json={"muted_words": ["hospital"]}))
    found = {(item["type"], item["id"]): item for item in await search(user, "lanterns")}
    assert found[("post", muted["id"])]["muted"] is True
    assert found[("post", muted["id"])]["snippet"] == "Lanterns outside the HOSPITAL."
    assert found[("thread", titled["id"])]["muted"] is True
    assert "muted" not in found[("post", plain["id"])]
    assert not any("muted" in item for item in await search(other_user, "lanterns"))


async def test_a_snippet_is_the_text_as_written_never_html(
    user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await reply(user, thread, 'Lanterns <script>alert("x")</script> and **bold**.')
    [found] = await search(user, "lanterns")
    assert found["snippet"] == 'Lanterns <script>alert("x")</script> and **bold**.'


# Searches a reader may type


@pytest.mark.parametrize("q", ["", "   ", "\t\n"])
async def test_an_empty_search_is_refused_with_a_message(client: httpx.AsyncClient, q: str) -> None:
    response = await client.get("/api/v1/search", params={"q": q})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "empty_query",
        "message": "Please type a word or phrase to search for.",
    }
    assert (await client.get("/api/v1/search")).status_code == 400


async def test_an_over_long_search_is_refused_with_a_message(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/search", params={"q": "a" * MAX_QUERY})).status_code == 200
    response = await client.get("/api/v1/search", params={"q": "a" * (MAX_QUERY + 1)})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "query_too_long"
    assert f"at most {MAX_QUERY} characters" in error["message"]


async def test_phrases_alternatives_and_left_out_words_work(
    user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    quiet_garden = (await reply(user, thread, "A quiet garden in the rain."))["id"]
    garden_quiet = (await reply(user, thread, "The garden was quiet, with lanterns."))["id"]
    roof = (await reply(user, thread, "Rain on the roof."))["id"]
    assert ids(await search(user, "garden quiet")) == [garden_quiet, quiet_garden]
    assert ids(await search(user, '"quiet garden"')) == [quiet_garden]
    assert ids(await search(user, '"QUIET garden')) == [quiet_garden]  # closed by the end
    assert ids(await search(user, "garden -lanterns")) == [quiet_garden]
    assert ids(await search(user, 'garden -"garden was"')) == [quiet_garden]
    assert ids(await search(user, "roof or lanterns")) == [roof, garden_quiet]
    # As in websearch_to_tsquery: (garden and lanterns) or rain.
    assert ids(await search(user, "garden lanterns OR rain")) == [roof, garden_quiet, quiet_garden]
    assert ids(await search(user, "garden -rain or roof")) == [roof, garden_quiet]
    assert await search(user, "-garden") == []  # nothing asked for: nothing found


@pytest.mark.parametrize(
    "q",
    [
        '"unclosed',
        '"',
        'lanterns"',
        "NEAR(",
        "NEAR(lanterns river, 2)",
        "a OR",
        "OR",
        "*",
        "lanterns*",
        "AND",
        "NOT lanterns",
        "(",
        ")",
        "body:lanterns",
        "^lanterns",
        "-",
        "--",
        "'",
        "!!",
        "&|<->",
        "lanterns:*",
        "x'); DROP TABLE posts; --",
        "😊",
    ],
)
async def test_search_syntax_typed_by_a_reader_never_fails(
    user: Persona, thread: dict[str, Any], q: str
) -> None:
    await reply(user, thread, "The lanterns by the river.")
    response = await user.api.get("/api/v1/search", params={"q": q})
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["items"], list)


async def test_words_inside_fts5_syntax_are_still_searched(
    user: Persona, thread: dict[str, Any]
) -> None:
    post = await reply(user, thread, "The lanterns by the river.")
    for q in ('"lanterns', "lanterns*", "(lanterns)", "lanterns:*", "^lanterns", "lanterns,"):
        assert ids(await search(user, q)) == [post["id"]], q


def test_parse_query_reads_phrases_clauses_and_left_out_words() -> None:
    terms = parse_query('  grief  "my  ex" OR Mum -"the hospital" -- -x_y * or -alone or')
    assert terms == Terms((Clause(("grief", "my ex")), Clause(("Mum",), ("the hospital", "x y"))))


def test_both_backends_are_given_only_quoted_words() -> None:
    terms = parse_query('near(a, b) AND "c*" OR d -"e f" NOT')
    assert (
        repository.fts5_query(terms)
        == '(("near" AND "a" AND "b" AND "AND" AND "c")) OR (("d" AND "NOT") NOT "e f")'
    )
    assert repository.websearch_text(terms) == '"near" "a" "b" "AND" "c" or "d" "NOT" -"e f"'


# The index


@pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL's expression indexes")
async def test_postgres_searches_use_the_expression_indexes(
    database: Database, user: Persona, thread: dict[str, Any]
) -> None:
    """The match the searches send is the indexed expression, so the index can answer it.

    Asked of the match alone: the whole search may rightly start from another index (a
    circle's threads) when the tables are small, as they are in a test database.
    """
    terms = parse_query("lanterns")
    async with database.sessions() as db:
        # With a few rows a sequential scan is cheaper: forbid it to see that the index fits.
        await db.execute(text("SET LOCAL enable_seqscan = off"))
        plans = []
        for searched, row_id in ((Thread.title, Thread.id), (Post.body, Post.id)):
            query = select(row_id).where(repository._match(db, searched, row_id, terms))
            compiled = query.compile(
                dialect=database.engine.dialect, compile_kwargs={"literal_binds": True}
            )
            rows = await db.execute(text(f"EXPLAIN {compiled}"))
            plans.append("\n".join(row[0] for row in rows))
    assert "ix_threads_title_search" in plans[0], plans[0]
    assert "ix_posts_body_search" in plans[1], plans[1]


async def test_posts_written_before_the_migration_are_found_after_it(tmp_path: Path) -> None:
    """Upgrading indexes what is already there; downgrading drops the search structures."""
    db = await fresh_database(tmp_path)
    engine = make_engine(db.url, pool_size=1)
    try:
        await asyncio.to_thread(migrate, Settings(database_url=db.url), "0014")
        # Everything written as the schema stood at 0014: the models have gained columns
        # since (users.locale, posts.reactions_off), so the rows go in as SQL of that day.
        now = utcnow()
        async with transaction(make_sessionmaker(engine)) as s:
            await s.execute(
                text(
                    "INSERT INTO users (id, username, username_key, display_name, "
                    "display_name_key, password_hash, role, created_at) VALUES "
                    "(1, 'alex', 'alex', 'Alex', 'alex', 'x', 'member', :now)"
                ),
                {"now": now},
            )
            await s.execute(
                text(
                    "INSERT INTO circles (id, slug, name, description, visibility, "
                    "rules_version, created_by, created_at) VALUES "
                    "(1, 'lanterns', 'Lanterns', '', 'public', 1, 1, :now)"
                ),
                {"now": now},
            )
            thread = Thread(circle_id=1, author_id=1, title="Old lanterns")
            s.add(thread)
            await s.flush()
            await s.execute(
                text(
                    "INSERT INTO posts (thread_id, author_id, body, body_html, status, "
                    "created_at) VALUES (:thread, 1, 'Old candles.', '', 'published', :now)"
                ),
                {"thread": thread.id, "now": now},
            )
        await engine.dispose()
        await asyncio.to_thread(migrate, Settings(database_url=db.url), "head")
        async with make_sessionmaker(engine)() as s:
            assert (
                len(await repository.find_threads(s, parse_query("lanterns"), Scope(None), 5)) == 1
            )
            assert len(await repository.find_posts(s, parse_query("candles"), Scope(None), 5)) == 1
    finally:
        await engine.dispose()
        await db.drop()
