"""name skeletons: each member's display-name lookalike key, indexed, filled in for everyone

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from forum.names import clean, name_key

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_users = sa.table(
    "users",
    sa.column("id", sa.BigInteger()),
    sa.column("display_name", sa.String()),
    sa.column("display_name_key", sa.String()),
)


def upgrade() -> None:
    # A plain ADD COLUMN (not batch mode): on SQLite a batch copy of users would drop the old
    # table, and the drop cascades to every row that points at a member.
    op.add_column(
        "users",
        sa.Column("display_name_key", sa.String(length=512), server_default="", nullable=False),
    )
    op.create_index(op.f("ix_users_display_name_key"), "users", ["display_name_key"])
    conn = op.get_bind()
    rows = conn.execute(sa.select(_users.c.id, _users.c.display_name)).all()
    # Names saved before cleaning lose their bidi overrides and invisible characters too.
    names = [
        {"user_id": row.id, "name": clean(row.display_name) or row.display_name} for row in rows
    ]
    if names:
        conn.execute(
            _users.update()
            .where(_users.c.id == sa.bindparam("user_id"))
            .values(display_name=sa.bindparam("name"), display_name_key=sa.bindparam("key")),
            [{**row, "key": name_key(row["name"])} for row in names],
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_users_display_name_key"), table_name="users")
    op.drop_column("users", "display_name_key")
