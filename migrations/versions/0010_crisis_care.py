"""crisis care: each member's safety plan, site settings (how long an urgent item may wait
unclaimed), and when a review item was escalated for waiting

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import forum.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "safety_plans",
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("sections", _json(), nullable=False),
        sa.Column("updated_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_safety_plans_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_safety_plans")),
    )
    op.create_table(
        "site_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalate_after_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_site_settings_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_settings")),
    )
    with op.batch_alter_table("review_items") as batch_op:
        batch_op.add_column(
            sa.Column("overdue_at", forum.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    # Not in batch mode: on SQLite that copies review_items into a new table and drops the
    # old one, and the drop cascades to the reports that point at it. SQLite 3.35+ drops a
    # plain column in place.
    op.drop_column("review_items", "overdue_at")
    op.drop_table("site_settings")
    op.drop_table("safety_plans")
