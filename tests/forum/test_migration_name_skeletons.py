"""Migration 0012 gives every existing member a display-name key and cleans their name."""

from __future__ import annotations

from sqlalchemy import text

from forum.db import make_engine
from forum.names import name_key
from tests.forum.test_migrations import empty_database, run_migrate

__all__ = ["empty_database"]  # the fixture, used by name below

RLO, ZWSP = "\u202e", "\u200b"


async def execute(url: str, statement: str, **params: object) -> list[tuple[object, ...]]:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


async def test_upgrade_fills_in_keys_and_cleans_names(empty_database: str) -> None:
    await run_migrate(empty_database, "0011")
    for i, name in enumerate(["Alex", f"Bl{ZWSP}ake{RLO}", "\u0410lex"]):
        await execute(
            empty_database,
            "INSERT INTO users (username, username_key, display_name, password_hash, role,"
            " created_at, hide_presence, dm_policy, taking_break, check_ins,"
            " unread_notifications) VALUES (:u, :u, :name, 'x', 'member', CURRENT_TIMESTAMP,"
            " false, 'nobody', false, true, 0)",
            u=f"user{i}",
            name=name,
        )
    await run_migrate(empty_database)
    rows = await execute(
        empty_database, "SELECT username, display_name, display_name_key FROM users ORDER BY id"
    )
    assert rows == [
        ("user0", "Alex", name_key("Alex")),
        ("user1", "Blake", name_key("Blake")),
        # Two members who already look alike keep their names; new ones are refused.
        ("user2", "\u0410lex", name_key("Alex")),
    ]
    found = await execute(
        empty_database,
        "SELECT count(*) FROM users WHERE display_name_key = :key",
        key=name_key("Alex"),
    )
    assert found == [(2,)]
    await run_migrate(empty_database, "0011")
    await run_migrate(empty_database)
