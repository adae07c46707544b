"""ballots: elections and surveys

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 04:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "election",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("min_choices", sa.Integer(), nullable=False),
        sa.Column("max_choices", sa.Integer(), nullable=False),
        sa.Column("nomination_opens_on", sa.Date(), nullable=False),
        sa.Column("nomination_closes_on", sa.Date(), nullable=False),
        sa.Column("voting_opens_on", sa.Date(), nullable=False),
        sa.Column("voting_closes_on", sa.Date(), nullable=False),
        sa.Column("term_starts_on", sa.Date(), nullable=True),
        sa.Column("term_ends_on", sa.Date(), nullable=True),
        sa.Column("calendar_event_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voting_announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lot_seed", sa.String(length=64), nullable=True),
        sa.Column("ballots_counted", sa.Integer(), nullable=True),
        sa.Column("houses_voted", sa.Integer(), nullable=True),
        sa.Column("term_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("min_choices >= 1 AND max_choices >= min_choices", name="choices"),
        sa.CheckConstraint("nomination_closes_on >= nomination_opens_on", name="nomination_period"),
        sa.CheckConstraint("seats > 0", name="seats_positive"),
        sa.CheckConstraint("voting_closes_on >= voting_opens_on", name="voting_period"),
        sa.CheckConstraint(
            "voting_opens_on > nomination_closes_on", name="voting_after_nomination"
        ),
        sa.ForeignKeyConstraint(["calendar_event_id"], ["calendar_event.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["term_id"], ["yte_term.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("calendar_event_id"),
    )

    op.create_table(
        "election_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("presentation", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("elected", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["election_id"], ["election.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["house_id"], ["house.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("election_id", "person_id"),
    )
    with op.batch_alter_table("election_candidate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_election_candidate_election_id"), ["election_id"], unique=False
        )

    op.create_table(
        "election_delegate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("named_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["election_id"], ["election.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["house_id"], ["house.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["named_by"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("election_id", "house_id"),
    )
    with op.batch_alter_table("election_delegate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_election_delegate_election_id"), ["election_id"], unique=False
        )

    op.create_table(
        "election_participation",
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("cast_by", sa.Integer(), nullable=True),
        sa.Column("voted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["cast_by"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["election_id"], ["election.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["house_id"], ["house.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("election_id", "house_id"),
    )

    op.create_table(
        "election_ballot",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["election_id"], ["election.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt_hash"),
    )
    with op.batch_alter_table("election_ballot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_election_ballot_election_id"), ["election_id"], unique=False
        )

    op.create_table(
        "election_ballot_choice",
        sa.Column("ballot_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["election_ballot.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["candidate_id"], ["election_candidate.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ballot_id", "candidate_id"),
    )
    with op.batch_alter_table("election_ballot_choice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_election_ballot_choice_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=True),
        sa.Column("participation", sa.String(length=16), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("live_results", sa.Boolean(), nullable=False),
        sa.Column("results_shared", sa.Boolean(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("closes_on >= opens_on", name=op.f("ck_survey_period")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_survey_created_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"], ["house.id"], name=op.f("fk_survey_house_id_house"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_survey_initiative_id_initiative"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_initiative_id"), ["initiative_id"], unique=False
        )

    op.create_table(
        "survey_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_question_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_question")),
    )
    with op.batch_alter_table("survey_question", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_question_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "survey_participation",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_survey_participation_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_participation_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "person_id", name=op.f("pk_survey_participation")),
    )

    op.create_table(
        "survey_response",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_survey_response_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_response_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_response_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "survey_answer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_question.id"],
            name=op.f("fk_survey_answer_question_id_survey_question"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_response.id"],
            name=op.f("fk_survey_answer_response_id_survey_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answer")),
    )
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_answer_question_id"), ["question_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_answer_response_id"), ["response_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("survey_answer")
    op.drop_table("survey_response")
    op.drop_table("survey_participation")
    op.drop_table("survey_question")
    op.drop_table("survey")
    op.drop_table("election_ballot_choice")
    op.drop_table("election_ballot")
    op.drop_table("election_participation")
    op.drop_table("election_delegate")
    op.drop_table("election_candidate")
    op.drop_table("election")
