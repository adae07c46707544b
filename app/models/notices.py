"""Notices to households: who was sent a formal notice, on which channel, for which apartment."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.people import NoticeChannel
from app.models.types import StrEnumType, UTCDateTime, utcnow


class NoticeRecipient(SQLModel, table=True):
    """One person a notice (e.g. "meeting-invitation:12") reached, as decided when it was sent.

    Written once at sending, so the counts and the printed letters stay as they were when the
    residents later move. A person by email got a mail (the delivery table has it); a person on
    paper is named on their apartment's letter. Names and the postal address are read from the
    person and the house at printing time: an erased person shows as erased.
    """

    __tablename__ = "notice_recipient"
    __table_args__ = (UniqueConstraint("notice_key", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_key: str = Field(max_length=200)
    house_id: int = Field(foreign_key="house.id", index=True, ondelete="CASCADE")
    apartment_id: int = Field(foreign_key="apartment.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    channel: NoticeChannel = Field(sa_type=StrEnumType(NoticeChannel, 5))
    # The language the person's copy was written in (a letter: its household's language).
    language: str = Field(max_length=2)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
