"""calendar entries kept from their own records

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # An entry shown from another record (an election's nomination and voting, a budget
    # cycle's statement deadline) names that record, so it is written once and kept in step.
    with op.batch_alter_table("calendar_event") as batch:
        batch.add_column(sa.Column("source", sa.String(length=60), nullable=True))
        batch.create_unique_constraint(op.f("uq_calendar_event_source"), ["source"])


def downgrade() -> None:
    with op.batch_alter_table("calendar_event") as batch:
        batch.drop_constraint(op.f("uq_calendar_event_source"), type_="unique")
        batch.drop_column("source")
