"""Election mail: the voting opens (to whoever may cast a house's vote) and the results (to the
chairs), each once per election and person, by the daily job."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.config import get_settings
from app.models.ballots import Election
from app.models.calendar import Audience
from app.models.types import local_date, utcnow
from app.services.access import audiences
from app.services.ballots import counting
from app.services.ballots import elections as elections_service
from app.services.ballots import voting as voting_service
from app.services.mail import delivery as mail_service
from app.services.platform import audit


@dataclass
class ElectionRun:
    """What a run of the daily election job did."""

    announced: int = 0
    counted: int = 0
    mails: int = 0


def _url(election: Election) -> str:
    return f"{get_settings().base_url.rstrip('/')}/elections/{election.id}"


def announce_voting(session: Session, election: Election, now: datetime) -> int:
    """Mail everyone who may cast a house's vote that the voting is open; once each."""
    today = local_date(now)
    queued = 0
    for person in voting_service.vote_casters(session, election, today):
        key = f"election:{election.id}:voting-open"
        if mail_service.queue(
            session, key, person, "election_voting_open", election=election, url=_url(election)
        ):
            queued += 1
    before = audit.snapshot(election)
    election.voting_announced_at = now
    session.add(election)
    session.flush()
    audit.record(session, None, "update", election, before)
    return queued


def announce_results(session: Session, election: Election, now: datetime) -> int:
    """Mail the chairs and the candidates that the results are out; once each."""
    today = local_date(now)
    people = {p.id: p for p in audiences.people(session, Audience.all_chairs, None, today)}
    rows = elections_service.candidates(session, election)
    for row in rows:
        if row.candidate.person_id not in people:
            found = voting_service.person(session, row.candidate.person_id)
            if found is not None:
                people[row.candidate.person_id] = found
    queued = 0
    elected = [r for r in rows if r.candidate.elected]
    for person in people.values():
        key = f"election:{election.id}:results"
        if mail_service.queue(
            session,
            key,
            person,
            "election_results",
            election=election,
            elected=elected,
            url=_url(election),
        ):
            queued += 1
    return queued


def run_daily(session: Session, now: datetime | None = None) -> ElectionRun:
    """Announce the voting that opened, count the elections whose voting closed, mail results."""
    now = now or utcnow()
    today = local_date(now)
    run = ElectionRun()
    opened = session.exec(
        select(Election).where(
            col(Election.voting_announced_at).is_(None),
            col(Election.voting_opens_on) <= today,
            col(Election.voting_closes_on) >= today,
        )
    )
    for election in list(opened):
        run.mails += announce_voting(session, election, now)
        run.announced += 1
    for election in counting.due_counts(session, today):
        counting.count(session, election, None, now=now)
        run.counted += 1
        run.mails += announce_results(session, election, now)
    return run
