"""Initiatives (aloitteet): a concern raised by residents, a committee or Haso-yte, and its path."""

import enum
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import StringConstraints
from sqlalchemy import JSON, CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.participation import Participation, ParticipationType
from app.models.types import StrEnumType, UTCDateTime, utcnow


class Scope(enum.StrEnum):
    """Whom an initiative is addressed to."""

    house = "house"  # the house's property manager
    company = "company"  # the company, through Haso-yte to the cooperation forum


class State(enum.StrEnum):
    """Where an initiative stands; the allowed moves are in app.services.initiatives.lifecycle."""

    suggested = "suggested"  # a resident's suggestion to the house's committee
    declined = "declined"  # the committee did not take the suggestion up
    draft = "draft"
    submitted = "submitted"
    received = "received"
    in_preparation = "in_preparation"
    answered = "answered"
    implemented = "implemented"
    evaluated = "evaluated"
    withdrawn = "withdrawn"


class Outcome(enum.StrEnum):
    """The official answer's verdict."""

    accepted = "accepted"
    partly_accepted = "partly_accepted"
    rejected = "rejected"


class Initiative(SQLModel, table=True):
    """One initiative; house_id is set for house scope and names the filer's house."""

    __table_args__ = (
        CheckConstraint(
            "(scope = 'house' AND house_id IS NOT NULL)"
            " OR (scope = 'company' AND house_id IS NULL)",
            name="scope_house",
        ),
        CheckConstraint(
            "state NOT IN ('answered', 'implemented', 'evaluated') OR outcome IS NOT NULL",
            name="answered_outcome",
        ),
        # Covers the visibility rule (initiative_lists.visible_clause): counting what a person
        # may see scans this narrow index, not the table with its texts (migration 0009).
        Index(
            "ix_initiative_visibility",
            "scope",
            "house_id",
            "state",
            "filed_by_id",
            "suggested_by_id",
            "assignee_id",
            "submitted_at",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    scope: Scope = Field(sa_type=StrEnumType(Scope, 10), index=True)
    house_id: int | None = Field(
        default=None, foreign_key="house.id", index=True, ondelete="CASCADE"
    )
    title: str = Field(max_length=200)
    body: str = Field(default="", sa_type=Text)
    participation: Participation = Field(
        default=Participation.initiative, sa_type=ParticipationType()
    )
    state: State = Field(default=State.draft, sa_type=StrEnumType(State, 20), index=True)
    filed_by_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    suggested_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    assignee_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    outcome: Outcome | None = Field(default=None, sa_type=StrEnumType(Outcome, 20))
    answer: str = Field(default="", sa_type=Text)
    answered_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    implemented_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    evaluated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # withdrawn/declined
    receipt_due_on: date | None = None
    answer_due_on: date | None = None
    review_on: date | None = None  # when the outcome is to be evaluated
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class EventKind(enum.StrEnum):
    """What a history row records."""

    created = "created"
    edited = "edited"
    state = "state"  # a move in the lifecycle
    assigned = "assigned"
    review = "review"  # a review date set
    evaluation = "evaluation"


class InitiativeEvent(SQLModel, table=True):
    """The initiative's history: every state change and edit, with what changed."""

    __tablename__ = "initiative_event"

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True, ondelete="CASCADE")
    kind: EventKind = Field(sa_type=StrEnumType(EventKind, 20))
    action: str = Field(default="", max_length=30)  # the lifecycle action, e.g. "submit"
    from_state: State | None = Field(default=None, sa_type=StrEnumType(State, 20))
    to_state: State | None = Field(default=None, sa_type=StrEnumType(State, 20))
    actor_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    note: str = Field(default="", sa_type=Text)
    changes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class InitiativeComment(SQLModel, table=True):
    """A comment; a reply points to a top-level comment (one level only)."""

    __tablename__ = "initiative_comment"

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True, ondelete="CASCADE")
    parent_id: int | None = Field(
        default=None, foreign_key="initiative_comment.id", ondelete="CASCADE"
    )
    author_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InitiativeAttachment(SQLModel, table=True):
    """A file attached to an initiative; the bytes live on disk under a random name."""

    __tablename__ = "initiative_attachment"

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True, ondelete="CASCADE")
    uploaded_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    filename: str = Field(max_length=200)  # as shown and offered for download, cleaned
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_name: str = Field(max_length=64, unique=True)  # random, never from the user
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InitiativeFollower(SQLModel, table=True):
    """A person who is told of every change to an initiative."""

    __tablename__ = "initiative_follower"

    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InitiativeEvaluation(SQLModel, table=True):
    """A rating (1 to 5) of an implemented initiative's outcome, one per person."""

    __tablename__ = "initiative_evaluation"
    __table_args__ = (
        UniqueConstraint("initiative_id", "person_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    )

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True, ondelete="CASCADE")
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Notification(SQLModel, table=True):
    """A line on a person's front page (and the reason for a mail), e.g. a state change."""

    # One line per person and event, whatever retries or races happen (NULL events never clash).
    __table_args__ = (UniqueConstraint("person_id", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    initiative_id: int | None = Field(
        default=None, foreign_key="initiative.id", index=True, ondelete="CASCADE"
    )
    event_id: int | None = Field(
        default=None, foreign_key="initiative_event.id", ondelete="CASCADE"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# ---- input and output schemas -------------------------------------------------------------


# Text is stripped before its length is checked: a title of spaces is no title.
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50000)]
AnswerText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50000)
]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]
CommentText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)
]


class InitiativeCreate(SQLModel):
    """A new initiative (a draft, or a resident's suggestion)."""

    scope: Scope
    house_id: int | None = None
    title: Title
    body: Body = ""
    participation: Participation = Participation.initiative


class InitiativeUpdate(SQLModel):
    """An edit of an initiative's text from the page's form (all three fields are sent)."""

    title: Title
    body: Body = ""
    participation: Participation = Participation.initiative
    version: int


class InitiativePatch(SQLModel):
    """A partial edit (the API): only the fields given change."""

    title: Title | None = None
    body: Body | None = None
    participation: Participation | None = None
    version: int


class AnswerInput(SQLModel):
    """The official answer."""

    outcome: Outcome
    answer: AnswerText


class EvaluationInput(SQLModel):
    """A rating of the outcome, with an optional comment."""

    rating: int = Field(ge=1, le=5)
    comment: Comment = ""


class CommentInput(SQLModel):
    """A comment or a reply."""

    body: CommentText
    parent_id: int | None = None


class InitiativePublic(SQLModel):
    """An initiative as the API shows it."""

    id: int
    scope: Scope
    house_id: int | None
    title: str
    body: str
    participation: Participation
    state: State
    filed_by_id: int | None
    assignee_id: int | None
    outcome: Outcome | None
    answer: str
    submitted_at: datetime | None
    received_at: datetime | None
    answered_at: datetime | None
    implemented_at: datetime | None
    evaluated_at: datetime | None
    receipt_due_on: date | None
    answer_due_on: date | None
    review_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int
