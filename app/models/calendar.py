"""The annual calendar (vuosikello): recurring templates, dated events, registrations, feeds."""

import enum
from datetime import datetime, time

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.participation import Participation, ParticipationType
from app.models.types import StrEnumType, UTCDateTime, utcnow


class Audience(enum.StrEnum):
    """Whom an event (or a template's events) concerns."""

    all_chairs = "all_chairs"
    all_residents = "all_residents"
    yte = "yte"
    management = "management"
    house_residents = "house_residents"  # one house's residents (or every house's, per house)
    house_committee = "house_committee"  # one house's committee (or every house's, per house)


class EventKind(enum.StrEnum):
    """What a calendar entry is; the compliance view counts some kinds."""

    event = "event"  # a session people attend: budget info, chairs' event, webinar, training
    forum = "forum"  # a cooperation forum session
    resident_meeting = "resident_meeting"  # the yearly resident meeting of a house
    election = "election"  # the chairs' meeting electing Haso-yte
    chairs_newsletter = "chairs_newsletter"  # Puheenjohtajaposti is due
    residents_newsletter = "residents_newsletter"  # a residents' newsletter is due


class Mode(enum.StrEnum):
    """How people take part."""

    physical = "physical"
    online = "online"
    hybrid = "hybrid"


class YearRule(enum.StrEnum):
    """Which years a template recurs in."""

    every = "every"
    even = "even"  # e.g. the Haso-yte election in January of even years
    odd = "odd"


class EventTemplate(SQLModel, table=True):
    """A recurring entry of the annual calendar; the scheduler turns it into dated events.

    The date rule: in each month listed in `months` (comma-separated, 1-12) of each year
    matching `years`, on `day` of the month, or, when `weekday` is set, on the `week`-th such
    weekday of the month (week 5 = the last one).
    """

    __tablename__ = "event_template"
    __table_args__ = (
        CheckConstraint("day IS NULL OR (day >= 1 AND day <= 28)", name="day_range"),
        CheckConstraint("weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name="weekday"),
        CheckConstraint("week >= 1 AND week <= 5", name="week_range"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("reminder_days <= invitation_days", name="reminder_after_invitation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # A stable name for the defaults (e.g. "budget-info-january"), so seeding twice adds nothing.
    key: str | None = Field(default=None, max_length=60, unique=True)
    kind: EventKind = Field(default=EventKind.event, sa_type=StrEnumType(EventKind, 24))
    title_fi: str = Field(max_length=200)
    title_sv: str = Field(default="", max_length=200)
    title_en: str = Field(default="", max_length=200)
    description_fi: str = Field(default="", sa_type=Text)
    description_sv: str = Field(default="", sa_type=Text)
    description_en: str = Field(default="", sa_type=Text)
    months: str = Field(max_length=40)  # "1", "2,5,9,11", "1,2,3,4,5,6,7,8,9,10,11,12"
    years: YearRule = Field(default=YearRule.every, sa_type=StrEnumType(YearRule, 5))
    day: int | None = 15
    weekday: int | None = None  # 0 = Monday
    week: int = 1
    start_time: time = time(18, 0)
    duration_minutes: int = 120
    audience: Audience = Field(sa_type=StrEnumType(Audience, 20))
    # With a house audience: one house, or None for one event in every house.
    house_id: int | None = Field(default=None, foreign_key="house.id", ondelete="CASCADE")
    participation: Participation = Field(
        default=Participation.information, sa_type=ParticipationType()
    )
    mode: Mode = Field(default=Mode.physical, sa_type=StrEnumType(Mode, 10))
    place: str = Field(default="", max_length=200)
    link: str = Field(default="", max_length=500)
    registration: bool = False
    capacity: int | None = None
    invitation_days: int = 21  # the invitation goes this many days before
    reminder_days: int = 2  # registrants are reminded this many days before
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class CalendarEvent(SQLModel, table=True):
    """One dated entry of the calendar, generated from a template or added by hand."""

    __tablename__ = "calendar_event"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("reminder_days <= invitation_days", name="reminder_after_invitation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    template_id: int | None = Field(
        default=None, foreign_key="event_template.id", index=True, ondelete="SET NULL"
    )
    # "<template id>:<yyyy-mm>:<house id or ->": a template yields each occurrence once, however
    # often or by however many schedulers the generation runs. NULL for events added by hand.
    occurrence_key: str | None = Field(default=None, max_length=60, unique=True)
    kind: EventKind = Field(default=EventKind.event, sa_type=StrEnumType(EventKind, 24))
    title_fi: str = Field(max_length=200)
    title_sv: str = Field(default="", max_length=200)
    title_en: str = Field(default="", max_length=200)
    description_fi: str = Field(default="", sa_type=Text)
    description_sv: str = Field(default="", sa_type=Text)
    description_en: str = Field(default="", sa_type=Text)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    audience: Audience = Field(sa_type=StrEnumType(Audience, 20), index=True)
    house_id: int | None = Field(
        default=None, foreign_key="house.id", index=True, ondelete="CASCADE"
    )
    participation: Participation = Field(
        default=Participation.information, sa_type=ParticipationType()
    )
    mode: Mode = Field(default=Mode.physical, sa_type=StrEnumType(Mode, 10))
    place: str = Field(default="", max_length=200)
    link: str = Field(default="", max_length=500)
    registration: bool = False
    capacity: int | None = None
    invitation_days: int = 21
    reminder_days: int = 2
    invitation_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminders_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set once management has changed the date, place or link by hand.
    adjusted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    forum_session_id: int | None = Field(
        default=None, foreign_key="forum_session.id", ondelete="SET NULL"
    )
    # The record an entry is shown from ("election:12:voting", "budget-cycle:5:statement"):
    # written and kept in step by that record (app/services/calendar/linked.py).
    source: str | None = Field(default=None, max_length=60, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class RegistrationStatus(enum.StrEnum):
    """Where a registration stands."""

    registered = "registered"
    waiting = "waiting"  # on the waiting list, moved up in order when a place frees
    cancelled = "cancelled"


class EventRegistration(SQLModel, table=True):
    """A person's registration for an event; one row per person and event."""

    __tablename__ = "event_registration"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="calendar_event.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    status: RegistrationStatus = Field(
        default=RegistrationStatus.registered, sa_type=StrEnumType(RegistrationStatus, 10)
    )
    participants: int = 1
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CalendarFeed(SQLModel, table=True):
    """A person's secret calendar-feed address; only the token's hash is kept."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
