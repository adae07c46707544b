"""Input and output schemas of newsletters (the tables are in app/models/newsletters.py)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.newsletters import NewsletterKind, NewsletterStatus
from app.models.participation import Participation

BODY_MAX = 100_000


class NewsletterCreate(SQLModel):
    """A new draft; house_id only for a house bulletin."""

    kind: NewsletterKind
    house_id: int | None = None
    title: str = Field(min_length=1, max_length=200)
    body_md: str = Field(default="", max_length=BODY_MAX)
    participation: Participation = Participation.information
    include_events: bool = True
    include_initiatives: bool = True


class NewsletterForm(NewsletterCreate):
    """The new-newsletter page: an unticked box is not sent at all, so it means no."""

    include_events: bool = False
    include_initiatives: bool = False


class NewsletterUpdate(SQLModel):
    """A changed draft (the edit page: an unticked box means no), with the version read."""

    title: str = Field(min_length=1, max_length=200)
    body_md: str = Field(default="", max_length=BODY_MAX)
    participation: Participation = Participation.information
    include_events: bool = False
    include_initiatives: bool = False
    version: int


class ScheduleForm(SQLModel):
    """When to send: a Helsinki time (datetime-local), or now."""

    scheduled_at: datetime | None = None
    send_now: bool = False
    version: int


class NewsletterPublic(SQLModel):
    """A newsletter as the API shows it."""

    id: int
    kind: NewsletterKind
    house_id: int | None
    title: str
    body_md: str
    body_html: str = ""
    participation: Participation
    include_events: bool
    include_initiatives: bool
    status: NewsletterStatus
    scheduled_at: datetime | None
    sent_at: datetime | None
    recipients: int
    version: int
