"""Input and output schemas of the annual calendar (the tables are in app/models/calendar.py)."""

from datetime import date, datetime, time
from typing import Annotated

from pydantic import WithJsonSchema
from sqlmodel import Field, SQLModel

from app.models.calendar import Audience, EventKind, Mode, YearRule
from app.models.participation import Participation

# A local time of day in Helsinki ("18:00:00"), without the UTC offset that JSON Schema's
# "time" format demands.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "18:00:00"}
    ),
]


class TemplateInput(SQLModel):
    """A recurring template: the rule (months, a day or the n-th weekday), text and audience."""

    kind: EventKind = EventKind.event
    title_fi: str = Field(min_length=1, max_length=200)
    title_sv: str = Field(default="", max_length=200)
    title_en: str = Field(default="", max_length=200)
    description_fi: str = Field(default="", max_length=20000)
    description_sv: str = Field(default="", max_length=20000)
    description_en: str = Field(default="", max_length=20000)
    months: str = Field(min_length=1, max_length=40)  # "1,6,10"
    years: YearRule = YearRule.every
    day: int | None = None
    weekday: int | None = None  # 0 = Monday; set, it replaces the day of the month
    week: int = 1  # the n-th such weekday, 5 = the last
    start_time: LocalTime = time(18, 0)
    duration_minutes: int = 120
    audience: Audience
    house_id: int | None = None
    participation: Participation = Participation.information
    mode: Mode = Mode.physical
    place: str = Field(default="", max_length=200)
    link: str = Field(default="", max_length=500)
    registration: bool = False
    capacity: int | None = None
    invitation_days: int = 21
    reminder_days: int = 2
    active: bool = True


class TemplateUpdate(TemplateInput):
    """A whole template as edited, with the version read."""

    version: int


class TemplatePublic(SQLModel):
    """A template as the API shows it."""

    id: int
    key: str | None
    kind: EventKind
    title_fi: str
    title_sv: str
    title_en: str
    description_fi: str
    description_sv: str
    description_en: str
    months: str
    years: YearRule
    day: int | None
    weekday: int | None
    week: int
    start_time: LocalTime
    duration_minutes: int
    audience: Audience
    house_id: int | None
    participation: Participation
    mode: Mode
    place: str
    link: str
    registration: bool
    capacity: int | None
    invitation_days: int
    reminder_days: int
    active: bool
    version: int


class EventCreate(SQLModel):
    """A one-off event added by hand; a starts_at without a time zone is Helsinki time."""

    kind: EventKind = EventKind.event
    title_fi: str = Field(min_length=1, max_length=200)
    title_sv: str = Field(default="", max_length=200)
    title_en: str = Field(default="", max_length=200)
    description_fi: str = Field(default="", max_length=20000)
    description_sv: str = Field(default="", max_length=20000)
    description_en: str = Field(default="", max_length=20000)
    starts_at: datetime
    duration_minutes: int = 120
    audience: Audience
    house_id: int | None = None
    participation: Participation = Participation.information
    mode: Mode = Mode.physical
    place: str = Field(default="", max_length=200)
    link: str = Field(default="", max_length=500)
    registration: bool = False
    capacity: int | None = None
    invitation_days: int = 21
    reminder_days: int = 2


class EventAdjust(SQLModel):
    """Management's adjustment of one event: time, place, link, description."""

    starts_at: datetime
    duration_minutes: int = 120
    place: str = Field(default="", max_length=200)
    link: str = Field(default="", max_length=500)
    description_fi: str = Field(default="", max_length=20000)
    description_sv: str = Field(default="", max_length=20000)
    description_en: str = Field(default="", max_length=20000)
    version: int


class EventForm(SQLModel):
    """The new-event page: the start as a Helsinki date and a time of day."""

    kind: EventKind = EventKind.event
    title_fi: str = Field(min_length=1, max_length=200)
    title_sv: str = Field(default="", max_length=200)
    title_en: str = Field(default="", max_length=200)
    description_fi: str = Field(default="", max_length=20000)
    description_sv: str = Field(default="", max_length=20000)
    description_en: str = Field(default="", max_length=20000)
    starts_on: date
    starts_time: time
    duration_minutes: int = 120
    audience: Audience
    house_id: int | None = None
    participation: Participation = Participation.information
    mode: Mode = Mode.physical
    place: str = Field(default="", max_length=200)
    link: str = Field(default="", max_length=500)
    registration: bool = False
    capacity: int | None = None
    invitation_days: int = 21
    reminder_days: int = 2

    def to_create(self) -> EventCreate:
        """The same input as the API takes (a local, zone-less start)."""
        data = self.model_dump(exclude={"starts_on", "starts_time"})
        return EventCreate(**data, starts_at=datetime.combine(self.starts_on, self.starts_time))


class AdjustForm(SQLModel):
    """The adjust page's fields."""

    starts_on: date
    starts_time: time
    duration_minutes: int = 120
    place: str = Field(default="", max_length=200)
    link: str = Field(default="", max_length=500)
    description_fi: str = Field(default="", max_length=20000)
    description_sv: str = Field(default="", max_length=20000)
    description_en: str = Field(default="", max_length=20000)
    version: int

    def to_adjust(self) -> EventAdjust:
        """The same input as the service takes."""
        data = self.model_dump(exclude={"starts_on", "starts_time"})
        return EventAdjust(**data, starts_at=datetime.combine(self.starts_on, self.starts_time))


class EventPublic(SQLModel):
    """An event as the API shows it, its title and description in the caller's language."""

    id: int
    template_id: int | None
    kind: EventKind
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    audience: Audience
    house_id: int | None
    participation: Participation
    mode: Mode
    place: str
    link: str
    registration: bool
    capacity: int | None
    cancelled: bool
    adjusted: bool
    version: int
