"""Accessibility feedback: messages about barriers in the portal, answered within a deadline."""

from datetime import date, datetime

from pydantic import EmailStr
from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.people import Language
from app.models.types import StrEnumType, UTCDateTime, utcnow


class AccessibilityFeedback(SQLModel, table=True):
    """One message sent through the accessibility feedback form; new until it is answered."""

    __tablename__ = "accessibility_feedback"

    id: int | None = Field(default=None, primary_key=True)
    # The logged-in sender, if any; anonymous visitors leave only their name and email.
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    name: str = Field(default="", max_length=200)
    email: str = Field(max_length=320, index=True)
    language: Language = Field(default=Language.fi, sa_type=StrEnumType(Language, 2))
    page: str = Field(default="", max_length=500)
    problem: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    due_on: date = Field(index=True)
    answer: str = Field(default="", sa_type=Text)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")

    @property
    def is_answered(self) -> bool:
        """Whether the answer has been recorded (and mailed)."""
        return self.answered_at is not None


class FeedbackForm(SQLModel):
    """What a visitor writes in the feedback form (name and email come from a logged-in person)."""

    name: str = Field(default="", max_length=200)
    email: EmailStr = Field(max_length=320)
    page: str = Field(default="", max_length=500)
    problem: str = Field(min_length=1, max_length=5000)


class AnswerForm(SQLModel):
    """An administrator's answer to a feedback message."""

    answer: str = Field(min_length=1, max_length=5000)
