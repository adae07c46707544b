"""house finances and the yearly budget cycle

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 04:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cost_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name_fi", sa.String(length=200), nullable=False),
        sa.Column("name_sv", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_group")),
        sa.UniqueConstraint("code", name=op.f("uq_cost_group_code")),
    )
    op.create_table(
        "finance_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("replaced", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["person.id"],
            name=op.f("fk_finance_import_imported_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_import")),
    )
    with op.batch_alter_table("finance_import", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finance_import_imported_by_id"), ["imported_by_id"], unique=False
        )

    op.create_table(
        "monthly_actual",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("cost_group_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cost_group_id"],
            ["cost_group.id"],
            name=op.f("fk_monthly_actual_cost_group_id_cost_group"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_monthly_actual_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["finance_import.id"],
            name=op.f("fk_monthly_actual_import_id_finance_import"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_actual")),
        sa.UniqueConstraint(
            "house_id",
            "cost_group_id",
            "month",
            name=op.f("uq_monthly_actual_house_id_cost_group_id_month"),
        ),
    )
    with op.batch_alter_table("monthly_actual", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monthly_actual_cost_group_id"), ["cost_group_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_monthly_actual_house_id"), ["house_id"], unique=False)
        batch_op.create_index(
            "ix_monthly_actual_month_covering",
            ["month", "cost_group_id", "house_id", "amount"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_monthly_actual_import_id"), ["import_id"], unique=False
        )

    op.create_table(
        "budget_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("cost_group_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cost_group_id"],
            ["cost_group.id"],
            name=op.f("fk_budget_line_cost_group_id_cost_group"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["finance_import.id"],
            name=op.f("fk_budget_line_import_id_finance_import"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_budget_line_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["person.id"],
            name=op.f("fk_budget_line_updated_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line")),
        sa.UniqueConstraint(
            "house_id",
            "cost_group_id",
            "year",
            name=op.f("uq_budget_line_house_id_cost_group_id_year"),
        ),
    )
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_budget_line_cost_group_id"), ["cost_group_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_budget_line_house_id"), ["house_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_line_import_id"), ["import_id"], unique=False)

    op.create_table(
        "usage_charge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["person.id"],
            name=op.f("fk_usage_charge_created_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_usage_charge_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_charge")),
        sa.UniqueConstraint(
            "house_id", "effective_from", name=op.f("uq_usage_charge_house_id_effective_from")
        ),
    )
    with op.batch_alter_table("usage_charge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_usage_charge_house_id"), ["house_id"], unique=False)

    op.create_table(
        "budget_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.String(length=12), nullable=False),
        sa.Column("kickoff_on", sa.Date(), nullable=False),
        sa.Column("proposal_due", sa.Date(), nullable=False),
        sa.Column("statement_due", sa.Date(), nullable=False),
        sa.Column("confirmation_due", sa.Date(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("evaluation_due", sa.Date(), nullable=False),
        sa.Column("proposal_text", sa.String(), nullable=False),
        sa.Column("proposed_charge", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("statement_text", sa.String(), nullable=False),
        sa.Column("statement_by_id", sa.Integer(), nullable=True),
        sa.Column("statement_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmation_text", sa.String(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evaluation_text", sa.String(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_budget_cycle_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_by_id"],
            ["person.id"],
            name=op.f("fk_budget_cycle_statement_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_cycle")),
        sa.UniqueConstraint("year", "house_id", name=op.f("uq_budget_cycle_year_house_id")),
    )
    with op.batch_alter_table("budget_cycle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_cycle_house_id"), ["house_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("budget_cycle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_cycle_house_id"))
    op.drop_table("budget_cycle")
    with op.batch_alter_table("usage_charge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_usage_charge_house_id"))
    op.drop_table("usage_charge")
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_line_import_id"))
        batch_op.drop_index(batch_op.f("ix_budget_line_house_id"))
        batch_op.drop_index(batch_op.f("ix_budget_line_cost_group_id"))
    op.drop_table("budget_line")
    with op.batch_alter_table("monthly_actual", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monthly_actual_import_id"))
        batch_op.drop_index("ix_monthly_actual_month_covering")
        batch_op.drop_index(batch_op.f("ix_monthly_actual_house_id"))
        batch_op.drop_index(batch_op.f("ix_monthly_actual_cost_group_id"))
    op.drop_table("monthly_actual")
    with op.batch_alter_table("finance_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finance_import_imported_by_id"))
    op.drop_table("finance_import")
    op.drop_table("cost_group")
