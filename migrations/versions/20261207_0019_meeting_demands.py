"""meeting demands: residents demand a resident meeting, a tenth of the voters signing

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A demand for a resident meeting (ASO act 47 §): due once a tenth of the house's voters
    # have signed it, closed when a meeting is convened after that.
    op.create_table(
        "meeting_demand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("convened_meeting_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "convened_meeting_id IS NULL OR closed_at IS NOT NULL",
            name=op.f("ck_meeting_demand_convened_closed"),
        ),
        sa.ForeignKeyConstraint(
            ["convened_meeting_id"],
            ["resident_meeting.id"],
            name=op.f("fk_meeting_demand_convened_meeting_id_resident_meeting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_meeting_demand_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["person.id"],
            name=op.f("fk_meeting_demand_started_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_demand")),
    )
    with op.batch_alter_table("meeting_demand") as batch:
        batch.create_index(
            batch.f("ix_meeting_demand_convened_meeting_id"), ["convened_meeting_id"], unique=False
        )
        batch.create_index(batch.f("ix_meeting_demand_house_id"), ["house_id"], unique=False)
        batch.create_index(
            batch.f("ix_meeting_demand_started_by_id"), ["started_by_id"], unique=False
        )
    op.create_table(
        "meeting_demand_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["demand_id"],
            ["meeting_demand.id"],
            name=op.f("fk_meeting_demand_signature_demand_id_meeting_demand"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_meeting_demand_signature_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_demand_signature")),
        sa.UniqueConstraint(
            "demand_id",
            "person_id",
            name=op.f("uq_meeting_demand_signature_demand_id_person_id"),
        ),
    )
    with op.batch_alter_table("meeting_demand_signature") as batch:
        batch.create_index(
            batch.f("ix_meeting_demand_signature_demand_id"), ["demand_id"], unique=False
        )
        batch.create_index(
            batch.f("ix_meeting_demand_signature_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("meeting_demand_signature")
    op.drop_table("meeting_demand")
