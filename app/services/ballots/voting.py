"""Voting in a Haso-yte election: who casts each house's vote (the chair, or the member the
committee names), the secret ballot and its receipt, the turnout."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.errors import Forbidden, ValidationFailed
from app.i18n import _, ngettext
from app.jinja import fmt_date
from app.models.ballots import (
    Election,
    ElectionBallot,
    ElectionBallotChoice,
    ElectionCandidate,
    ElectionDelegate,
    ElectionParticipation,
    ElectionSealedBallot,
)
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House, Residency
from app.models.people import Person
from app.services.ballots import sealing
from app.services.ballots import secrecy as ballots
from app.services.ballots.elections import Phase, phase, update_or_create
from app.services.platform import audit


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
    return update_or_create(
        session,
        actor_id,
        delegate,
        {"person_id": person_id, "named_by": actor_id},
        lambda: ElectionDelegate(
            election_id=election_id, house_id=house_id, person_id=person_id, named_by=actor_id
        ),
    )


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
    not, and nothing stored joins the two. The ballot is stored sealed to the election's public
    key, padded to the election's one size, until the count opens it (sealing.py).
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
    participation = ElectionParticipation(
        election_id=election.id, house_id=house_id, cast_by=person_id, voted_on=today
    )
    rows: list[Any]
    if election.ballot_public_key is not None:
        content = {"receipt": ballots.receipt_hash(receipt), "marks": sorted(chosen)}
        size = sealing.ballot_size(election.max_choices)
        sealed = sealing.seal(election.ballot_public_key, content, size)
        rows = [ElectionSealedBallot(election_id=election.id, sealed=sealed)]
    else:  # an election recorded before ballots were sealed
        ballot = ElectionBallot(election_id=election.id, receipt_hash=ballots.receipt_hash(receipt))
        rows = [ballot]
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
    """Whether a counted ballot has this receipt code.

    Sealed ballots keep their receipt inside the seal, so a receipt can be checked only once the
    count has opened them: refused with a clear message before that."""
    if election.ballot_public_key is not None and election.counted_at is None:
        raise ValidationFailed(
            {"receipt": _("Receipts can be checked once the votes have been counted.")}
        )
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
