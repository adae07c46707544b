"""tenures by the act: co-holder, spouse or partner, household member

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # residency.tenure is a VARCHAR holding the Tenure code (app.models.types.StrEnumType: no
    # database enum type, no CHECK constraint), so the new codes co_holder, spouse and
    # household_member need only a wider column. Existing holders and renters stay as they are.
    with op.batch_alter_table("residency", schema=None) as batch_op:
        batch_op.alter_column(
            "tenure",
            existing_type=sa.String(length=8),
            type_=sa.String(length=20),
            existing_nullable=False,
        )


def downgrade() -> None:
    # The old schema knows holders and renters only: a co-holder and the holder's spouse or
    # partner counted as holders (they vote and may stand), another household member had no
    # more say than a renter.
    residency = sa.table("residency", sa.column("tenure", sa.String()))
    op.execute(
        residency.update()
        .where(residency.c.tenure.in_(["co_holder", "spouse"]))
        .values(tenure="holder")
    )
    op.execute(
        residency.update().where(residency.c.tenure == "household_member").values(tenure="renter")
    )
    with op.batch_alter_table("residency", schema=None) as batch_op:
        batch_op.alter_column(
            "tenure",
            existing_type=sa.String(length=20),
            type_=sa.String(length=8),
            existing_nullable=False,
        )
