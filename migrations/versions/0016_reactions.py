"""reactions: supportive reactions on posts and chat messages, and an author's switch

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 16:00:00

`posts.reactions_off` is added in place (ALTER TABLE ... ADD COLUMN, no SQLite
"recreate"), so the search triggers of 0015 on `posts` stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column naming what was reacted to, the table it names)
REACTED = (
    ("post_reactions", "post_id", "posts"),
    ("message_reactions", "message_id", "chat_messages"),
)


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column(
        "posts",
        sa.Column("reactions_off", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for table, column, target in REACTED:
        op.create_table(
            table,
            sa.Column(column, _id(), nullable=False),
            sa.Column("user_id", _id(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint(column, "user_id", "kind"),
        )
        op.create_index(f"ix_{table}_user_id", table, ["user_id"])


def downgrade() -> None:
    for table, _, _ in REACTED:
        op.drop_index(f"ix_{table}_user_id", table_name=table)
        op.drop_table(table)
    # In place on SQLite too (3.35+), not a batch "recreate" that would drop 0015's triggers.
    op.execute("ALTER TABLE posts DROP COLUMN reactions_off")
