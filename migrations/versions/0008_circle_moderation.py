"""circle moderation: the settings change log; content warnings on posts and chat messages,
and each member's choice of how to see them

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import forum.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "circle_settings_log",
        sa.Column("id", BigId, nullable=False),
        sa.Column("circle_id", BigId, nullable=False),
        sa.Column("actor_id", BigId, nullable=True),
        sa.Column("changes", _json(), nullable=False),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_circle_settings_log_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_circle_settings_log_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circle_settings_log")),
    )
    op.create_index(
        "ix_circle_settings_log_circle_id_id", "circle_settings_log", ["circle_id", "id"]
    )
    for table in ("posts", "chat_messages"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("content_warnings", _json(), nullable=True))
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("content_warning_prefs", _json(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("content_warning_prefs")
    for table in ("chat_messages", "posts"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("content_warnings")
    op.drop_index("ix_circle_settings_log_circle_id_id", table_name="circle_settings_log")
    op.drop_table("circle_settings_log")
