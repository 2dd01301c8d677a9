"""search: full-text indexes over thread titles and post bodies

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09 09:00:00

PostgreSQL indexes the expression the search queries use (`to_tsvector('simple', ...)`),
so there is nothing to keep in sync. SQLite keeps FTS5 tables over the same columns,
filled by triggers on every insert, edit and delete; whether a post may be shown
(published, in a circle the reader may see) is decided by the query, not the index.
A later migration that rebuilds `posts` or `threads` on SQLite (batch mode "recreate")
drops these triggers with the old table and must create them again.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column): what is searched. The index and the FTS5 table are named after it.
SEARCHED = (("threads", "title"), ("posts", "body"))


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    for table, column in SEARCHED:
        if _is_postgresql():
            # Building the index reads every existing row: that is the backfill.
            op.execute(
                f"CREATE INDEX ix_{table}_{column}_search ON {table} "
                f"USING gin (to_tsvector('simple', {column}))"
            )
        else:
            _create_fts(table, column)


def _create_fts(table: str, column: str) -> None:
    fts = f"{table}_search"
    # No diacritics folding: the same words match as on PostgreSQL's 'simple' config.
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
    )
    added = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    # An external-content FTS5 table forgets a row only when told its old words.
    dropped = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {added} END")
    op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {dropped} END")
    op.execute(
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table} "
        f"BEGIN {dropped} {added} END"
    )
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade() -> None:
    for table, column in reversed(SEARCHED):
        if _is_postgresql():
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_search")
            continue
        fts = f"{table}_search"
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
