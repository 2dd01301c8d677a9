"""Fixtures for tests that run two `circles serve` processes on one database.

A pytest plugin (named in tests/conftest.py) so that chat fan-out, socket revocation and
shared rate limits start their pair of processes the same way. A module that needs other
settings overrides `servers`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.chat.helpers import Live
from tests.conftest import FreshDatabase, fresh_database
from tests.live import LiveServer, circles_server


@pytest.fixture(scope="module")
async def shared_database(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FreshDatabase]:
    db = await fresh_database(tmp_path_factory.mktemp("shared"))
    yield db
    await db.drop()


@pytest.fixture(scope="module")
def servers(shared_database: FreshDatabase) -> Iterator[tuple[LiveServer, LiveServer]]:
    with circles_server(shared_database.url) as one, circles_server(shared_database.url) as other:
        yield one, other


@pytest.fixture
async def two(
    servers: tuple[LiveServer, LiveServer], shared_database: FreshDatabase
) -> AsyncIterator[tuple[Live, Live]]:
    """A client for each process; their HTTP clients are closed afterwards."""
    one, other = Live(servers[0], shared_database), Live(servers[1], shared_database)
    yield one, other
    for http in [*one.clients, *other.clients]:
        await http.aclose()
