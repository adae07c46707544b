"""mail language and calendar invitations

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A delivery keeps the language it was written in (its Content-Language header) and the
    # calendar invitation attached to it. Mail queued before this has neither: it is sent in
    # the default language's header and without an attachment.
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=2), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("ics", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_column("ics")
        batch.drop_column("language")
