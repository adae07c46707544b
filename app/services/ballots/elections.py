"""Elections by the houses: the Haso-yte election and the chairs' board-member nomination.

A nomination period (sitting chairs stand, with a short presentation), a voting period (each
house casts one secret ballot through app/services/ballots/secrecy.py), then the count: votes per
candidate, the seats filled in order, ties ordered by lot from a published seed. A Haso-yte
election's elected become the new term through app/services/bodies/yte.py, so its rules hold.
"""

import enum
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import _, ngettext
from app.jinja import fmt_date
from app.models.ballots import (
    Election,
    ElectionBallot,
    ElectionBallotChoice,
    ElectionCandidate,
    ElectionCreate,
    ElectionDelegate,
    ElectionParticipation,
    ElectionPurpose,
)
from app.models.calendar import CalendarEvent, EventKind
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House, Residency
from app.models.people import Person
from app.models.types import local_date, utcnow
from app.models.yte import YteTermCreate
from app.services.ballots import secrecy as ballots
from app.services.bodies import yte as yte_service
from app.services.platform import audit


class Phase(enum.StrEnum):
    """Where an election stands on a day."""

    upcoming = "upcoming"
    nomination = "nomination"
    waiting = "waiting"  # nomination closed, voting not yet open
    voting = "voting"
    counting = "counting"  # voting closed, votes not yet counted
    results = "results"


def phase(election: Election, today: date) -> Phase:
    """The election's phase on a day (Helsinki days, inclusive)."""
    if election.counted_at is not None:
        return Phase.results
    if today < election.nomination_opens_on:
        return Phase.upcoming
    if today <= election.nomination_closes_on:
        return Phase.nomination
    if today < election.voting_opens_on:
        return Phase.waiting
    if today <= election.voting_closes_on:
        return Phase.voting
    return Phase.counting


@dataclass
class CandidateRow:
    """A candidate with the names a page shows."""

    candidate: ElectionCandidate
    name: str
    house_name: str


def list_elections(session: Session) -> list[Election]:
    """Every election, newest voting first."""
    return list(
        session.exec(
            select(Election).order_by(col(Election.voting_opens_on).desc(), col(Election.id))
        )
    )


def get_election(session: Session, election_id: int) -> Election:
    """An election by id, or NotFound."""
    election = session.get(Election, election_id)
    if election is None:
        raise NotFound()
    return election


def _validate(data: ElectionCreate) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.nomination_closes_on < data.nomination_opens_on:
        errors["nomination_closes_on"] = _("The nomination must close after it opens.")
    if data.voting_opens_on <= data.nomination_closes_on:
        errors["voting_opens_on"] = _("The voting must open after the nomination has closed.")
    if data.voting_closes_on < data.voting_opens_on:
        errors["voting_closes_on"] = _("The voting must close after it opens.")
    if data.seats is not None and data.seats < 1:
        errors["seats"] = _("There must be at least one seat.")
    if data.min_choices < 1:
        errors["min_choices"] = _("A house must mark at least one candidate.")
    if data.max_choices is not None and data.max_choices < data.min_choices:
        errors["max_choices"] = _("The most candidates a house marks cannot be below the least.")
    if data.purpose == ElectionPurpose.yte and data.term_starts_on and data.term_ends_on:
        if data.term_ends_on <= data.term_starts_on:
            errors["term_ends_on"] = _("The term must end after it starts.")
        elif data.term_starts_on <= data.voting_closes_on:
            errors["term_starts_on"] = _("The new term must start after the voting closes.")
    return errors


