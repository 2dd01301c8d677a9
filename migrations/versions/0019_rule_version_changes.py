"""rule_versions.changes: what a version changed, so each reader's page words it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 23:45:00

A version the owners gave no summary for was summarised once, in the words of whoever
made it ("Added “Be kind”."). It now keeps what changed as data
(`[{"kind": "added", "title": "Be kind"}, {"kind": "moved"}]`), worded when shown. Older
versions keep the summary they were given. Added in place, like 0018.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.add_column("rule_versions", sa.Column("changes", json, nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE rule_versions DROP COLUMN changes")
