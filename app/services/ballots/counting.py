"""Counting a Haso-yte election: votes per candidate, ties broken by a lot anyone can recompute,
the elected seated as the new term."""

import hashlib
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.errors import ValidationFailed
from app.i18n import _
from app.jinja import fmt_date
from app.models.ballots import (
    Election,
    ElectionBallot,
    ElectionBallotChoice,
    ElectionCandidate,
    ElectionParticipation,
    ElectionPurpose,
    ElectionSealedBallot,
)
from app.models.types import local_date, utcnow
from app.models.yte import YteTermCreate
from app.services.ballots import sealing
from app.services.ballots import secrecy as ballots
from app.services.ballots.elections import Phase, phase
from app.services.bodies import yte as yte_service
from app.services.platform import audit


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


def _open_sealed_ballots(session: Session, election: Election, counting_key: str) -> None:
    """Open every sealed ballot in memory and write them in the clear in a random order, in this
    one transaction; delete the sealed rows and erase the locked private key.

    A ballot that does not open, or marks what is not a candidate of the election, means the
    ballot box was tampered with: nothing is counted."""
    assert election.locked_private_key is not None and election.id is not None
    try:
        private = sealing.unlock(election.locked_private_key, counting_key)
    except (sealing.WrongKey, ValueError) as exc:
        raise ValidationFailed(
            {"counting_key": _("This is not the counting key of this election.")}
        ) from exc
    valid = set(
        session.exec(
            select(ElectionCandidate.id).where(ElectionCandidate.election_id == election.id)
        )
    )
    sealed = session.exec(
        select(ElectionSealedBallot).where(ElectionSealedBallot.election_id == election.id)
    ).all()
    opened: list[tuple[str, list[int]]] = []
    for row in sealed:
        try:
            content = sealing.open_sealed(private, row.sealed)
            receipt, marks = str(content["receipt"]), [int(m) for m in content["marks"]]
        except (sealing.DamagedSeal, KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed(
                {"": _("A sealed ballot has been altered: the votes were not counted.")}
            ) from exc
        if not set(marks) <= valid or len(set(marks)) != len(marks):
            raise ValidationFailed(
                {"": _("A sealed ballot has been altered: the votes were not counted.")}
            )
        opened.append((receipt, marks))
    for row in sealed:
        session.expunge(row)
    session.execute(
        delete(ElectionSealedBallot).where(col(ElectionSealedBallot.election_id) == election.id)
    )
    for receipt, marks in ballots.shuffled(opened):
        ballot = ElectionBallot(election_id=election.id, receipt_hash=receipt)
        session.add(ballot)
        session.flush()
        for candidate_id in ballots.shuffled(marks):
            session.add(ElectionBallotChoice(ballot_id=ballot.id, candidate_id=candidate_id))
    session.flush()
    election.locked_private_key = None
    session.add(election)
    session.flush()


def count(
    session: Session,
    election: Election,
    actor_id: int | None,
    counting_key: str | None = None,
    now: datetime | None = None,
    seed: str | None = None,
) -> Election:
    """Count the votes once the voting has closed; a Haso-yte election seats its new term.

    An election with sealed ballots is counted only with its counting key (refused at the field
    counting_key otherwise); one recorded before ballots were sealed is counted without."""
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
    before = audit.snapshot(election)
    if election.locked_private_key is not None:
        if not counting_key or not sealing.normalise_key(counting_key):
            raise ValidationFailed(
                {"counting_key": _("Enter the counting key given when the election was created.")}
            )
        _open_sealed_ballots(session, election, counting_key)
    else:
        _reshuffle_ballots(session, election)
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
    """Elections whose voting has closed and whose votes are not yet counted (with sealed
    ballots or not)."""
    return list(
        session.exec(
            select(Election).where(
                col(Election.counted_at).is_(None), col(Election.voting_closes_on) < today
            )
        )
    )
