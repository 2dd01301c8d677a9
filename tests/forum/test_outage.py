"""A database that can't be reached answers 503 with Retry-After; other database errors stay bugs.

Runs on both backends: each test makes its unreachable database itself (a PostgreSQL
address nobody listens on, or an SQLite file in a directory that does not exist). The
whole story with a real PostgreSQL stopped and started is in
tests/realtime/test_database_outage.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from forum.app import create_app
from forum.db import make_engine
from forum.outage import is_unavailable, unavailable
from tests.conftest import Database, make_settings
from tests.live import free_port

TRY_AGAIN = 1013


def closed_port_url() -> str:
    return f"postgresql+asyncpg://circles@127.0.0.1:{free_port()}/circles"


def missing_file_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'no-such-directory' / 'circles.db'}"


@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return closed_port_url() if request.param == "postgresql" else missing_file_url(tmp_path)


@pytest.fixture
async def down(unreachable: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(unreachable))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client
    await app.state.circles.engine.dispose()


async def _first_error(url: str) -> BaseException:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return exc
    finally:
        await engine.dispose()
    raise AssertionError(f"{url} was reachable")


async def test_an_unreachable_database_is_an_outage(unreachable: str) -> None:
    assert is_unavailable(await _first_error(unreachable))


async def test_mistakes_in_queries_are_not_outages(database: Database) -> None:
    async with database.sessions() as db:
        with pytest.raises(DBAPIError) as raised:
            await db.execute(text("SELECT no_such_column FROM users"))
    assert not is_unavailable(raised.value)
    # asyncpg's DataError (a lone surrogate, say) is an InterfaceError too, but ours.
    assert not is_unavailable(asyncpg.DataError("invalid input for query argument $1"))
    assert is_unavailable(
        asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed")
    )


async def test_no_pooled_connection_coming_free_in_time_is_an_outage(database: Database) -> None:
    engine = create_async_engine(database.url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    try:
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            with pytest.raises(PoolTimeout) as raised:
                async with engine.connect() as second:
                    await second.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    assert is_unavailable(raised.value)


async def test_sqlite_write_lock_held_too_long_is_busy_not_a_bug(tmp_path: Path) -> None:
    # SQLite has one writer: a write that cannot get the lock within the busy timeout
    # (none here) is overload, answered 503 "busy" like a full pool, never a 500.
    url = f"sqlite+aiosqlite:///{tmp_path / 'locked.db'}"
    engine = create_async_engine(url)
    try:
        async with engine.begin() as setup:
            await setup.execute(text("CREATE TABLE t (x INTEGER)"))
        holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(DBAPIError) as raised:
                async with engine.begin() as writer:
                    await writer.execute(text("INSERT INTO t VALUES (1)"))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    finally:
        await engine.dispose()
    assert is_unavailable(raised.value)
    assert unavailable(raised.value).code == "busy"


def test_an_os_error_outside_the_driver_is_not_an_outage(tmp_path: Path) -> None:
    with pytest.raises(OSError) as raised:
        (tmp_path / "missing.txt").read_text()
    assert not is_unavailable(raised.value)


async def test_the_api_answers_503_with_retry_after(down: httpx.AsyncClient) -> None:
    response = await down.get("/api/v1/circles/anything/rooms")
    assert response.status_code == 503, response.text[:300]
    assert int(response.headers["retry-after"]) >= 1
    error = response.json()["error"]
    assert error["code"] == "database_unavailable"
    assert "can't reach its database" in error["message"]


async def test_a_page_answers_503_in_words_with_the_crisis_link(down: httpx.AsyncClient) -> None:
    response = await down.get("/c/anything")
    assert response.status_code == 503, response.text[:300]
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["content-type"].startswith("text/html")
    assert "can't reach its database for a moment" in response.text
    assert "Nothing you already sent is lost" in response.text
    assert 'href="/support"' in response.text
    # A page that was only read tries again by itself.
    assert 'http-equiv="refresh"' in response.text


async def test_a_write_answers_503_too(down: httpx.AsyncClient) -> None:
    response = await down.post("/api/v1/auth/token", json={"username": "a", "password": "b"})
    assert response.status_code == 503, response.text[:300]
    assert response.json()["error"]["code"] == "database_unavailable"


async def test_healthz_says_when_to_try_again(down: httpx.AsyncClient) -> None:
    response = await down.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert int(response.headers["retry-after"]) >= 1


def test_a_socket_handshake_closes_with_1013_and_says_why(unreachable: str) -> None:
    # No lifespan: the relay would fail to start against this database, as it should.
    client = TestClient(create_app(make_settings(unreachable)))
    headers = {"Authorization": "Bearer some-token"}
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/ws/rooms/1", headers=headers) as ws,
    ):
        ws.receive_json()
    assert closed.value.code == TRY_AGAIN
    assert "database" in closed.value.reason