def create_election(
    session: Session,
    data: ElectionCreate,
    actor_id: int | None,
    calendar_event_id: int | None = None,
) -> Election:
    """Record an election; seats and the most choices default from the settings."""
    settings = get_settings()
    errors = _validate(data)
    if errors:
        raise ValidationFailed(errors)
    term_starts, term_ends = data.term_starts_on, data.term_ends_on
    if data.purpose == ElectionPurpose.yte and term_starts is None:
        term_starts = data.voting_closes_on + timedelta(days=1)
    if data.purpose == ElectionPurpose.yte and term_ends is None and term_starts is not None:
        term_ends = term_starts.replace(year=term_starts.year + 2) - timedelta(days=1)
    seats = data.seats or (settings.yte_seats if data.purpose == ElectionPurpose.yte else 1)
    max_choices = data.max_choices or max(min(settings.election_max_choices, seats), 1)
    if max_choices < data.min_choices:
        raise ValidationFailed(
            {"max_choices": _("The most candidates a house marks cannot be below the least.")}
        )
    election = Election(
        purpose=data.purpose,
        title=data.title.strip(),
        description=data.description.strip(),
        seats=seats,
        min_choices=data.min_choices,
        max_choices=max_choices,
        nomination_opens_on=data.nomination_opens_on,
        nomination_closes_on=data.nomination_closes_on,
        voting_opens_on=data.voting_opens_on,
        voting_closes_on=data.voting_closes_on,
        term_starts_on=term_starts if data.purpose == ElectionPurpose.yte else None,
        term_ends_on=term_ends if data.purpose == ElectionPurpose.yte else None,
        calendar_event_id=calendar_event_id,
        created_by=actor_id,
    )
    session.add(election)
    session.flush()
    audit.record(session, actor_id, "create", election)
    return election


def election_events(session: Session, today: date) -> list[CalendarEvent]:
    """The calendar's coming election events that have no election yet."""
    taken = select(Election.calendar_event_id).where(col(Election.calendar_event_id).is_not(None))
    events = session.exec(
        select(CalendarEvent)
        .where(
            CalendarEvent.kind == EventKind.election,
            col(CalendarEvent.id).not_in(taken),
        )
        .order_by(col(CalendarEvent.starts_at))
    )
    return [e for e in events if local_date(e.starts_at) >= today]


def create_from_event(
    session: Session, event: CalendarEvent, actor_id: int | None, today: date
) -> Election:
    """The Haso-yte election of a calendar election event: nomination before it, voting from it."""
    settings = get_settings()
    day = local_date(event.starts_at)
    opens = max(today, day - timedelta(days=settings.election_nomination_days))
    data = ElectionCreate(
        purpose=ElectionPurpose.yte,
        title=_("Haso-yte election %(year)s", year=day.year),
        nomination_opens_on=opens,
        nomination_closes_on=max(opens, day - timedelta(days=1)),
        voting_opens_on=day,
        voting_closes_on=day + timedelta(days=settings.election_voting_days - 1),
    )
    return create_election(session, data, actor_id, calendar_event_id=event.id)


# ---- candidates ----


def candidates(session: Session, election: Election) -> list[CandidateRow]:
    """The candidates: by rank once counted, else by house."""
    query = (
        select(ElectionCandidate, Person.name, House.name)
        .join(Person, col(Person.id) == ElectionCandidate.person_id)
        .join(House, col(House.id) == ElectionCandidate.house_id)
        .where(ElectionCandidate.election_id == election.id)
    )
    if election.counted_at is not None:
        query = query.order_by(col(ElectionCandidate.rank))
    else:
        query = query.order_by(col(House.name), col(Person.name))
    return [CandidateRow(c, name, house) for c, name, house in session.exec(query)]


Row = TypeVar("Row", ElectionCandidate, ElectionDelegate)


def _update_or_create(
    session: Session,
    actor_id: int,
    existing: Row | None,
    changes: dict[str, Any],
    create: Callable[[], Row],
) -> Row:
    """Change the existing row, or add the one create() makes; audited either way."""
    if existing is not None:
        before = audit.snapshot(existing)
        for name, value in changes.items():
            setattr(existing, name, value)
        session.add(existing)
        session.flush()
        audit.record(session, actor_id, "update", existing, before)
        return existing
    row = create()
    session.add(row)
    session.flush()
    audit.record(session, actor_id, "create", row)
    return row


