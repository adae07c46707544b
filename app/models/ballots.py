"""Elections by secret ballot: the Haso-yte election and the chairs' board-member nomination.

The record that a house has voted (ElectionParticipation) and the ballot it cast are stored apart
with nothing linking them. While the voting goes on a ballot is only an ElectionSealedBallot:
encrypted to the election's public key, of the same size as every other (see
app/services/ballots/sealing.py). The count opens them all and writes them in a random order as
ElectionBallot rows (a random UUID key and the hash of the receipt code the voter was shown once)
with their ElectionBallotChoice rows: no voter, no house, no timestamp.
"""

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import StrEnumType, UTCDateTime, utcnow


class ElectionPurpose(enum.StrEnum):
    """What an election is for."""

    yte = "yte"  # the members of Haso-yte: the elected become the new term
    board_nomination = "board_nomination"  # the chairs' resident board-member candidates


class Election(SQLModel, table=True):
    """One election: a nomination period, a voting period, then results."""

    __tablename__ = "election"
    __table_args__ = (
        CheckConstraint("nomination_closes_on >= nomination_opens_on", name="nomination_period"),
        CheckConstraint("voting_opens_on > nomination_closes_on", name="voting_after_nomination"),
        CheckConstraint("voting_closes_on >= voting_opens_on", name="voting_period"),
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("min_choices >= 1 AND max_choices >= min_choices", name="choices"),
    )

    id: int | None = Field(default=None, primary_key=True)
    purpose: ElectionPurpose = Field(sa_type=StrEnumType(ElectionPurpose, 20))
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    seats: int
    min_choices: int = 1
    max_choices: int
    # Inclusive Helsinki days.
    nomination_opens_on: date
    nomination_closes_on: date
    voting_opens_on: date
    voting_closes_on: date
    # The dates of the Haso-yte term the elected form (purpose yte only).
    term_starts_on: date | None = None
    term_ends_on: date | None = None
    calendar_event_id: int | None = Field(
        default=None, foreign_key="calendar_event.id", ondelete="SET NULL", unique=True
    )
    created_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    voting_announced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the votes are counted: the published seed that orders ties by lot.
    counted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lot_seed: str | None = Field(default=None, max_length=64)
    ballots_counted: int | None = None
    houses_voted: int | None = None
    term_id: int | None = Field(default=None, foreign_key="yte_term.id", ondelete="SET NULL")
    # The key ballots are sealed to, and its private half locked under the counting key (which
    # is never stored); the locked key is erased at the count. Elections recorded before ballots
    # were sealed have neither.
    ballot_public_key: str | None = Field(default=None, max_length=64)
    locked_private_key: str | None = Field(default=None, sa_type=Text)
    # When the counters were told that the voting has closed and the votes await their key.
    count_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ElectionCandidate(SQLModel, table=True):
    """A sitting chair standing in an election, with a short presentation."""

    __tablename__ = "election_candidate"
    __table_args__ = (UniqueConstraint("election_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    house_id: int = Field(foreign_key="house.id", ondelete="CASCADE")
    presentation: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Filled in when the votes are counted.
    votes: int | None = None
    rank: int | None = None
    elected: bool = False


class ElectionDelegate(SQLModel, table=True):
    """The person a house's committee names to cast the house's vote (besides the chairs)."""

    __tablename__ = "election_delegate"
    __table_args__ = (UniqueConstraint("election_id", "house_id"),)

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True, ondelete="CASCADE")
    house_id: int = Field(foreign_key="house.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    named_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class ElectionParticipation(SQLModel, table=True):
    """That a house has voted, and who cast its vote; never what it voted.

    The primary key (election, house) is the database's guarantee of one vote per house. Only
    the day is kept, so the time cannot be matched against anything else.
    """

    __tablename__ = "election_participation"

    election_id: int = Field(foreign_key="election.id", primary_key=True, ondelete="CASCADE")
    house_id: int = Field(foreign_key="house.id", primary_key=True, ondelete="CASCADE")
    cast_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    voted_on: date


class ElectionSealedBallot(SQLModel, table=True):
    """A ballot as cast: sealed to the election's public key, padded to the election's size.

    Nothing else: not even the receipt hash, which is inside the seal, so that the opened ballots
    cannot be matched with the order the sealed ones were stored in."""

    __tablename__ = "election_sealed_ballot"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True, ondelete="CASCADE")
    sealed: bytes = Field(sa_type=LargeBinary)


class ElectionBallot(SQLModel, table=True):
    """One opened anonymous ballot: a random key and the hash of its receipt code, nothing else."""

    __tablename__ = "election_ballot"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True, ondelete="CASCADE")
    receipt_hash: str = Field(max_length=64, unique=True)


class ElectionBallotChoice(SQLModel, table=True):
    """A candidate marked on a ballot."""

    __tablename__ = "election_ballot_choice"

    ballot_id: uuid.UUID = Field(
        foreign_key="election_ballot.id", primary_key=True, ondelete="CASCADE"
    )
    candidate_id: int = Field(
        foreign_key="election_candidate.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class ElectionCreate(SQLModel):
    """Input for a new election; choices and seats default from the settings."""

    purpose: ElectionPurpose = ElectionPurpose.yte
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    seats: int | None = None
    min_choices: int = 1
    max_choices: int | None = None
    nomination_opens_on: date
    nomination_closes_on: date
    voting_opens_on: date
    voting_closes_on: date
    term_starts_on: date | None = None
    term_ends_on: date | None = None


class CandidatePublic(SQLModel):
    """A candidate as shown to others; votes and rank once counted."""

    id: int
    person_id: int
    name: str
    house_id: int
    house_name: str
    presentation: str
    votes: int | None
    rank: int | None
    elected: bool


class ElectionPublic(SQLModel):
    """An election, its phase and its candidates (with the results once counted)."""

    id: int
    purpose: ElectionPurpose
    title: str
    description: str
    phase: str
    seats: int
    min_choices: int
    max_choices: int
    nomination_opens_on: date
    nomination_closes_on: date
    voting_opens_on: date
    voting_closes_on: date
    counted_at: datetime | None
    lot_seed: str | None
    ballots_counted: int | None
    term_id: int | None
    candidates: list[CandidatePublic] = []


class BallotIn(SQLModel):
    """A house's vote: the candidates marked."""

    house_id: int
    candidate_ids: list[int]


class ReceiptPublic(SQLModel):
    """The receipt code, shown once."""

    receipt: str


class ElectionCreated(ElectionPublic):
    """A new election with its counting key, in this one answer only (it is never stored)."""

    counting_key: str


class CountIn(SQLModel):
    """The counting key that opens an election's sealed ballots."""

    counting_key: str = Field(min_length=1, max_length=100)
