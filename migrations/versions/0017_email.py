"""email: a member's optional address, the links mailed to it, and the daily digest

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:40:00

New tables only: `users` is not rebuilt, so the search triggers of 0015 stay in place.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.db

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "member_emails",
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("address_key", sa.String(length=254), nullable=False),
        sa.Column("verified_at", forum.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("digest", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("digest_sent_at", forum.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_member_emails_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_member_emails")),
    )
    op.create_index(
        op.f("ix_member_emails_address_key"), "member_emails", ["address_key"], unique=False
    )
    op.create_table(
        "mail_tokens",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=True),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", forum.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mail_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_mail_tokens_token_hash")),
    )
    op.create_index(op.f("ix_mail_tokens_user_id"), "mail_tokens", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_mail_tokens_user_id"), table_name="mail_tokens")
    op.drop_table("mail_tokens")
    op.drop_index(op.f("ix_member_emails_address_key"), table_name="member_emails")
    op.drop_table("member_emails")
