"""Input and output schemas of newsletters (the tables are in app/models/newsletters.py)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.newsletters import NewsletterKind, NewsletterStatus
from app.models.participation import Participation

BODY_MAX = 100_000


class Translations(SQLModel):
    """The optional Swedish and English title and text; empty: those readers get the Finnish."""

    title_sv: str = Field(default="", max_length=200)
    body_md_sv: str = Field(default="", max_length=BODY_MAX)
    title_en: str = Field(default="", max_length=200)
    body_md_en: str = Field(default="", max_length=BODY_MAX)


class NewsletterCreate(Translations):
    """A new draft, its title and text in Finnish; house_id only for a house bulletin."""

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


class NewsletterUpdate(Translations):
    """A changed draft (the edit page: an unticked box means no), with the version read."""

    title: str = Field(min_length=1, max_length=200)
    body_md: str = Field(default="", max_length=BODY_MAX)
    participation: Participation = Participation.information
    include_events: bool = False
    include_initiatives: bool = False
    version: int


class ScheduleForm(SQLModel):
    """When to send: a Helsinki time (datetime-local), or now; confirm_recipients is the number
    of recipients the confirmation page showed (its button), without which nothing is sent."""

    scheduled_at: datetime | None = None
    send_now: bool = False
    version: int
    confirm_recipients: int | None = Field(default=None, ge=0)


class NewsletterSend(SQLModel):
    """Sending through the API: the number of recipients the caller expects, as
    GET /api/v1/newsletters/{id}/reach tells it, and when (now when left out)."""

    confirm_recipients: int = Field(
        ge=0,
        description="The number of people the newsletter reaches, as the reach endpoint "
        "gives it: nothing is sent unless it matches the audience of the moment.",
    )
    scheduled_at: datetime | None = Field(
        default=None, description="When to send (without a zone: Helsinki time); now if left out."
    )
    version: int = Field(description="The newsletter's version as read.")


class LanguageReach(SQLModel):
    """How many recipients read a language, and whether it has a text of its own."""

    language: str
    recipients: int
    own_text: bool = Field(description="False: these readers get the Finnish text.")


class NewsletterReach(SQLModel):
    """Whom a newsletter would reach if it were sent now (the audience is resolved again when
    it goes)."""

    recipients: int
    channel: str = Field(description="How it goes: 'mail', at once (never in a digest).")
    languages: list[LanguageReach]
    sample: list[str] = Field(description="The names of a few recipients.")


class NewsletterPublic(SQLModel):
    """A newsletter as the API shows it."""

    id: int
    kind: NewsletterKind
    house_id: int | None
    title: str
    body_md: str
    body_html: str = ""
    title_sv: str
    body_md_sv: str
    title_en: str
    body_md_en: str
    participation: Participation
    include_events: bool
    include_initiatives: bool
    status: NewsletterStatus
    scheduled_at: datetime | None
    sent_at: datetime | None
    recipients: int
    version: int
