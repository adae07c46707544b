"""sealed ballots and answers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Ballots are sealed while the voting goes on (app/services/ballots/sealing.py): the
    # election's public key, its private key locked under the counting key, and the sealed rows.
    with op.batch_alter_table("election") as batch:
        batch.add_column(sa.Column("ballot_public_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("locked_private_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("count_requested_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "election_sealed_ballot",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_election_sealed_ballot_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election_sealed_ballot")),
    )
    op.create_index(
        op.f("ix_election_sealed_ballot_election_id"),
        "election_sealed_ballot",
        ["election_id"],
    )
    op.create_table(
        "survey_sealed_response",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_sealed_response_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_sealed_response")),
    )
    op.create_index(
        op.f("ix_survey_sealed_response_survey_id"), "survey_sealed_response", ["survey_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_survey_sealed_response_survey_id"), table_name="survey_sealed_response")
    op.drop_table("survey_sealed_response")
    op.drop_index(
        op.f("ix_election_sealed_ballot_election_id"), table_name="election_sealed_ballot"
    )
    op.drop_table("election_sealed_ballot")
    with op.batch_alter_table("election") as batch:
        batch.drop_column("count_requested_at")
        batch.drop_column("locked_private_key")
        batch.drop_column("ballot_public_key")
