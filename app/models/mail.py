"""The one delivery table: every mail, written before it is sent."""

import enum
from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import StrEnumType, UTCDateTime, utcnow


class DeliveryStatus(enum.StrEnum):
    """Where a delivery stands."""

    pending = "pending"
    sending = "sending"  # claimed by a sender; if it crashes here, nobody gets it twice
    sent = "sent"
    failed = "failed"


class Delivery(SQLModel, table=True):
    """One message to one recipient; (message_key, recipient) is unique, so nobody gets it twice."""

    __table_args__ = (UniqueConstraint("message_key", "recipient"),)

    id: int | None = Field(default=None, primary_key=True)
    message_key: str = Field(max_length=200)
    recipient: str = Field(max_length=320)
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=Text)
    body_html: str = Field(default="", sa_type=Text)
    status: DeliveryStatus = Field(
        default=DeliveryStatus.pending, sa_type=StrEnumType(DeliveryStatus, 10), index=True
    )
    attempts: int = 0
    error: str = Field(default="", max_length=1000)
    # A transient failure is retried no earlier than this (exponential backoff).
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When a sender claimed it (status sending): a claim older than the lease is a dead sender's.
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The newsletter this mail carries, for its progress (sent / failed / pending).
    newsletter_id: int | None = Field(
        default=None, foreign_key="newsletter.id", index=True, ondelete="SET NULL"
    )
    # One-click unsubscribe address (RFC 8058) sent as List-Unsubscribe; empty: none.
    unsubscribe_url: str = Field(default="", max_length=500)
    # The language it was written in (fi, sv, en), sent as Content-Language; empty: the default.
    language: str = Field(default="", max_length=2)
    # A calendar invitation (iCalendar, METHOD:REQUEST or CANCEL) attached to it; empty: none.
    ics: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