def stand(
    session: Session,
    election: Election,
    person_id: int,
    house_id: int,
    presentation: str,
    today: date,
) -> ElectionCandidate:
    """A sitting chair stands as a candidate during the nomination, with a presentation."""
    if phase(election, today) != Phase.nomination:
        raise ValidationFailed({"": _("The nomination is not open.")})
    presentation = presentation.strip()
    if not presentation:
        raise ValidationFailed({"presentation": _("Write a short presentation of yourself.")})
    if len(presentation) > 2000:
        raise ValidationFailed(
            {"presentation": _("The presentation can be at most 2000 characters long.")}
        )
    if not yte_service.is_sitting_chair(session, person_id, house_id, today):
        raise ValidationFailed(
            {"house_id": _("Only a sitting chair of a house's committee can be a candidate.")}
        )
    existing = session.exec(
        select(ElectionCandidate).where(
            ElectionCandidate.election_id == election.id,
            ElectionCandidate.person_id == person_id,
        )
    ).first()
    assert election.id is not None
    election_id = election.id
    return _update_or_create(
        session,
        person_id,
        existing,
        {"presentation": presentation},
        lambda: ElectionCandidate(
            election_id=election_id,
            person_id=person_id,
            house_id=house_id,
            presentation=presentation,
        ),
    )


def withdraw(session: Session, election: Election, person_id: int, today: date) -> None:
    """A candidate withdraws during the nomination."""
    if phase(election, today) != Phase.nomination:
        raise ValidationFailed({"": _("A candidacy can be withdrawn only during the nomination.")})
    candidate = session.exec(
        select(ElectionCandidate).where(
            ElectionCandidate.election_id == election.id,
            ElectionCandidate.person_id == person_id,
        )
    ).first()
    if candidate is None:
        raise NotFound()
    audit.record(session, person_id, "delete", candidate, audit.snapshot(candidate))
    session.delete(candidate)
    session.flush()


# ---- who casts a house's vote ----


def _officer_houses(session: Session, person_id: int, on: date) -> set[int]:
    """Houses whose committee the person chairs or vice-chairs on a day, living there."""
    lives_there = (
        select(Residency.id)
        .where(
            col(Residency.person_id) == CommitteeMember.person_id,
            col(Residency.house_id) == ResidentCommittee.house_id,
            col(Residency.starts_on) <= on,
            or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= on),
        )
        .exists()
    )
    rows = session.exec(
        select(ResidentCommittee.house_id)
        .join(CommitteeMember, col(CommitteeMember.committee_id) == ResidentCommittee.id)
        .where(
            CommitteeMember.person_id == person_id,
            col(CommitteeMember.position).in_([Position.chair, Position.vice_chair]),
            col(ResidentCommittee.term_start) <= on,
            col(ResidentCommittee.term_end) >= on,
            lives_there,
        )
    )
    return set(rows)


def voting_houses(session: Session, election: Election, person_id: int, today: date) -> set[int]:
    """The houses whose vote a person may cast: as chair, vice-chair or named delegate."""
    houses = _officer_houses(session, person_id, today)
    houses |= set(
        session.exec(
            select(ElectionDelegate.house_id).where(
                ElectionDelegate.election_id == election.id,
                ElectionDelegate.person_id == person_id,
            )
        )
    )
    return houses


def voted_houses(session: Session, election: Election, house_ids: set[int]) -> set[int]:
    """Which of the houses have already voted."""
    if not house_ids:
        return set()
    return set(
        session.exec(
            select(ElectionParticipation.house_id).where(
                ElectionParticipation.election_id == election.id,
                col(ElectionParticipation.house_id).in_(house_ids),
            )
        )
    )


def officer_houses(session: Session, person_id: int, on: date) -> list[int]:
    """The houses whose vote the person may hand to a delegate (they chair or vice-chair its
    committee), in id order."""
    return sorted(_officer_houses(session, person_id, on))


def delegate_choices(session: Session, house_id: int, on: date) -> list[Person]:
    """Whom a house's vote may be handed to: the other members of its committee today (its chair
    and vice-chair may vote anyway), by name."""
    return list(
        session.exec(
            select(Person)
            .join(CommitteeMember, col(CommitteeMember.person_id) == Person.id)
            .join(ResidentCommittee, col(ResidentCommittee.id) == CommitteeMember.committee_id)
            .where(
                ResidentCommittee.house_id == house_id,
                col(ResidentCommittee.term_start) <= on,
                col(ResidentCommittee.term_end) >= on,
                col(CommitteeMember.position).not_in([Position.chair, Position.vice_chair]),
                col(Person.is_active).is_(True),
            )
            .order_by(col(Person.name), col(Person.id))
        )
    )


