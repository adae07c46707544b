"""households on paper: optional email, a notice channel per person, notices' recipients

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A resident without email is invited on paper, at the apartment's postal address (ASO act
    # 47 §): email becomes optional (still unique where given) and every person has a notice
    # channel, paper whenever there is no email. Everyone there is now has an email: by email.
    with op.batch_alter_table("person") as batch:
        batch.add_column(
            sa.Column("notice_channel", sa.String(length=5), nullable=False, server_default="email")
        )
        batch.alter_column("email", existing_type=sa.String(length=320), nullable=True)
        batch.create_check_constraint(
            op.f("ck_person_paper_without_email"),
            "email IS NOT NULL OR notice_channel = 'paper'",
        )
    # Who a notice (a meeting's invitation) reached, by apartment and channel, as at sending.
    op.create_table(
        "notice_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_key", sa.String(length=200), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("apartment_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=5), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["apartment_id"],
            ["apartment.id"],
            name=op.f("fk_notice_recipient_apartment_id_apartment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_notice_recipient_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_notice_recipient_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_recipient")),
        sa.UniqueConstraint(
            "notice_key", "person_id", name=op.f("uq_notice_recipient_notice_key_person_id")
        ),
    )
    with op.batch_alter_table("notice_recipient") as batch:
        batch.create_index(
            batch.f("ix_notice_recipient_apartment_id"), ["apartment_id"], unique=False
        )
        batch.create_index(batch.f("ix_notice_recipient_house_id"), ["house_id"], unique=False)
        batch.create_index(batch.f("ix_notice_recipient_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_table("notice_recipient")
    # Before this revision everyone had an email: those without one get an address that can
    # never receive mail (.invalid), unique by their id, and cannot log in with it.
    op.execute(
        "UPDATE person SET email = 'no-email-' || CAST(id AS VARCHAR(20)) || '@paper.invalid' "
        "WHERE email IS NULL"
    )
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint(op.f("ck_person_paper_without_email"), type_="check")
        batch.alter_column("email", existing_type=sa.String(length=320), nullable=False)
        batch.drop_column("notice_channel")
