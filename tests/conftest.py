"""Shared fixtures: a real database per backend, the app, personas and factories.

The suite runs once per backend (CIRCLES_TEST_BACKEND=postgres|sqlite; `make test`
runs both). On PostgreSQL each test runs inside an outer transaction that is rolled
back; on SQLite each test gets a copy of a freshly migrated database file.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from forum.accounts import service as accounts
from forum.accounts.models import Role, User
from forum.app import create_app
from forum.cli import migrate
from forum.config import Settings
from forum.db import make_engine, make_sessionmaker, transaction
from moderation.toxicity import ToxicityScorer

# Two server processes on one database (chat fan-out, revocation, shared limits).
pytest_plugins = ["tests.processes"]

if TYPE_CHECKING:  # imported where used: both modules import this one
    from tests.chat.helpers import Live
    from tests.live import LiveServer

BACKEND = os.environ.get("CIRCLES_TEST_BACKEND", "sqlite")
IN_CI = os.environ.get("CI") == "true"
PASSWORD = "correct horse battery staple"


def pytest_report_header() -> str:
    return f"circles database backend: {BACKEND}"


async def _admin_execute(admin_url: str, statement: str) -> None:
    import asyncpg

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        user=url.username,
        password=url.password,
        host=url.host,
        port=url.port,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_postgres_database(admin_url: str, name: str) -> str:
    await _admin_execute(admin_url, f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(admin_url: str, name: str) -> None:
    await _admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_admin_url() -> str:
    url = os.environ.get("CIRCLES_TEST_POSTGRES_URL")
    if not url:
        pytest.fail(
            "CIRCLES_TEST_BACKEND=postgres needs CIRCLES_TEST_POSTGRES_URL; run `make test`, "
            "which starts a throwaway PostgreSQL cluster"
        )
    return url


@dataclass
class FreshDatabase:
    """A migrated database of the current backend that nothing else uses."""

    url: str
    drop: Callable[[], Awaitable[None]]


async def fresh_database(tmp_path: Path) -> FreshDatabase:
    if BACKEND == "postgres":
        admin = postgres_admin_url()
        name = f"circles_test_{uuid.uuid4().hex[:12]}"
        url = await create_postgres_database(admin, name)

        async def drop() -> None:
            await drop_postgres_database(admin, name)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / f'circles-{uuid.uuid4().hex[:8]}.db'}"

        async def drop() -> None:
            return None

    await asyncio.to_thread(migrate, Settings(database_url=url))
    return FreshDatabase(url, drop)


@pytest.fixture(scope="session")
async def template_database(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FreshDatabase]:
    db = await fresh_database(tmp_path_factory.mktemp("template"))
    yield db
    await db.drop()


@pytest.fixture(scope="session")
async def shared_engine(template_database: FreshDatabase) -> AsyncIterator[AsyncEngine | None]:
    if BACKEND != "postgres":
        yield None
        return
    engine = make_engine(template_database.url, pool_size=2)
    yield engine
    await engine.dispose()


@dataclass
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    url: str


@pytest.fixture
async def database(
    template_database: FreshDatabase, shared_engine: AsyncEngine | None, tmp_path: Path
) -> AsyncIterator[Database]:
    if shared_engine is not None:
        async with shared_engine.connect() as conn:
            outer = await conn.begin()
            # Requests "commit" by releasing a savepoint; the outer transaction is
            # rolled back at the end so every test starts from the same empty schema.
            sessions = async_sessionmaker(
                bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
            yield Database(shared_engine, sessions, template_database.url)
            await outer.rollback()
        return
    source = Path(make_url(template_database.url).database or "")
    copy = tmp_path / "test.db"
    shutil.copyfile(source, copy)
    url = f"sqlite+aiosqlite:///{copy}"
    engine = make_engine(url)
    yield Database(engine, make_sessionmaker(engine), url)
    await engine.dispose()


def make_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "environment": "test",
        "secret_key": "test-secret-key-" + "x" * 32,
        "post_rate_burst": 1000,
        "page_cache_seconds": 30.0,
        "mail_outbox": Path(tempfile.gettempdir()) / "circles-test-outbox",
    }
    values.update(overrides)
    return Settings(**values)


AppFactory = Callable[..., Starlette]


@pytest.fixture
def make_app(database: Database) -> AppFactory:
    def make(scorer: ToxicityScorer | None = None, **overrides: Any) -> Starlette:
        return create_app(
            make_settings(database.url, **overrides),
            engine=database.engine,
            sessions=database.sessions,
            scorer=scorer,
        )

    return make


@pytest.fixture
def app(make_app: AppFactory) -> Starlette:
    return make_app()


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


@dataclass
class Persona:
    """Someone using Circles, with an API client that acts as them."""

    user: User
    password: str
    token: str
    api: httpx.AsyncClient

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def id(self) -> int:
        return self.user.id


PersonaFactory = Callable[..., Awaitable[Persona]]


@pytest.fixture
async def make_persona(app: Starlette, database: Database) -> AsyncIterator[PersonaFactory]:
    clients: list[httpx.AsyncClient] = []

    async def make(
        username: str | None = None, role: Role = Role.MEMBER, display_name: str | None = None
    ) -> Persona:
        username = username or f"member-{uuid.uuid4().hex[:8]}"
        async with transaction(database.sessions) as db:
            user = await accounts.register(
                db, username, PASSWORD, display_name or username.title(), role
            )
            token = await accounts.create_api_token(db, user, "tests")
        api = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {token}"},
        )
        clients.append(api)
        return Persona(user, PASSWORD, token, api)

    yield make
    for api in clients:
        await api.aclose()


@pytest.fixture
async def user(make_persona: PersonaFactory) -> Persona:
    return await make_persona("alex", display_name="Alex")


@pytest.fixture
async def other_user(make_persona: PersonaFactory) -> Persona:
    return await make_persona("blake", display_name="Blake")


@pytest.fixture
async def moderator(make_persona: PersonaFactory) -> Persona:
    return await make_persona("mod", role=Role.MODERATOR, display_name="Mod")


@pytest.fixture
async def admin(make_persona: PersonaFactory) -> Persona:
    return await make_persona("root", role=Role.ADMIN, display_name="Admin")


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    data: dict[str, Any] = response.json()
    return data


CircleFactory = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def make_circle() -> CircleFactory:
    async def make(
        owner: Persona,
        visibility: str = "public",
        slug: str | None = None,
        name: str = "Test circle",
    ) -> dict[str, Any]:
        slug = slug or f"circle-{uuid.uuid4().hex[:8]}"
        return await ok(
            await owner.api.post(
                "/api/v1/circles",
                json={
                    "slug": slug,
                    "name": name,
                    "description": "For tests.",
                    "visibility": visibility,
                },
            ),
            201,
        )

    return make


async def join(persona: Persona, circle: dict[str, Any]) -> dict[str, Any]:
    return await ok(
        await persona.api.post(
            f"/api/v1/circles/{circle['slug']}/join",
            json={"accept_rules_version": circle["rules"]["version"]},
        )
    )


async def reply(
    persona: Persona,
    thread: dict[str, Any],
    body: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """`persona`'s reply to `thread`, which the forum must accept (201)."""
    url = f"/api/v1/threads/{thread['id']}/posts"
    return await ok(await persona.api.post(url, json={"body": body, **extra}, headers=headers), 201)


