"""a resident meeting's calendar entry

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A convened resident meeting is shown in the calendar from its own record: it takes over
    # its house's placeholder entry (or gets one of its own), linked here.
    with op.batch_alter_table("resident_meeting") as batch:
        batch.add_column(sa.Column("calendar_event_id", sa.Integer(), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_resident_meeting_calendar_event_id"), ["calendar_event_id"]
        )
        batch.create_foreign_key(
            op.f("fk_resident_meeting_calendar_event_id_calendar_event"),
            "calendar_event",
            ["calendar_event_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("resident_meeting") as batch:
        batch.drop_constraint(
            op.f("fk_resident_meeting_calendar_event_id_calendar_event"), type_="foreignkey"
        )
        batch.drop_constraint(op.f("uq_resident_meeting_calendar_event_id"), type_="unique")
        batch.drop_column("calendar_event_id")
