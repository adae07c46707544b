"""apartments with their floor area

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # An apartment of a house, by the label its residencies give it (residency.apartment): its
    # floor area gives a resident their monthly usage charge. Apartments are added by the
    # residents' import (floor_area_m2) and the demo data; the residencies stay as they are.
    op.create_table(
        "apartment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("floor_area_m2", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("floor_area_m2 > 0", name=op.f("ck_apartment_floor_area_positive")),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_apartment_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apartment")),
        sa.UniqueConstraint("house_id", "label", name=op.f("uq_apartment_house_id_label")),
    )


def downgrade() -> None:
    op.drop_table("apartment")
