"""Rate limits kept in the database: buckets, growing sign-in delays, 429 with Retry-After."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from forum.db import transaction
from forum.errors import RateLimited
from forum.ratelimit.models import RateLimit
from forum.ratelimit.service import PRUNE_EVERY_SECONDS, Backoff, Limits
from tests.conftest import (
    BACKEND,
    PASSWORD,
    AppFactory,
    CircleFactory,
    Database,
    Persona,
    PersonaFactory,
    join,
    make_settings,
    ok,
)
from tests.forum.test_accounts import FORM_ERROR, Browser


class Clock:
    """Seconds since the epoch, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limited(make_app: AppFactory, clock: Clock) -> Callable[..., Starlette]:
    """An app with the given limits whose clock the test moves."""

    def make(**overrides: Any) -> Starlette:
        app = make_app(**overrides)
        app.state.circles.limits.clock = clock
        return app

    return make


Opener = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def client_from() -> AsyncIterator[Opener]:
    """Clients on an app that come from a given address, optionally with a token."""
    opened: list[httpx.AsyncClient] = []

    def open_(app: Starlette, host: str, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        transport = httpx.ASGITransport(app=app, client=(host, 1234))
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers))
        return opened[-1]

    yield open_
    for client in opened:
        await client.aclose()


def assert_limited(response: httpx.Response, doing: str) -> int:
    """429, Retry-After in whole seconds, and a sentence that says what and when."""
    assert response.status_code == 429, response.text
    wait = int(response.headers["retry-after"])
    assert wait >= 1
    error = response.json()["error"]
    assert error["code"] == "rate_limited" and error["retry_after"] == wait
    assert doing in error["message"] and str(wait) in error["message"], error["message"]
    return wait


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )


# Buckets


async def test_bucket_allows_a_burst_then_one_per_interval(
    database: Database, clock: Clock
) -> None:
    settings = make_settings(database.url, post_rate_burst=2, post_rate_seconds=6)
    limits = Limits(settings, database.sessions, clock)
    async with transaction(database.sessions) as db:
        for _ in range(2):
            await limits.keep_pace(db, limits.posts, "user:1")
        with pytest.raises(RateLimited) as refused:
            await limits.keep_pace(db, limits.posts, "user:1")
        assert refused.value.retry_after == 6
        clock.now += 3
        with pytest.raises(RateLimited) as refused:
            await limits.keep_pace(db, limits.posts, "user:1")
        assert refused.value.retry_after == 3
        clock.now += 3
        await limits.keep_pace(db, limits.posts, "user:1")
        await limits.keep_pace(db, limits.posts, "user:2")  # members don't share a bucket
        await limits.keep_pace(db, limits.reports, "user:1")  # nor do actions


async def test_rows_that_limit_nothing_any_more_are_pruned(
    database: Database, clock: Clock
) -> None:
    limits = Limits(make_settings(database.url), database.sessions, clock)
    async with transaction(database.sessions) as db:
        for n in range(5):
            await limits.keep_pace(db, limits.posts, f"user:{n}")
    clock.now += PRUNE_EVERY_SECONDS + limits.posts.burst * limits.posts.seconds
    async with transaction(database.sessions) as db:
        await limits.keep_pace(db, limits.posts, "user:new")
    async with database.sessions() as db:
        keys = (await db.scalars(select(RateLimit.key))).all()
    assert keys == ["user:new"]


def test_sign_in_delays_double_after_the_allowance_up_to_a_cap() -> None:
    rule = Backoff("login_account", attempts=3, delay=1, longest=10, forget_after=900)
    assert [rule.wait_after(n) for n in range(1, 9)] == [0, 0, 1, 2, 4, 8, 10, 10]
    assert rule.wait_after(10_000) == 10


# Each limited action answers 429 past its limit


async def test_posting_past_the_limit_is_429(
    limited: Callable[..., Starlette],
    client_from: Opener,
    user: Persona,
    thread: dict[str, Any],
) -> None:
    api = client_from(limited(post_rate_burst=2, post_rate_seconds=60), "192.0.2.1", user.token)
    path = f"/api/v1/threads/{thread['id']}/posts"
    for n in range(2):
        await ok(await api.post(path, json={"body": f"Reply {n}"}), 201)
    assert assert_limited(await api.post(path, json={"body": "more"}), "posting") == 60


