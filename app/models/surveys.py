"""Resident surveys (arviointiosallisuus), anonymous by default.

Like a ballot: the record that a person has answered (SurveyParticipation) and the answers
(SurveyResponse with its SurveyAnswer rows) are stored apart. An anonymous survey's response has
a random UUID key and no person and no timestamp; only a survey that says it is not anonymous
keeps the person on the response.
"""

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, LargeBinary, Text
from sqlmodel import Field, SQLModel

from app.models.calendar import Audience
from app.models.participation import Participation, ParticipationType
from app.models.types import StrEnumType, UTCDateTime, utcnow


class QuestionKind(enum.StrEnum):
    """What a question asks for."""

    scale = "scale"  # 1–5
    single = "single"  # one of the options
    multiple = "multiple"  # any of the options
    text = "text"  # free text


class Survey(SQLModel, table=True):
    """A survey for an audience, open between two days."""

    __tablename__ = "survey"
    __table_args__ = (CheckConstraint("closes_on >= opens_on", name="period"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    audience: Audience = Field(sa_type=StrEnumType(Audience, 20))
    house_id: int | None = Field(default=None, foreign_key="house.id", ondelete="CASCADE")
    participation: Participation = Field(
        default=Participation.evaluation, sa_type=ParticipationType()
    )
    opens_on: date
    closes_on: date
    anonymous: bool = True
    live_results: bool = False
    results_shared: bool = False
    initiative_id: int | None = Field(
        default=None, foreign_key="initiative.id", ondelete="SET NULL", index=True
    )
    created_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    announced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SurveyQuestion(SQLModel, table=True):
    """A question of a survey, in its order."""

    __tablename__ = "survey_question"

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True, ondelete="CASCADE")
    position: int
    kind: QuestionKind = Field(sa_type=StrEnumType(QuestionKind, 10))
    text: str = Field(max_length=500)
    options: list[str] = Field(default_factory=list, sa_type=JSON)


class SurveyParticipation(SQLModel, table=True):
    """That a person has answered a survey, and on which day; never what they answered."""

    __tablename__ = "survey_participation"

    survey_id: int = Field(foreign_key="survey.id", primary_key=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    answered_on: date


class SurveySealedResponse(SQLModel, table=True):
    """An anonymous survey's response while the survey is open: sealed, padded to one size.

    Opened and written as SurveyResponse rows in a random order when the survey closes (see
    app/services/ballots/sealing.py)."""

    __tablename__ = "survey_sealed_response"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True, ondelete="CASCADE")
    sealed: bytes = Field(sa_type=LargeBinary)


class SurveyResponse(SQLModel, table=True):
    """One set of answers: a random key; the person only when the survey is not anonymous."""

    __tablename__ = "survey_response"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True, ondelete="CASCADE")
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class SurveyAnswer(SQLModel, table=True):
    """One answer: a scale value or an option's index (one row per ticked option), or text."""

    __tablename__ = "survey_answer"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    response_id: uuid.UUID = Field(foreign_key="survey_response.id", index=True, ondelete="CASCADE")
    question_id: int = Field(foreign_key="survey_question.id", index=True, ondelete="CASCADE")
    value: int | None = None
    text: str | None = Field(default=None, sa_type=Text)


class SurveyCreate(SQLModel):
    """Input for a new survey; questions as lines (see app/services/ballots/surveys.py)."""

    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    audience: Audience
    house_id: int | None = None
    participation: Participation = Participation.evaluation
    opens_on: date
    closes_on: date
    anonymous: bool = True
    live_results: bool = False
    initiative_id: int | None = None
    questions: str = Field(min_length=1)


class SurveyPublic(SQLModel):
    """A survey as the API shows it."""

    id: int
    title: str
    description: str
    audience: Audience
    house_id: int | None
    participation: Participation
    opens_on: date
    closes_on: date
    anonymous: bool
    live_results: bool
    results_shared: bool
    questions: list[dict[str, Any]] = []
