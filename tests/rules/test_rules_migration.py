"""The rules migration keeps rule ids and reports' rules on the way up and down, with data."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from forum.accounts import service as accounts
from forum.circles import service as circles
from forum.config import PROJECT_ROOT
from forum.db import make_engine, make_sessionmaker, transaction
from forum.review.models import Report, ReviewItem
from forum.rules import proposals
from forum.rules import service as rules
from tests.forum.test_migrations import empty_database, run_migrate

__all__ = ["empty_database"]  # the fixture, shared with test_migrations

REVISION = "0007"


def downgrade_before_rules(url: str) -> str:
    """Down to the revision before this one, wherever it sits in the chain."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    before = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    assert isinstance(before, str)
    command.downgrade(config, before)
    return before


async def rows(url: str, statement: str) -> list[Any]:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(statement))).all())
    finally:
        await engine.dispose()


async def seed(url: str) -> dict[str, int]:
    """A circle at version 2 (an added rule) and a report naming that rule."""
    engine = make_engine(url, pool_size=1)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            owner = await accounts.register(db, "owner", "a long enough password", "Owner")
            member = await accounts.register(db, "member", "a long enough password", "Member")
            circle = await circles.create_circle(db, owner, "kept", "Kept", "", "public")
            view = await circles.get_circle_view_or_404(db, "kept", member)
            await circles.join_circle(db, member, view, 1)
            view = await circles.get_circle_view_or_404(db, "kept", member)
            made = await proposals.propose(
                db, member, view, "add", None, "Added later", "In version 2.", "Because."
            )
            await proposals.ratify(db, owner, made.id, "")
            added = (await rules.current_items(db, circle))[-1]
            item = ReviewItem(content_type="post", content_id=1, circle_id=circle.id)
            db.add(item)
            await db.flush()
            db.add(Report(item_id=item.id, reason="", rule_id=added.rule_id, rules_version=2))
            return {"rule": added.rule_id, "row": added.id, "circle": circle.id}
    finally:
        await engine.dispose()


async def test_down_and_up_again_keeps_reports_pointing_at_their_rule(
    empty_database: str,
) -> None:
    url = empty_database
    await run_migrate(url)
    seeded = await seed(url)

    before = await asyncio.to_thread(downgrade_before_rules, url)
    assert await rows(url, "SELECT version_num FROM alembic_version") == [(before,)]
    # Down: the report names the rule's words in the version the reporter saw.
    assert await rows(url, "SELECT rule_id FROM reports") == [(seeded["row"],)]
    assert len(await rows(url, "SELECT id FROM rule_items")) == 13

    await run_migrate(url)
    # Up: every rule item becomes a rule of its own, keeping its id.
    items = await rows(url, "SELECT id, rule_id FROM rule_items ORDER BY id")
    assert all(row_id == rule_id for row_id, rule_id in items)
    assert await rows(url, "SELECT count(*) FROM rules") == [(13,)]
    assert await rows(url, "SELECT rule_id, rules_version FROM reports") == [(seeded["row"], None)]

    engine = make_engine(url, pool_size=1)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            owner = await accounts.register(db, "later", "a long enough password", "Later")
            fresh = await circles.create_circle(db, owner, "fresh", "Fresh", "", "public")
            fresh_ids = [i.rule_id for i in await rules.current_items(db, fresh)]
            kept = await circles.get_circle_view_or_404(db, "kept", owner)
            shown = await rules.version_view(db, kept.circle, with_history=True)
    finally:
        await engine.dispose()
    assert min(fresh_ids) > 13  # new rules never reuse an id the migration kept
    assert shown.shown.version.version == 2 and len(shown.shown.items) == 7
    assert [v.version for v in shown.history] == [1, 2]
