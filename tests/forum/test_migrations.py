"""Alembic migrations: up from empty, down to nothing and up again; head matches the models."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from forum.cli import migrate
from forum.config import Settings
from forum.db import make_engine
from forum.models import Base
from tests.conftest import (
    BACKEND,
    Database,
    create_postgres_database,
    drop_postgres_database,
    postgres_admin_url,
)

MODEL_TABLES = set(Base.metadata.tables)
# Full-text search (migration 0015) keeps structures no model describes: on SQLite an FTS5
# table per searched table (and FTS5's own tables behind it), on PostgreSQL an index.
FTS5_PARTS = ("", "_data", "_idx", "_docsize", "_config")
SEARCH_TABLES = (
    {f"{table}_search{part}" for table in ("posts", "threads") for part in FTS5_PARTS}
    if BACKEND == "sqlite"
    else set()
)
SEARCH_INDEXES = {"ix_posts_body_search", "ix_threads_title_search"}


def _modelled(name: str | None, kind: str, parent: dict[str, str | None]) -> bool:
    """Whether the comparison with the models looks at this table or index."""
    return name not in (SEARCH_TABLES if kind == "table" else SEARCH_INDEXES)


@pytest.fixture
async def empty_database(tmp_path: Path) -> AsyncIterator[str]:
    """A database of the current backend with nothing in it."""
    if BACKEND != "postgres":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    admin = postgres_admin_url()
    name = f"circles_mig_{uuid.uuid4().hex[:12]}"
    url = await create_postgres_database(admin, name)
    yield url
    await drop_postgres_database(admin, name)


async def tables_and_revision(url: str) -> tuple[set[str], list[str]]:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:

            def read(sync: Connection) -> tuple[set[str], list[str]]:
                tables = set(inspect(sync).get_table_names())
                heads = MigrationContext.configure(sync).get_current_heads()
                return tables, list(heads)

            return await conn.run_sync(read)
    finally:
        await engine.dispose()


async def run_migrate(url: str, revision: str = "head") -> None:
    await asyncio.to_thread(migrate, Settings(database_url=url), revision)


def test_schema_has_the_foundation_tables() -> None:
    assert {
        "users",
        "auth_sessions",
        "api_tokens",
        "circles",
        "rule_versions",
        "rule_items",
        "memberships",
        "threads",
        "posts",
        "post_revisions",
    } <= MODEL_TABLES


async def test_upgrade_from_empty_to_head_then_down_to_base_and_up_again(
    empty_database: str,
) -> None:
    tables, heads = await tables_and_revision(empty_database)
    assert tables == set() and heads == []

    await run_migrate(empty_database)
    tables, heads = await tables_and_revision(empty_database)
    assert tables == MODEL_TABLES | SEARCH_TABLES | {"alembic_version"}
    assert len(heads) == 1

    await run_migrate(empty_database, "base")
    tables, heads = await tables_and_revision(empty_database)
    assert tables - {"alembic_version"} == set()
    assert heads == []

    await run_migrate(empty_database)
    tables, again = await tables_and_revision(empty_database)
    assert tables == MODEL_TABLES | SEARCH_TABLES | {"alembic_version"}
    assert again == heads or len(again) == 1


async def test_migrate_to_a_revision_goes_down_or_up_to_it(empty_database: str) -> None:
    await run_migrate(empty_database)
    _, head = await tables_and_revision(empty_database)
    await run_migrate(empty_database, "0004")
    tables, at = await tables_and_revision(empty_database)
    assert at == ["0004"]
    assert "room_members" not in tables and "rooms" in tables
    await run_migrate(empty_database, "0006")
    tables, at = await tables_and_revision(empty_database)
    assert at == ["0006"] and "room_members" in tables
    await run_migrate(empty_database, head[0])
    assert (await tables_and_revision(empty_database))[1] == head


def _schema_differences(sync: Connection) -> list[Any]:
    context = MigrationContext.configure(
        sync,
        opts={
            "compare_type": True,
            "render_as_batch": sync.dialect.name == "sqlite",
            "include_name": _modelled,
        },
    )
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(database: Database) -> None:
    engine = make_engine(database.url, pool_size=1)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(_schema_differences)
    finally:
        await engine.dispose()
    assert differences == []
