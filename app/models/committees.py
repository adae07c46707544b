"""Resident committees (asukastoimikunta) and their members."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.models.types import StrEnumType, UTCDateTime, utcnow


class Position(enum.StrEnum):
    """A member's position on a committee."""

    chair = "chair"
    vice_chair = "vice_chair"
    secretary = "secretary"
    member = "member"


class ResidentCommittee(SQLModel, table=True):
    """A house's committee for one term of at most two years."""

    __tablename__ = "resident_committee"
    __table_args__ = (CheckConstraint("term_end > term_start", name="term"),)

    id: int | None = Field(default=None, primary_key=True)
    house_id: int = Field(foreign_key="house.id", index=True, ondelete="CASCADE")
    term_start: date
    term_end: date
    elected_at_meeting_id: int | None = Field(
        default=None, foreign_key="resident_meeting.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class CommitteeMember(SQLModel, table=True):
    """A person's seat on a committee; one chair per committee."""

    __tablename__ = "committee_member"
    __table_args__ = (
        UniqueConstraint("committee_id", "person_id"),
        Index(
            "uq_committee_member_one_chair",
            "committee_id",
            unique=True,
            sqlite_where=text("position = 'chair'"),
            postgresql_where=text("position = 'chair'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="resident_committee.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    position: Position = Field(default=Position.member, sa_type=StrEnumType(Position, 16))


class CommitteeCreate(SQLModel):
    """Input for a new committee term."""

    term_start: date
    term_end: date
    elected_at_meeting_id: int | None = None


class MemberCreate(SQLModel):
    """Input for a committee seat."""

    person_id: int
    position: Position = Position.member


class CommitteeMemberPublic(SQLModel):
    """A committee seat as the API shows it."""

    id: int
    person_id: int
    name: str
    position: Position


class CommitteePublic(SQLModel):
    """A committee as the API shows it."""

    id: int
    house_id: int
    term_start: date
    term_end: date
    elected_at_meeting_id: int | None
    members: list[CommitteeMemberPublic] = []
