"""check-ins and notifications: a member's notifications and unread count, whether they
welcome check-ins, check-in rooms (closed by their member) and the check-ins made in them,
and chat messages sent as the moderators' team

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import forum.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", forum.db.UTCDateTime(timezone=True), nullable=True),
        _fk("notifications", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index("ix_notifications_user_id_id", "notifications", ["user_id", "id"])
    op.create_table(
        "check_ins",
        sa.Column("id", BigId, nullable=False),
        sa.Column("room_id", BigId, nullable=False),
        sa.Column("item_id", BigId, nullable=True),
        sa.Column("circle_id", BigId, nullable=True),
        sa.Column("moderator_id", BigId, nullable=True),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        _fk("check_ins", "circle_id", "circles", "SET NULL"),
        _fk("check_ins", "item_id", "review_items", "SET NULL"),
        _fk("check_ins", "moderator_id", "users", "SET NULL"),
        _fk("check_ins", "room_id", "rooms", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
    )
    op.create_index(op.f("ix_check_ins_room_id"), "check_ins", ["room_id"])
    with op.batch_alter_table("chat_messages") as batch_op:
        batch_op.add_column(sa.Column("sent_as", sa.String(length=16), nullable=True))
    with op.batch_alter_table("rooms") as batch_op:
        batch_op.add_column(
            sa.Column("closed_at", forum.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("check_ins", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("unread_notifications", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("unread_notifications")
        batch_op.drop_column("check_ins")
    with op.batch_alter_table("rooms") as batch_op:
        batch_op.drop_column("closed_at")
    with op.batch_alter_table("chat_messages") as batch_op:
        batch_op.drop_column("sent_as")
    op.drop_index(op.f("ix_check_ins_room_id"), table_name="check_ins")
    op.drop_table("check_ins")
    op.drop_index("ix_notifications_user_id_id", table_name="notifications")
    op.drop_table("notifications")
