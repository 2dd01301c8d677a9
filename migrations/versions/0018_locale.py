"""locale: the language a member chose for the interface (null follows the browser)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 19:30:00

`users.locale` is added in place (ALTER TABLE ... ADD COLUMN), not by a SQLite batch
"recreate" that would rebuild the whole table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade() -> None:
    # In place on SQLite too (3.35+), like 0016.
    op.execute("ALTER TABLE users DROP COLUMN locale")
