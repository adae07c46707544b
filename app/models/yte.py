"""Haso-yte: the cooperation body of ten chairs, and its terms."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class YteTerm(SQLModel, table=True):
    """One two-year term of Haso-yte."""

    __tablename__ = "yte_term"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="term"),)

    id: int | None = Field(default=None, primary_key=True)
    starts_on: date
    ends_on: date
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class YteMember(SQLModel, table=True):
    """A member of a Haso-yte term: a sitting chair of a house when elected."""

    __tablename__ = "yte_member"
    __table_args__ = (
        UniqueConstraint("term_id", "person_id"),
        UniqueConstraint("term_id", "house_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    term_id: int = Field(foreign_key="yte_term.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    house_id: int = Field(foreign_key="house.id", ondelete="CASCADE")
    is_chair: bool = False


class YteTermCreate(SQLModel):
    """Input for a new term."""

    starts_on: date
    ends_on: date


class YteMemberPublic(SQLModel):
    """A member as shown to others."""

    person_id: int
    name: str
    house_id: int
    house_name: str
    is_chair: bool


class YteTermPublic(SQLModel):
    """A term with its members."""

    id: int
    starts_on: date
    ends_on: date
    members: list[YteMemberPublic] = []
