"""Alembic environment: runs migrations on the async engine for the configured URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from forum.config import Settings
from forum.db import make_engine
from forum.models import Base

config = context.config
target_metadata = Base.metadata


# Full-text search (migration 0015) keeps what no model describes: SQLite's FTS5 tables
# (with FTS5's own tables behind them) and PostgreSQL's expression indexes. Autogenerate
# must not offer to drop them.
_SEARCH = ("posts_search", "threads_search", "ix_posts_body_search", "ix_threads_title_search")


def _modelled(name: str | None, kind: str, parent: dict[str, str | None]) -> bool:
    return not (name or "").startswith(_SEARCH)


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_modelled,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = make_engine(database_url(), pool_size=1)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        # Also when alembic refuses (say, a downgrade target ahead of the database).
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_async_migrations())
