"""circle bans: members a circle's moderators turned away, who may not rejoin

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "circle_bans",
        sa.Column("circle_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("banned_by", BigId, nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["banned_by"],
            ["users.id"],
            name=op.f("fk_circle_bans_banned_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_circle_bans_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_circle_bans_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("circle_id", "user_id", name=op.f("pk_circle_bans")),
    )
    op.create_index(op.f("ix_circle_bans_user_id"), "circle_bans", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_circle_bans_user_id"), table_name="circle_bans")
    op.drop_table("circle_bans")