def named_delegates(
    session: Session, election: Election, house_ids: list[int]
) -> dict[int, Person]:
    """The person each of the houses has named to cast its vote, if any."""
    if not house_ids:
        return {}
    rows = session.exec(
        select(ElectionDelegate.house_id, Person)
        .join(Person, col(Person.id) == ElectionDelegate.person_id)
        .where(
            ElectionDelegate.election_id == election.id,
            col(ElectionDelegate.house_id).in_(house_ids),
        )
    )
    return dict(rows.all())


def name_delegate(
    session: Session,
    election: Election,
    house_id: int,
    person_id: int,
    actor_id: int,
    today: date,
) -> ElectionDelegate:
    """The house's chair or vice-chair names the person who may cast its vote."""
    if phase(election, today) in (Phase.counting, Phase.results):
        raise ValidationFailed({"": _("The voting has closed.")})
    if house_id not in _officer_houses(session, actor_id, today):
        raise Forbidden()
    if person_id not in {p.id for p in delegate_choices(session, house_id, today)}:
        raise ValidationFailed(
            {"person_id": _("Choose a member of the house's committee to cast its vote.")}
        )
    delegate = session.exec(
        select(ElectionDelegate).where(
            ElectionDelegate.election_id == election.id, ElectionDelegate.house_id == house_id
        )
    ).first()
    assert election.id is not None
    election_id = election.id
    return _update_or_create(
        session,
        actor_id,
        delegate,
        {"person_id": person_id, "named_by": actor_id},
        lambda: ElectionDelegate(
            election_id=election_id, house_id=house_id, person_id=person_id, named_by=actor_id
        ),
    )


# ---- voting ----


def cast_vote(
    session: Session,
    election: Election,
    person_id: int,
    house_id: int,
    candidate_ids: list[int],
    today: date,
) -> str:
    """Cast a house's secret ballot; returns the receipt code, shown once.

    Refused with nothing stored: outside the voting period, by someone who may not cast the
    house's vote, for too few or too many candidates, for a non-candidate, or a second time.
    The participation record is audited (who cast the house's vote, on which day); the ballot is
    not, and nothing stored joins the two.
    """
    if phase(election, today) != Phase.voting:
        raise ValidationFailed(
            {
                "": _(
                    "The voting is open from %(start)s to %(end)s.",
                    start=fmt_date(election.voting_opens_on),
                    end=fmt_date(election.voting_closes_on),
                )
            }
        )
    if house_id not in voting_houses(session, election, person_id, today):
        raise ValidationFailed(
            {
                "house_id": _(
                    "You may not cast this house's vote: only its chair, its vice-chair or the "
                    "person its committee has named."
                )
            }
        )
    chosen = set(candidate_ids)
    if len(chosen) != len(candidate_ids):
        raise ValidationFailed({"candidate_ids": _("Mark each candidate only once.")})
    if len(chosen) < election.min_choices or len(chosen) > election.max_choices:
        raise ValidationFailed(
            {
                "candidate_ids": _(
                    "Mark between %(min)s and %(max)s candidates.",
                    min=election.min_choices,
                    max=election.max_choices,
                )
            }
        )
    valid = set(
        session.exec(
            select(ElectionCandidate.id).where(ElectionCandidate.election_id == election.id)
        )
    )
    if not chosen <= valid:
        raise ValidationFailed(
            {"candidate_ids": _("Only the candidates of this election can be marked.")}
        )
    assert election.id is not None
    receipt = ballots.new_receipt()
    ballot = ElectionBallot(election_id=election.id, receipt_hash=ballots.receipt_hash(receipt))
    participation = ElectionParticipation(
        election_id=election.id, house_id=house_id, cast_by=person_id, voted_on=today
    )
    rows: list[Any] = [ballot]
    rows += [ElectionBallotChoice(ballot_id=ballot.id, candidate_id=c) for c in sorted(chosen)]
    try:
        ballots.cast(session, participation, rows)
    except ballots.AlreadyVoted as exc:
        raise ValidationFailed(
            {"house_id": _("This house has already voted; a cast vote cannot be changed.")}
        ) from exc
    # Who cast the house's vote and on which day: never what it voted.
    audit.record(session, person_id, "create", participation)
    return receipt


def verify_receipt(session: Session, election: Election, code: str) -> bool:
    """Whether a ballot with this receipt code is in the election's ballot box."""
    if not ballots.normalise_receipt(code):
        return False
    found = session.exec(
        select(ElectionBallot.id).where(
            ElectionBallot.election_id == election.id,
            ElectionBallot.receipt_hash == ballots.receipt_hash(code),
        )
    ).first()
    return found is not None


