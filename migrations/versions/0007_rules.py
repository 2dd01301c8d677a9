"""rules: lasting rule ids across versions, members' proposals and their stances

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rules",
        sa.Column("id", ID, nullable=False),
        sa.Column("circle_id", ID, nullable=False),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_rules_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules")),
    )
    with op.batch_alter_table("rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rules_circle_id"), ["circle_id"], unique=False)

    # Every rule written so far becomes a rule of its own and keeps the id it had, so
    # citations and reports made before this migration still name the same rule.
    op.execute(
        "INSERT INTO rules (id, circle_id, created_at) "
        "SELECT ri.id, rv.circle_id, rv.ratified_at FROM rule_items ri "
        "JOIN rule_versions rv ON rv.id = ri.rule_version_id"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('rules', 'id'), "
            "COALESCE((SELECT MAX(id) FROM rules), 0) + 1, false)"
        )

    # Reports name the lasting rule. Retargeted before rule_items is rebuilt: on SQLite
    # rebuilding a table that others reference would run their ON DELETE actions.
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reports_rule_id_rule_items", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_rule_id_rules"),
            "rules",
            ["rule_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.add_column(sa.Column("rules_version", sa.Integer(), nullable=True))

    with op.batch_alter_table("rule_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rule_id", ID, nullable=True))
    op.execute("UPDATE rule_items SET rule_id = id")
    with op.batch_alter_table("rule_items", schema=None) as batch_op:
        batch_op.alter_column("rule_id", existing_type=ID, nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_rule_items_rule_id_rules"),
            "rules",
            ["rule_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_rule_items_rule_id"), ["rule_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_rule_items_rule_version_id"), ["rule_version_id", "rule_id"]
        )

    op.create_table(
        "rule_proposals",
        sa.Column("id", ID, nullable=False),
        sa.Column("circle_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("rule_id", ID, nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("old_title", sa.String(length=120), nullable=True),
        sa.Column("old_text", sa.Text(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decided_at", forum.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("ratified_version", sa.Integer(), nullable=True),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_rule_proposals_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_rule_proposals_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_rule_proposals_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["rules.id"],
            name=op.f("fk_rule_proposals_rule_id_rules"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_proposals")),
    )
    with op.batch_alter_table("rule_proposals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rule_proposals_circle_status", ["circle_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            "ix_rule_proposals_author_status", ["author_id", "status"], unique=False
        )

    op.create_table(
        "rule_stances",
        sa.Column("proposal_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("stance", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("updated_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["rule_proposals.id"],
            name=op.f("fk_rule_stances_proposal_id_rule_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_rule_stances_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "user_id", name=op.f("pk_rule_stances")),
    )
    with op.batch_alter_table("rule_stances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_stances_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rule_stances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_stances_user_id"))
    op.drop_table("rule_stances")
    with op.batch_alter_table("rule_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_proposals_author_status")
        batch_op.drop_index("ix_rule_proposals_circle_status")
    op.drop_table("rule_proposals")

    # Reports point at a rule's words again: the copy in the version the reporter saw.
    # The foreign key to rules goes first (those ids are not rule_items ids), and the new
    # one to rule_items comes last: on SQLite, rebuilding rule_items while reports refer
    # to it would run ON DELETE SET NULL on them.
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reports_rule_id_rules", type_="foreignkey")
    op.execute(
        "UPDATE reports SET rule_id = (SELECT ri.id FROM rule_items ri "
        "JOIN rule_versions rv ON rv.id = ri.rule_version_id "
        "WHERE ri.rule_id = reports.rule_id AND rv.version = reports.rules_version) "
        "WHERE rule_id IS NOT NULL AND rules_version IS NOT NULL"
    )
    op.execute("UPDATE reports SET rule_id = NULL WHERE rule_id NOT IN (SELECT id FROM rule_items)")
    with op.batch_alter_table("rule_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_rule_items_rule_version_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_rule_items_rule_id"))
        batch_op.drop_constraint(batch_op.f("fk_rule_items_rule_id_rules"), type_="foreignkey")
        batch_op.drop_column("rule_id")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("rules_version")
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_rule_id_rule_items"),
            "rule_items",
            ["rule_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rules_circle_id"))
    op.drop_table("rules")
