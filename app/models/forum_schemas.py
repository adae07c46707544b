"""Input and output schemas of the cooperation forum (the tables are in app/models/forum.py)."""

from datetime import date, datetime, time

from sqlmodel import Field, SQLModel

from app.models.forum import ItemKind
from app.models.initiatives import Outcome
from app.models.participation import Participation


class SessionCreate(SQLModel):
    """A new forum session; a starts_at without a time zone is Helsinki time."""

    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    duration_minutes: int = Field(default=120, ge=15, le=720)
    place: str = Field(min_length=1, max_length=200)
    remote_link: str | None = Field(default=None, max_length=500)
    participation: Participation = Participation.planning


class SessionUpdate(SQLModel):
    """A change to a session (the API's PATCH): only the given fields change."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    starts_at: datetime | None = None
    duration_minutes: int | None = Field(default=None, ge=15, le=720)
    place: str | None = Field(default=None, min_length=1, max_length=200)
    remote_link: str | None = Field(default=None, max_length=500)
    participation: Participation | None = None
    version: int
    # An administrator moves a session with a published agenda inside the notice (audited).
    override: bool = False


class SessionForm(SQLModel):
    """The session page's fields: the start as a Helsinki date and a time of day."""

    title: str = Field(min_length=1, max_length=200)
    starts_on: date
    starts_time: time
    duration_minutes: int = Field(default=120, ge=15, le=720)
    place: str = Field(min_length=1, max_length=200)
    remote_link: str | None = Field(default=None, max_length=500)
    participation: Participation = Participation.planning

    def to_create(self) -> SessionCreate:
        """The same input as the API takes (a local, zone-less start)."""
        return SessionCreate(
            title=self.title,
            starts_at=datetime.combine(self.starts_on, self.starts_time),
            duration_minutes=self.duration_minutes,
            place=self.place,
            remote_link=self.remote_link,
            participation=self.participation,
        )


class SessionEditForm(SessionForm):
    """The edit page: the form's fields and the version read."""

    version: int
    override: bool = False

    def to_update(self) -> SessionUpdate:
        """Every field given, as a full update."""
        data = self.to_create()
        return SessionUpdate(**data.model_dump(), version=self.version, override=self.override)


class ItemInput(SQLModel):
    """An agenda item typed in: a budget matter, a theme or a free item."""

    kind: ItemKind = ItemKind.other
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20000)
    presenter: str = Field(default="", max_length=200)
    planned_minutes: int = Field(default=15, ge=1, le=480)
    participation: Participation = Participation.planning


class ItemUpdate(ItemInput):
    """An edit of an item, with the version read."""

    version: int


class ItemCreate(SQLModel):
    """The API's new item: with initiative_id, the title and participation default to its own."""

    kind: ItemKind = ItemKind.other
    initiative_id: int | None = None
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=20000)
    presenter: str = Field(default="", max_length=200)
    planned_minutes: int = Field(default=15, ge=1, le=480)
    participation: Participation | None = None


class MinutesInput(SQLModel):
    """An item's minutes: the discussion, the decision or answer, its outcome, the follow-up."""

    discussion: str = Field(default="", max_length=50000)
    decision: str = Field(default="", max_length=50000)
    outcome: Outcome | None = None
    follow_up: str = Field(default="", max_length=500)
    follow_up_owner_id: int | None = None
    follow_up_due: date | None = None
    version: int


class PublishInput(SQLModel):
    """Publishing an agenda; override (administrators only) lets it out later than the notice."""

    override: bool = False


class ItemPublic(SQLModel):
    """An agenda item as the API shows it (the minutes only to those who may read them)."""

    id: int
    session_id: int
    position: int
    kind: ItemKind
    initiative_id: int | None
    title: str
    description: str
    presenter: str
    planned_minutes: int
    participation: Participation
    discussion: str | None = None
    decision: str | None = None
    outcome: Outcome | None = None
    follow_up: str | None = None
    follow_up_owner_id: int | None = None
    follow_up_due: date | None = None
    recorded_at: datetime | None = None
    version: int


class SessionPublic(SQLModel):
    """A forum session as the API shows it."""

    id: int
    title: str
    starts_at: datetime
    duration_minutes: int
    place: str
    remote_link: str | None
    participation: Participation
    agenda_published_at: datetime | None
    minutes_published_at: datetime | None
    version: int


class SessionDetailPublic(SessionPublic):
    """A session with its agenda."""

    items: list[ItemPublic] = []


class MinutesRecorded(SQLModel):
    """The answer to recording minutes: the item, and whether publishing the minutes will
    answer its initiative. The minutes answer it when they are published, so
    initiative_answered stays false here; initiative_note says why publishing will not change
    the initiative, if it will not."""

    item: ItemPublic
    initiative_answered: bool = False
    initiative_note: str = ""


class MinutesPublished(SQLModel):
    """The answer to publishing the minutes: the session, the initiatives its decisions
    answered, and why any other initiative on the agenda was not changed."""

    session: SessionPublic
    answered_initiative_ids: list[int] = []
    notes: list[str] = []
