"""baseline: reports, decisions, fingerprints, batch results

Revision ID: 0001
Revises: -

The tables as they were before migrations existed; decisions are append-only (a trigger refuses UPDATE
and DELETE, on SQLite and PostgreSQL).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("claim_key", sa.String(length=200), nullable=False),
        sa.Column("files_sha256", sa.String(length=64), nullable=False),
        sa.Column("rules_version", sa.String(length=32), nullable=False),
        sa.Column("config_sha256", sa.String(length=64), nullable=True),
        sa.Column("batch_id", sa.String(length=200), nullable=True),
        sa.Column("report_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("partner", sa.String(length=300), nullable=True),
        sa.Column("customer", sa.String(length=300), nullable=True),
        sa.Column("verdict", sa.String(length=20), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("payout_dollars", sa.Float(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_key", "files_sha256", "rules_version", name="uq_batch_key"),
    )
    with op.batch_alter_table("batch_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_results_claim_key"), ["claim_key"], unique=False)

    op.create_table(
        "fingerprints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("claim_id", sa.String(length=200), nullable=False),
        sa.Column("partner", sa.String(length=300), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.Column("file", sa.String(length=500), nullable=False),
        sa.Column("scheme", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("rules_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fingerprints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fingerprints_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fingerprints_source"), ["source"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("owner_partner_id", sa.String(length=64), nullable=True),
        sa.Column("claim_id", sa.String(length=200), nullable=True),
        sa.Column("partner", sa.String(length=300), nullable=False),
        sa.Column("customer", sa.String(length=300), nullable=False),
        sa.Column("workloads", sa.String(length=300), nullable=False),
        sa.Column("claim_date", sa.String(length=10), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("batch_id", sa.String(length=200), nullable=True),
        sa.Column("input_claim_id", sa.String(length=200), nullable=True),
        sa.Column("superseded_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_owner_partner_id"), ["owner_partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_verdict"), ["verdict"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("overrides", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_report_id"), ["report_id"], unique=False)
    _append_only_decisions()


def _append_only_decisions() -> None:
    """Refuse UPDATE and DELETE on decisions (a reviewer's history is never rewritten)."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER decisions_no_{action.lower()} BEFORE {action} ON decisions "
                "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END"
            )
    elif op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'decisions are append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions "
            "FOR EACH ROW EXECUTE FUNCTION decisions_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS decisions_append_only ON decisions")
        op.execute("DROP FUNCTION IF EXISTS decisions_append_only()")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_report_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_verdict"))
        batch_op.drop_index(batch_op.f("ix_reports_owner_partner_id"))
        batch_op.drop_index(batch_op.f("ix_reports_created_at"))
        batch_op.drop_index(batch_op.f("ix_reports_batch_id"))

    op.drop_table("reports")
    with op.batch_alter_table("fingerprints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fingerprints_source"))
        batch_op.drop_index(batch_op.f("ix_fingerprints_claim_id"))

    op.drop_table("fingerprints")
    with op.batch_alter_table("batch_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_results_claim_key"))

    op.drop_table("batch_results")
