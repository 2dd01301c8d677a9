"""Every route and websocket of the app, called by every persona, answers as the table says.

The routes come from `create_app().routes`: a route the table doesn't list, or a row
for a route that is gone, fails, so nobody adds a route without deciding who may call
it. The calls go to a real `circles serve`, the API with Bearer tokens, pages with a
session cookie and CSRF token, websockets with a real client.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from forum import security
from forum.app import create_app
from forum.db import make_engine, make_sessionmaker
from tests.conftest import PASSWORD, FreshDatabase, fresh_database, make_settings
from tests.forum.authz_outcomes import Row, observed, parse
from tests.forum.authz_requests import Spec, spec_for
from tests.forum.authz_table import TABLE
from tests.forum.authz_world import CSRF_SEED, PERSONAS, Actor, World, build
from tests.live import LiveServer, circles_server

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
WEBSOCKET = "WS"
# Limits that would otherwise answer 429 long before the matrix is done.
UNLIMITED = {
    f"CIRCLES_{name}_RATE_BURST": "100000"
    for name in ("POST", "CHAT", "REPORT", "INVITE", "REGISTER", "RESET")
}

PERSONA_NAMES, ROWS = parse(TABLE)


def routes_of(app: Starlette) -> set[str]:
    """`METHOD path` for every route and method, `WS path` for websockets (not /static)."""
    found: set[str] = set()
    for route in app.routes:
        if isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            continue
        if isinstance(route, WebSocketRoute):
            found.add(f"{WEBSOCKET} {route.path}")
        else:
            assert isinstance(route, Route) and route.methods, f"unexpected route {route!r}"
            found |= {f"{method} {route.path}" for method in route.methods - {"HEAD"}}
    return found


def undecided(app: Starlette) -> tuple[list[str], list[str]]:
    """Routes the table leaves out, and rows for routes the app doesn't have."""
    routes, listed = routes_of(app), {row.key for row in ROWS}
    return sorted(routes - listed), sorted(listed - routes)


def test_table_lists_every_route_and_no_other() -> None:
    missing, gone = undecided(create_app(make_settings("sqlite+aiosqlite:///:memory:")))
    assert not missing, f"routes nobody decided who may call: {missing}"
    assert not gone, f"rows for routes that don't exist: {gone}"


def test_a_new_route_or_socket_without_a_row_is_caught() -> None:
    async def handler(request: Any) -> Any:
        raise AssertionError("never called")

    app = Starlette(
        routes=[
            Route("/api/v1/me", handler, methods=["GET", "DELETE"]),
            WebSocketRoute("/ws/widgets", handler),
        ]
    )
    missing, gone = undecided(app)
    assert missing == ["DELETE /api/v1/me", "WS /ws/widgets"]
    assert "GET /api/v1/circles" in gone


def test_a_malformed_table_is_refused() -> None:
    header = "method path anonymous member"
    with pytest.raises(AssertionError, match="unknown outcomes"):
        parse(f"{header}\nGET /a ok maybe")
    with pytest.raises(AssertionError, match="1 cells for 2"):
        parse(f"{header}\nGET /a ok")
    with pytest.raises(AssertionError, match="listed twice"):
        parse(f"{header}\nGET /a ok ok\nGET /a ok 404")


def test_every_persona_has_a_set_up() -> None:
    assert list(PERSONAS) == PERSONA_NAMES


@pytest.fixture(scope="module")
async def matrix_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FreshDatabase]:
    db = await fresh_database(tmp_path_factory.mktemp("authz"))
    yield db
    await db.drop()


@pytest.fixture(scope="module")
def secret_key() -> str:
    return secrets.token_hex(32)


@pytest.fixture(scope="module")
def matrix_server(matrix_database: FreshDatabase, secret_key: str) -> Iterator[LiveServer]:
    with circles_server(matrix_database.url, CIRCLES_SECRET_KEY=secret_key, **UNLIMITED) as server:
        yield server


@pytest.fixture(scope="module")
async def world(
    matrix_server: LiveServer, matrix_database: FreshDatabase, secret_key: str
) -> AsyncIterator[World]:
    # Hundreds of accounts share one password: hashed once, with argon2id's cheapest
    # parameters, so neither this process nor the server (which reads the parameters
    # from the stored hash) spends a second on each. The server's own hashing is untouched.
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    engine = make_engine(matrix_database.url, pool_size=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "hash_password", lambda password: cheap)
        async with httpx.AsyncClient(base_url=matrix_server.base_url, timeout=20) as http:
            world = World(matrix_server, make_sessionmaker(engine), secret_key, http)
            await build(world)
            yield world
    await engine.dispose()


