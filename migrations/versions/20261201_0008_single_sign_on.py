"""single sign-on

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 04:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sso_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_sso_identity_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_identity")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_sso_identity_issuer_subject")),
    )
    with op.batch_alter_table("sso_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sso_identity_person_id"), ["person_id"], unique=False)

    op.create_table(
        "sso_login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("next_url", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_login")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_sso_login_state_hash")),
    )
    with op.batch_alter_table("sso_login", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sso_login_created_at"), ["created_at"], unique=False)

    op.create_table(
        "sso_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login_session_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("id_token", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["login_session_id"],
            ["login_session.id"],
            name=op.f("fk_sso_session_login_session_id_login_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_session")),
        sa.UniqueConstraint("login_session_id", name=op.f("uq_sso_session_login_session_id")),
    )


def downgrade() -> None:
    op.drop_table("sso_session")
    with op.batch_alter_table("sso_login", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_login_created_at"))
    op.drop_table("sso_login")
    with op.batch_alter_table("sso_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_identity_person_id"))
    op.drop_table("sso_identity")
