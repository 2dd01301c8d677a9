"""direct messages: one-to-one chat rooms outside any circle; who may start one

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("dm_policy", sa.String(16), server_default="nobody", nullable=False)
        )
    with op.batch_alter_table("rooms") as batch_op:
        batch_op.alter_column("circle_id", existing_type=sa.BigInteger(), nullable=True)
        batch_op.add_column(
            sa.Column("kind", sa.String(16), server_default="circle", nullable=False)
        )
        # "<smaller user id>:<larger user id>": one conversation per pair of members.
        batch_op.add_column(sa.Column("direct_key", sa.String(48), nullable=True))
        batch_op.create_unique_constraint("uq_rooms_direct_key", ["direct_key"])
    op.create_table(
        "room_members",
        sa.Column(
            "room_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("rooms.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("joined_at", forum.db.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_room_members_user_id", "room_members", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_room_members_user_id", table_name="room_members")
    op.drop_table("room_members")
    op.execute("DELETE FROM rooms WHERE kind = 'direct'")
    with op.batch_alter_table("rooms") as batch_op:
        batch_op.drop_constraint("uq_rooms_direct_key", type_="unique")
        batch_op.drop_column("direct_key")
        batch_op.drop_column("kind")
        batch_op.alter_column("circle_id", existing_type=sa.BigInteger(), nullable=False)
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("dm_policy")
