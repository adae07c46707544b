"""accessibility feedback

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 04:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accessibility_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("page", sa.String(length=500), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["person.id"],
            name=op.f("fk_accessibility_feedback_answered_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_accessibility_feedback_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accessibility_feedback")),
    )
    with op.batch_alter_table("accessibility_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accessibility_feedback_due_on"), ["due_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_accessibility_feedback_email"), ["email"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("accessibility_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accessibility_feedback_email"))
        batch_op.drop_index(batch_op.f("ix_accessibility_feedback_due_on"))
    op.drop_table("accessibility_feedback")