async def test_reporting_past_the_limit_is_429(
    limited: Callable[..., Starlette],
    client_from: Opener,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    reader = await make_persona()
    await join(reader, circle)
    api = client_from(
        limited(report_rate_burst=1, report_rate_seconds=30), "192.0.2.1", reader.token
    )
    post_id = thread["post"]["id"]
    body = {"content_type": "post", "content_id": post_id, "reason": "unkind"}
    await ok(await api.post("/api/v1/reports", json=body), 201)
    assert assert_limited(await api.post("/api/v1/reports", json=body), "reporting") == 30


async def test_inviting_past_the_limit_is_429(
    limited: Callable[..., Starlette],
    client_from: Opener,
    make_persona: PersonaFactory,
    user: Persona,
    make_circle: CircleFactory,
) -> None:
    private = await make_circle(user, visibility="private")
    api = client_from(limited(invite_rate_burst=1, invite_rate_seconds=45), "192.0.2.1", user.token)
    first, second = await make_persona(), await make_persona()
    path = f"/api/v1/circles/{private['slug']}/members"
    await ok(await api.post(path, json={"username": first.username}), 201)
    refused = await api.post(path, json={"username": second.username})
    assert assert_limited(refused, "inviting people") == 45


def _account(n: int) -> dict[str, str]:
    return {
        "username": f"newcomer-{n}",
        "password": "a long enough pass",
        "display_name": f"New {'ACDEFGHJK'[n]}",
    }


async def test_registering_past_the_limit_for_an_address_is_429(
    limited: Callable[..., Starlette], client_from: Opener
) -> None:
    app = limited(register_rate_burst=2, register_rate_seconds=600)
    here, elsewhere = client_from(app, "192.0.2.1"), client_from(app, "198.51.100.2")
    for n in range(2):
        await ok(await here.post("/api/v1/auth/register", json=_account(n)), 201)
    refused = await here.post("/api/v1/auth/register", json=_account(2))
    assert assert_limited(refused, "creating accounts") == 600
    await ok(await elsewhere.post("/api/v1/auth/register", json=_account(3)), 201)


async def test_a_refused_registration_does_not_use_up_the_allowance(
    limited: Callable[..., Starlette], client_from: Opener
) -> None:
    here = client_from(limited(register_rate_burst=1), "192.0.2.1")
    taken = {**_account(0), "password": "short"}
    assert (await here.post("/api/v1/auth/register", json=taken)).status_code == 422
    await ok(await here.post("/api/v1/auth/register", json=_account(0)), 201)


async def test_register_form_past_the_limit_keeps_what_was_typed(
    limited: Callable[..., Starlette],
) -> None:
    page = Browser(limited(register_rate_burst=1, register_rate_seconds=600))
    try:
        form = {"username": "first-one", "password": "a long enough pass", "display_name": "One"}
        assert (await page.submit("/register", form, "/register")).status_code == 303
        page.http.cookies.delete("circles_session")
        second = {**form, "username": "second-one", "display_name": "Second Person"}
        refused = await page.submit("/register", second, "/register")
    finally:
        await page.aclose()
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "600"
    error = FORM_ERROR.search(refused.text)
    assert error is not None and "creating accounts faster" in error.group(1)
    assert "second-one" in refused.text and "Second Person" in refused.text


# Sign-in failures: per account and per address, growing delays


async def test_failures_against_one_account_do_not_lock_out_another_behind_the_same_address(
    limited: Callable[..., Starlette],
    client_from: Opener,
    user: Persona,
    other_user: Persona,
) -> None:
    app = limited(login_rate_attempts=3, login_delay_seconds=30)
    nat = client_from(app, "203.0.113.9")
    for _ in range(3):
        assert (await sign_in(nat, user.username, "not the password")).status_code == 401
    assert_limited(await sign_in(nat, user.username, PASSWORD), "sign-in attempts")
    await ok(await sign_in(nat, other_user.username, other_user.password))


async def test_an_account_waits_longer_after_each_failure_up_to_the_cap(
    limited: Callable[..., Starlette], client_from: Opener, clock: Clock, user: Persona
) -> None:
    app = limited(login_rate_attempts=2, login_delay_seconds=1, login_delay_max_seconds=8)
    api = client_from(app, "192.0.2.1")
    elsewhere = client_from(app, "198.51.100.2")
    waits = []
    for _ in range(2):
        assert (await sign_in(api, user.username, "wrong guess")).status_code == 401
    for _ in range(5):
        # The account waits, from wherever the next try comes.
        waits.append(assert_limited(await sign_in(elsewhere, user.username, PASSWORD), "sign-in"))
        clock.now += waits[-1]
        assert (await sign_in(api, user.username, "wrong guess")).status_code == 401
    assert waits == [1, 2, 4, 8, 8]


@pytest.mark.skipif(
    BACKEND == "postgres",
    reason="PostgreSQL tests share one connection per test, which cannot take requests at "
    "once; tests/forum/test_ratelimit_processes.py sends the burst to two real servers",
)
async def test_guesses_sent_at_once_get_no_more_tries_than_guesses_sent_one_by_one(
    limited: Callable[..., Starlette], client_from: Opener, user: Persona
) -> None:
    """Every try is counted before its password is checked, so a burst lines up."""
    app = limited(login_rate_attempts=3, login_delay_seconds=30)
    guessers = [client_from(app, f"192.0.2.{n}") for n in range(12)]
    answers = await asyncio.gather(
        *(sign_in(guesser, user.username, f"guess {n}") for n, guesser in enumerate(guessers))
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * 3 + [429] * 9, statuses
    assert assert_limited(await sign_in(guessers[0], user.username, PASSWORD), "sign-in") == 30


async def test_a_right_password_takes_back_its_try_from_the_address(
    limited: Callable[..., Starlette], client_from: Opener, user: Persona, database: Database
) -> None:
    api = client_from(limited(login_rate_attempts=100, login_address_attempts=3), "192.0.2.7")
    assert (await sign_in(api, "nobody-here", "guess")).status_code == 401
    for _ in range(4):  # none of these counts against the people behind this address
        await ok(await sign_in(api, user.username, PASSWORD))
    async with database.sessions() as db:
        rows = (await db.execute(select(RateLimit.action, RateLimit.key, RateLimit.level))).all()
    assert sorted(rows) == [
        ("login_account", "nobody-here", 1.0),
        ("login_address", "192.0.2.7", 1.0),
    ]


async def test_signing_in_resets_the_accounts_count(
    limited: Callable[..., Starlette], client_from: Opener, clock: Clock, user: Persona
) -> None:
    api = client_from(limited(login_rate_attempts=2, login_delay_seconds=5), "192.0.2.1")
    for _ in range(2):
        assert (await sign_in(api, user.username, "wrong guess")).status_code == 401
    assert assert_limited(await sign_in(api, user.username, PASSWORD), "sign-in") == 5
    clock.now += 5
    await ok(await sign_in(api, user.username, PASSWORD))
    # Counting starts again: one more failure is within the allowance.
    assert (await sign_in(api, user.username, "wrong guess")).status_code == 401
    await ok(await sign_in(api, user.username, PASSWORD))


async def test_failures_are_forgotten_after_a_quiet_window(
    limited: Callable[..., Starlette], client_from: Opener, clock: Clock, user: Persona
) -> None:
    app = limited(login_rate_attempts=2, login_delay_seconds=5, login_rate_window_seconds=600)
    api = client_from(app, "192.0.2.1")
    assert (await sign_in(api, user.username, "wrong guess")).status_code == 401
    clock.now += 601
    assert (await sign_in(api, user.username, "wrong guess")).status_code == 401
    assert (await sign_in(api, user.username, "wrong guess")).status_code == 401


async def test_an_address_trying_many_accounts_is_slowed_down(
    limited: Callable[..., Starlette], client_from: Opener, user: Persona
) -> None:
    app = limited(login_rate_attempts=100, login_address_attempts=4, login_delay_seconds=20)
    guesser, neighbour = client_from(app, "192.0.2.66"), client_from(app, "192.0.2.67")
    for n in range(4):
        assert (await sign_in(guesser, f"someone-{n}", "guess")).status_code == 401
    assert assert_limited(await sign_in(guesser, user.username, PASSWORD), "sign-in") == 20
    await ok(await sign_in(neighbour, user.username, PASSWORD))


async def test_login_form_past_the_limit_says_how_long_to_wait(
    limited: Callable[..., Starlette], user: Persona
) -> None:
    page = Browser(limited(login_rate_attempts=1, login_delay_seconds=7))
    try:
        assert (await page.login(user.username, "wrong guess")).status_code == 401
        refused = await page.login(user.username, PASSWORD)
    finally:
        await page.aclose()
    assert refused.status_code == 429 and refused.headers["retry-after"] == "7"
    error = FORM_ERROR.search(refused.text)
    assert error is not None and "wait 7 seconds" in error.group(1)
    assert user.username in refused.text  # the name they typed stays in the form


async def test_sign_in_failures_are_kept_in_the_database(
    limited: Callable[..., Starlette], client_from: Opener, database: Database, user: Persona
) -> None:
    api = client_from(limited(), "192.0.2.1")
    assert (await sign_in(api, user.username, "wrong guess")).status_code == 401
    async with database.sessions() as db:
        rows = (await db.execute(select(RateLimit.action, RateLimit.key, RateLimit.level))).all()
    assert sorted(rows) == [("login_account", "alex", 1.0), ("login_address", "192.0.2.1", 1.0)]
    async with database.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(RateLimit)) == 2
