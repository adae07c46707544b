"""Residents' demands for a resident meeting (ASO act 47 §: a tenth of the voters demand it)."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow

MATTER_MAX_LENGTH = 2000


class DemandStatus(enum.StrEnum):
    """Where a demand stands; derived from its dates, never stored."""

    collecting = "collecting"  # open, fewer signatures than a tenth of the voters
    due = "due"  # a tenth signed: the meeting must be convened without delay
    convened = "convened"  # a meeting was convened after it became due
    withdrawn = "withdrawn"  # every signature withdrawn before it became due


class MeetingDemand(SQLModel, table=True):
    """A demand for a resident meeting on matters the residents name; due once a tenth of the
    house's voters have signed, closed when a meeting is convened after that."""

    __tablename__ = "meeting_demand"
    __table_args__ = (
        CheckConstraint(
            "convened_meeting_id IS NULL OR closed_at IS NOT NULL", name="convened_closed"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    house_id: int = Field(foreign_key="house.id", index=True, ondelete="CASCADE")
    matter: str = Field(sa_type=Text)
    started_by_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When the signatures first reached a tenth of the voters; never unset after.
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    convened_meeting_id: int | None = Field(
        default=None, foreign_key="resident_meeting.id", index=True, ondelete="SET NULL"
    )
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class MeetingDemandSignature(SQLModel, table=True):
    """A voter's signature on a demand: one per person and demand."""

    __tablename__ = "meeting_demand_signature"
    __table_args__ = (UniqueConstraint("demand_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="meeting_demand.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    signed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MeetingDemandCreate(SQLModel):
    """Input for a new demand: the matter or matters the meeting is to handle."""

    matter: str = Field(min_length=1, max_length=MATTER_MAX_LENGTH)


class MeetingDemandPublic(SQLModel):
    """A demand as the API shows it, with its signatures counted against the voters."""

    id: int
    house_id: int
    matter: str
    status: DemandStatus
    created_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    convened_meeting_id: int | None
    signatures: int = Field(description="Signatures on the demand now.")
    voters: int = Field(description="The house's entitled voters today.")
    needed: int = Field(
        description="Signatures needed: one tenth of the voters, rounded up (for a demand "
        "already due or closed, as counted today)."
    )
    signed: bool = Field(description="Whether the caller has signed it.")
    version: int