def fill(path: str, values: dict[str, int | str]) -> str:
    return PARAM.sub(lambda m: str(values[m.group(1)]), path)


async def request(world: World, actor: Actor, method: str, path: str, body: Any) -> str:
    """Send one request as `actor`; the cell that describes the answer."""
    headers: dict[str, str] = {}
    if path.startswith("/api/"):
        if actor.signed_in:
            headers["Authorization"] = f"Bearer {actor.token}"
        response = await world.http.request(method, path, json=body, headers=headers)
    else:
        cookies = {"circles_csrf": CSRF_SEED}
        if actor.signed_in:
            cookies["circles_session"] = actor.session
        form = None if method == "GET" else {**(body or {}), "csrf_token": world.csrf}
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        response = await world.http.request(method, path, data=form, headers=headers)
    world.http.cookies.clear()  # each call says who it is; nothing carries over
    if response.status_code >= 500:
        return f"{response.status_code} {response.text[:300]}"
    return observed(response.status_code, response.headers.get("location", ""))


async def handshake(world: World, actor: Actor, path: str) -> str:
    url = f"ws://127.0.0.1:{world.server.port}{path}"
    headers = {"Authorization": f"Bearer {actor.token}"} if actor.signed_in else {}
    try:
        async with connect(url, additional_headers=headers, open_timeout=10):
            return "ok"
    except InvalidStatus as refused:
        return observed(refused.response.status_code)


@dataclass
class Call:
    actor: Actor
    method: str
    path: str
    body: Any


async def prepare(world: World, row: Row, persona: str, actor: Actor) -> Call:
    """The call one persona makes, with whatever it needs made afresh."""
    spec: Spec = spec_for(row.method, row.path)
    if spec.fresh_actor and actor.signed_in:
        actor = await PERSONAS[persona](world)
    values = dict(world.values)
    for name, make in spec.params.items():
        values[name] = await make(world, actor)
    body = await spec.body(world, actor) if callable(spec.body) else spec.body
    path = fill(row.path, values) + (f"?{spec.query}" if spec.query else "")
    return Call(actor, row.method, path, body)


async def send(world: World, call: Call) -> str:
    if call.method == WEBSOCKET:
        return await handshake(world, call.actor, call.path)
    return await request(world, call.actor, call.method, call.path, call.body)


def ordered(rows: list[Row]) -> list[Row]:
    """Rows that make a new version of the rules go last (members must then re-accept)."""
    return sorted(rows, key=lambda row: spec_for(row.method, row.path).last)


async def run_row(world: World, row: Row, actors: dict[str, Actor]) -> dict[str, str]:
    """Every persona's call of one route, sent at once: each acts on its own objects.

    What the calls need is made first, one at a time: on SQLite, a write of this process
    racing the server's could find the database locked.
    """
    calls = [await prepare(world, row, persona, actors[persona]) for persona in PERSONA_NAMES]
    if spec_for(row.method, row.path).alone:
        answers = [await send(world, call) for call in calls]
    else:
        answers = await asyncio.gather(*(send(world, call) for call in calls))
    return dict(zip(PERSONA_NAMES, answers, strict=True))


async def test_every_persona_gets_what_the_table_says(world: World) -> None:
    actors = {name: await set_up(world) for name, set_up in PERSONAS.items()}
    only = re.compile(os.environ.get("AUTHZ_ONLY", ""))  # to look at a few rows
    problems: list[str] = []
    observed_rows: list[str] = []
    checked = 0
    for row in ordered([row for row in ROWS if only.search(row.key)]):
        seen = await run_row(world, row, actors)
        checked += len(seen)
        problems += [
            f"{row.key} as {persona}: expected {row.expect[persona]}, got {got}"
            for persona, got in seen.items()
            if got != row.expect[persona]
        ]
        observed_rows.append(f"{row.method:<6} {row.path:<62} " + " ".join(seen.values()))
    if os.environ.get("AUTHZ_PRINT"):  # the table as the server answered, to compare
        print("\n".join(observed_rows))
    print(f"authorization matrix: {checked} cells checked")
    assert only.pattern or checked == len(ROWS) * len(PERSONA_NAMES)
    if any(" got 5" in problem for problem in problems):
        problems.append("server output:\n" + world.server.output()[-4000:])
    assert not problems, f"{len(problems)} of {checked} cells differ:\n" + "\n".join(problems)
