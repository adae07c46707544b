"""The cooperation forum (yhteistyöfoorumi): management and Haso-yte, agendas, minutes."""

import enum
from datetime import date, datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.initiatives import Outcome
from app.models.participation import Participation, ParticipationType
from app.models.types import StrEnumType, UTCDateTime, utcnow


class ForumSession(SQLModel, table=True):
    """One meeting of the forum; its agenda is published at least a week before."""

    __tablename__ = "forum_session"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(default="", max_length=200)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    duration_minutes: int = 120
    place: str = Field(default="", max_length=200)
    remote_link: str | None = Field(default=None, max_length=500)
    participation: Participation = Field(
        default=Participation.planning, sa_type=ParticipationType()
    )
    agenda_published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # An administrator let the agenda out later than the notice allows (also in the audit log).
    late_publication_by_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="SET NULL"
    )
    minutes_published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class ItemKind(enum.StrEnum):
    """What an agenda item is about."""

    initiative = "initiative"
    budget = "budget"
    theme = "theme"
    other = "other"  # free text


class AgendaItem(SQLModel, table=True):
    """One item on a session's agenda, with its minutes."""

    __tablename__ = "agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="forum_session.id", index=True, ondelete="CASCADE")
    position: int = 0
    kind: ItemKind = Field(default=ItemKind.other, sa_type=StrEnumType(ItemKind, 20))
    initiative_id: int | None = Field(
        default=None, foreign_key="initiative.id", index=True, ondelete="SET NULL"
    )
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    presenter: str = Field(default="", max_length=200)
    planned_minutes: int = 15
    participation: Participation = Field(
        default=Participation.planning, sa_type=ParticipationType()
    )
    # minutes
    discussion: str = Field(default="", sa_type=Text)
    decision: str = Field(default="", sa_type=Text)
    outcome: Outcome | None = Field(default=None, sa_type=StrEnumType(Outcome, 20))
    follow_up: str = Field(default="", max_length=500)
    follow_up_owner_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="SET NULL"
    )
    follow_up_due: date | None = None
    follow_up_done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1
