"""newsletters in three languages

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The Swedish and English title and text of a newsletter, optional: empty means that the
    # readers of that language get the Finnish ones (title and body_md).
    with op.batch_alter_table("newsletter") as batch:
        batch.add_column(
            sa.Column("title_sv", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("body_md_sv", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("title_en", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("body_md_en", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("newsletter") as batch:
        batch.drop_column("body_md_en")
        batch.drop_column("title_en")
        batch.drop_column("body_md_sv")
        batch.drop_column("title_sv")