ThreadFactory = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def make_thread() -> ThreadFactory:
    async def make(
        author: Persona,
        circle: dict[str, Any],
        title: str = "A first thread",
        body: str = "Hello, *everyone*.",
    ) -> dict[str, Any]:
        return await ok(
            await author.api.post(
                f"/api/v1/circles/{circle['slug']}/threads", json={"title": title, "body": body}
            ),
            201,
        )

    return make


@pytest.fixture
async def circle(user: Persona, make_circle: CircleFactory) -> dict[str, Any]:
    """A public circle owned by `user`."""
    return await make_circle(user, slug="grief-and-loss", name="Grief and loss")


@pytest.fixture
async def private_circle(user: Persona, make_circle: CircleFactory) -> dict[str, Any]:
    return await make_circle(user, visibility="private", slug="after-trauma", name="After trauma")


@pytest.fixture
async def thread(
    user: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> dict[str, Any]:
    return await make_thread(user, circle)


@pytest.fixture(scope="session")
async def chat_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FreshDatabase]:
    """The database behind `chat_server`, shared by every test that needs a real server."""
    db = await fresh_database(tmp_path_factory.mktemp("chat"))
    yield db
    await db.drop()


@pytest.fixture(scope="session")
def chat_server(chat_database: FreshDatabase) -> Iterator[LiveServer]:
    """A real `circles serve` (uvicorn) for websocket tests."""
    from tests.live import circles_server

    with circles_server(chat_database.url) as server:
        yield server


@pytest.fixture
async def live(chat_server: LiveServer, chat_database: FreshDatabase) -> AsyncIterator[Live]:
    from tests.chat.helpers import Live

    live = Live(chat_server, chat_database)
    yield live
    for http in live.clients:
        await http.aclose()