@dataclass
class Turnout:
    """How many houses have voted, of those with a committee in office."""

    voted: int
    houses: int


def turnout(session: Session, election: Election, today: date) -> Turnout:
    """How many houses have voted so far: never who voted for whom."""
    voted = session.exec(
        select(func.count())
        .select_from(ElectionParticipation)
        .where(ElectionParticipation.election_id == election.id)
    ).one()
    on = min(today, election.voting_closes_on)
    houses = session.exec(
        select(func.count(func.distinct(ResidentCommittee.house_id))).where(
            col(ResidentCommittee.term_start) <= on, col(ResidentCommittee.term_end) >= on
        )
    ).one()
    return Turnout(voted=voted, houses=max(houses, voted))


# ---- counting ----


def lot_key(seed: str, candidate_id: int) -> str:
    """A candidate's place in the lot: the SHA-256 of the seed and the candidate's id."""
    return hashlib.sha256(f"{seed}:{candidate_id}".encode()).hexdigest()


def ranking(votes: dict[int, int], seed: str) -> list[int]:
    """Candidate ids by votes, most first; equal votes ordered by lot from the seed.

    Anyone can re-run this from the published seed, the candidates' ids and their votes.
    """
    return sorted(votes, key=lambda cid: (-votes[cid], lot_key(seed, cid)))


def _reshuffle_ballots(session: Session, election: Election) -> None:
    """Rewrite the ballot box in a random order, so no trace of the order of voting is left."""
    rows = session.exec(
        select(ElectionBallot, ElectionBallotChoice)
        .join(ElectionBallotChoice, col(ElectionBallotChoice.ballot_id) == ElectionBallot.id)
        .where(ElectionBallot.election_id == election.id)
    ).all()
    boxes: dict[Any, tuple[str, list[int]]] = {}
    for ballot, choice in rows:
        boxes.setdefault(ballot.id, (ballot.receipt_hash, []))[1].append(choice.candidate_id)
    ids = list(boxes)
    for ballot, choice in rows:
        for obj in (choice, ballot):
            if obj in session:
                session.expunge(obj)
    ballot_ids = select(ElectionBallot.id).where(ElectionBallot.election_id == election.id)
    session.execute(
        delete(ElectionBallotChoice).where(col(ElectionBallotChoice.ballot_id).in_(ballot_ids))
    )
    session.execute(delete(ElectionBallot).where(col(ElectionBallot.election_id) == election.id))
    assert election.id is not None
    for ballot_id in ballots.shuffled(ids):
        receipt, marked = boxes[ballot_id]
        session.add(ElectionBallot(id=ballot_id, election_id=election.id, receipt_hash=receipt))
        session.flush()
        for candidate_id in marked:
            session.add(ElectionBallotChoice(ballot_id=ballot_id, candidate_id=candidate_id))
    session.flush()


def count(
    session: Session,
    election: Election,
    actor_id: int | None,
    now: datetime | None = None,
    seed: str | None = None,
) -> Election:
    """Count the votes once the voting has closed; a Haso-yte election seats its new term."""
    now = now or utcnow()
    today = local_date(now)
    if election.counted_at is not None:
        raise ValidationFailed({"": _("The votes have already been counted.")})
    if phase(election, today) != Phase.counting:
        raise ValidationFailed(
            {
                "": _(
                    "The votes can be counted only after the voting closes on %(day)s.",
                    day=fmt_date(election.voting_closes_on),
                )
            }
        )
    election_id = election.id
    assert election_id is not None
    _reshuffle_ballots(session, election)
    before = audit.snapshot(election)
    tallies = dict(
        session.exec(
            select(ElectionCandidate.id, func.count(col(ElectionBallotChoice.ballot_id)))
            .outerjoin(
                ElectionBallotChoice,
                col(ElectionBallotChoice.candidate_id) == ElectionCandidate.id,
            )
            .where(ElectionCandidate.election_id == election_id)
            .group_by(col(ElectionCandidate.id))
        ).all()
    )
    votes: dict[int, int] = {cid: n for cid, n in tallies.items() if cid is not None}
    seed = seed or secrets.token_hex(16)
    order = ranking(votes, seed)
    by_id = {
        c.id: c
        for c in session.exec(
            select(ElectionCandidate).where(ElectionCandidate.election_id == election_id)
        )
    }
    for rank, candidate_id in enumerate(order, start=1):
        candidate = by_id[candidate_id]
        candidate.votes = votes[candidate_id]
        candidate.rank = rank
        candidate.elected = rank <= election.seats and votes[candidate_id] > 0
        session.add(candidate)
    election.counted_at = now
    election.lot_seed = seed
    election.ballots_counted = session.exec(
        select(func.count())
        .select_from(ElectionBallot)
        .where(ElectionBallot.election_id == election_id)
    ).one()
    election.houses_voted = session.exec(
        select(func.count())
        .select_from(ElectionParticipation)
        .where(ElectionParticipation.election_id == election_id)
    ).one()
    session.add(election)
    session.flush()
    audit.record(session, actor_id, "update", election, before)
    if election.purpose == ElectionPurpose.yte:
        _seat_term(session, election, [by_id[c] for c in order if by_id[c].elected], actor_id)
    return election


