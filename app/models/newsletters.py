"""Newsletters (Puheenjohtajaposti, residents' newsletters, house bulletins) and mail choices."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.participation import Participation, ParticipationType
from app.models.types import StrEnumType, UTCDateTime, utcnow


class NewsletterKind(enum.StrEnum):
    """Who a newsletter goes to."""

    chairs = "chairs"  # Puheenjohtajaposti: every sitting chair, monthly
    residents = "residents"  # every resident who has not unsubscribed, at least four a year
    house = "house"  # a house bulletin: one house's residents, by its manager or committee


class NewsletterStatus(enum.StrEnum):
    """Where a newsletter stands."""

    draft = "draft"
    scheduled = "scheduled"  # goes out at scheduled_at
    sending = "sending"  # the audience is resolved and its deliveries written
    sent = "sent"
    cancelled = "cancelled"


class Newsletter(SQLModel, table=True):
    """One issue of a newsletter, written in Markdown."""

    __table_args__ = (
        CheckConstraint(
            "(kind = 'house') = (house_id IS NOT NULL)", name="house_bulletin_has_house"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: NewsletterKind = Field(sa_type=StrEnumType(NewsletterKind, 12), index=True)
    house_id: int | None = Field(
        default=None, foreign_key="house.id", index=True, ondelete="CASCADE"
    )
    # The Finnish title and text; the Swedish and English ones are optional (a reader whose
    # language has no text of its own gets the Finnish one).
    title: str = Field(max_length=200)
    body_md: str = Field(default="", sa_type=Text)
    title_sv: str = Field(default="", max_length=200)
    body_md_sv: str = Field(default="", sa_type=Text)
    title_en: str = Field(default="", max_length=200)
    body_md_en: str = Field(default="", sa_type=Text)
    participation: Participation = Field(
        default=Participation.information, sa_type=ParticipationType()
    )
    include_events: bool = True  # add the audience's coming events
    include_initiatives: bool = True  # add recently answered initiatives the audience may see
    status: NewsletterStatus = Field(
        default=NewsletterStatus.draft, sa_type=StrEnumType(NewsletterStatus, 10), index=True
    )
    scheduled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # when sending began
    recipients: int = 0  # the audience when it was resolved
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class Topic(enum.StrEnum):
    """What a person can choose to receive, and how often."""

    chairs_newsletter = "chairs_newsletter"
    residents_newsletter = "residents_newsletter"
    house_bulletin = "house_bulletin"
    initiative_changes = "initiative_changes"
    event_reminders = "event_reminders"


class Frequency(enum.StrEnum):
    """How often mail on a topic comes; newsletters know only immediate and off."""

    immediate = "immediate"
    daily = "daily"
    weekly = "weekly"
    off = "off"


class MailPreference(SQLModel, table=True):
    """A person's choice for one topic; without a row, mail comes at once."""

    __tablename__ = "mail_preference"
    __table_args__ = (UniqueConstraint("person_id", "topic"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    topic: Topic = Field(sa_type=StrEnumType(Topic, 24))
    frequency: Frequency = Field(sa_type=StrEnumType(Frequency, 10))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DigestItem(SQLModel, table=True):
    """A notification held back for a person's daily or weekly digest."""

    __tablename__ = "digest_item"
    # The same notification is held once per person, however often it is raised.
    __table_args__ = (UniqueConstraint("person_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    topic: Topic = Field(sa_type=StrEnumType(Topic, 24))
    key: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    body_text: str = Field(default="", sa_type=Text)
    url: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The delivery key of the digest that carried it; NULL while it waits.
    digest_key: str | None = Field(default=None, max_length=200, index=True)
