"""Resident meetings (asukaskokous)."""

from datetime import date, datetime, time

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.participation import Participation, ParticipationType
from app.models.types import UTCDateTime, utcnow


class ResidentMeeting(SQLModel, table=True):
    """A meeting of a house's residents; convened with at least two weeks' notice."""

    __tablename__ = "resident_meeting"

    id: int | None = Field(default=None, primary_key=True)
    house_id: int = Field(foreign_key="house.id", index=True, ondelete="CASCADE")
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    place: str = Field(max_length=200)
    remote_link: str | None = Field(default=None, max_length=500)
    invitation_on: date
    invitation_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    agenda: str = Field(default="", sa_type=Text)
    minutes: str = Field(default="", sa_type=Text)
    decisions: str = Field(default="", sa_type=Text)
    participation: Participation = Field(
        default=Participation.decision, sa_type=ParticipationType()
    )
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1
    # The calendar's entry for the meeting: the house's placeholder it took over, or its own.
    calendar_event_id: int | None = Field(
        default=None, foreign_key="calendar_event.id", ondelete="SET NULL", unique=True
    )


class MeetingCreate(SQLModel):
    """Input for a new resident meeting; a starts_at without a time zone is Helsinki time."""

    starts_at: datetime
    place: str = Field(min_length=1, max_length=200)
    remote_link: str | None = Field(default=None, max_length=500)
    invitation_on: date
    agenda: str = Field(default="", max_length=20000)


class MeetingForm(SQLModel):
    """The new-meeting page's fields: the start as a Helsinki date and time of day."""

    starts_on: date
    starts_time: time
    place: str = Field(min_length=1, max_length=200)
    remote_link: str | None = Field(default=None, max_length=500)
    invitation_on: date
    agenda: str = Field(default="", max_length=20000)

    def to_create(self) -> MeetingCreate:
        """The same input as the API takes (a local, zone-less start)."""
        return MeetingCreate(
            starts_at=datetime.combine(self.starts_on, self.starts_time),
            place=self.place,
            remote_link=self.remote_link,
            invitation_on=self.invitation_on,
            agenda=self.agenda,
        )


class MeetingMinutes(SQLModel):
    """Minutes and decisions recorded after a meeting."""

    minutes: str = Field(default="", max_length=100000)
    decisions: str = Field(default="", max_length=50000)
    version: int


class MeetingPublic(SQLModel):
    """A resident meeting as the API shows it."""

    id: int
    house_id: int
    starts_at: datetime
    place: str
    remote_link: str | None
    invitation_on: date
    invitation_sent_at: datetime | None
    agenda: str
    minutes: str
    decisions: str
    participation: Participation
    version: int