def _seat_term(
    session: Session,
    election: Election,
    elected: list[ElectionCandidate],
    actor_id: int | None,
) -> None:
    """The elected become the new Haso-yte term, through the term's own rules."""
    if election.term_starts_on is None or election.term_ends_on is None or not elected:
        return
    try:
        with session.begin_nested():
            term = yte_service.create_term(
                session,
                YteTermCreate(starts_on=election.term_starts_on, ends_on=election.term_ends_on),
                actor_id,
            )
    except ValidationFailed:
        return  # an overlapping term: management records the term by hand
    for candidate in elected:
        try:
            with session.begin_nested():
                yte_service.add_member(
                    session, term, candidate.person_id, candidate.house_id, actor_id
                )
        except ValidationFailed:
            continue  # no longer a sitting chair when the term starts
    before = audit.snapshot(election)
    election.term_id = term.id
    session.add(election)
    session.flush()
    audit.record(session, actor_id, "update", election, before)


def due_counts(session: Session, today: date) -> list[Election]:
    """Elections whose voting has closed and whose votes are not yet counted."""
    return list(
        session.exec(
            select(Election).where(
                col(Election.counted_at).is_(None), col(Election.voting_closes_on) < today
            )
        )
    )


def turnout_text(t: Turnout) -> str:
    """ "12 of 40 houses have voted"."""
    return ngettext(
        "%(num)s of %(houses)s house has voted",
        "%(num)s of %(houses)s houses have voted",
        t.houses,
        num=t.voted,
        houses=t.houses,
    )


def house_names(session: Session, house_ids: set[int]) -> dict[int, str]:
    """The names of houses by id."""
    if not house_ids:
        return {}
    rows = session.exec(select(House.id, House.name).where(col(House.id).in_(house_ids)))
    return {hid: name for hid, name in rows if hid is not None}


def vote_casters(session: Session, election: Election, today: date) -> list[Person]:
    """Everyone who may cast some house's vote today: chairs, vice-chairs, named delegates."""
    lives_there = (
        select(Residency.id)
        .where(
            col(Residency.person_id) == CommitteeMember.person_id,
            col(Residency.house_id) == ResidentCommittee.house_id,
            col(Residency.starts_on) <= today,
            or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= today),
        )
        .exists()
    )
    officers = set(
        session.exec(
            select(CommitteeMember.person_id)
            .join(ResidentCommittee, col(ResidentCommittee.id) == CommitteeMember.committee_id)
            .where(
                col(CommitteeMember.position).in_([Position.chair, Position.vice_chair]),
                col(ResidentCommittee.term_start) <= today,
                col(ResidentCommittee.term_end) >= today,
                lives_there,
            )
        )
    )
    officers |= set(
        session.exec(
            select(ElectionDelegate.person_id).where(ElectionDelegate.election_id == election.id)
        )
    )
    if not officers:
        return []
    return list(
        session.exec(
            select(Person)
            .where(col(Person.id).in_(officers), col(Person.is_active))
            .order_by(col(Person.id))
        )
    )


def person(session: Session, person_id: int) -> Person | None:
    """An active person by id."""
    found = session.get(Person, person_id)
    return found if found is not None and found.is_active else None
