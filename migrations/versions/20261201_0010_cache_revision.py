"""cache revision

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The token that invalidates the per-process cache of a year's company-wide finance figures
    # (app/services/finance_cache.py). No row until the first change: without one nothing is
    # cached.
    op.create_table(
        "cache_revision",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_revision")),
    )


def downgrade() -> None:
    op.drop_table("cache_revision")
