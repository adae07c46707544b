"""Election mail: the voting opens (to whoever may cast a house's vote), the votes await their
counting key (to management and the election's maker) and the results (to the chairs), each once
per election and person, by the daily job."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.config import get_settings
from app.models.ballots import Election
from app.models.calendar import Audience
from app.models.people import Person
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
    count_requested: int = 0
    mails: int = 0


def _url(election: Election) -> str:
    return f"{get_settings().base_url.rstrip('/')}/elections/{election.id}"


def _stamp(session: Session, election: Election, field: str, now: datetime) -> None:
    """Record on the election when a mail round went out, so that it goes out once."""
    before = audit.snapshot(election)
    setattr(election, field, now)
    session.add(election)
    session.flush()
    audit.record(session, None, "update", election, before)


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
    _stamp(session, election, "voting_announced_at", now)
    return queued


def counters(session: Session, election: Election, today: date) -> list[Person]:
    """Who can count the votes: management and administrators, and the election's maker."""
    people = {p.id: p for p in audiences.people(session, Audience.management, None, today)}
    if election.created_by is not None and election.created_by not in people:
        maker = voting_service.person(session, election.created_by)
        if maker is not None:
            people[maker.id] = maker
    return list(people.values())


def request_count(session: Session, election: Election, now: datetime) -> int:
    """Tell the counters that the voting has closed and the sealed votes await their key."""
    today = local_date(now)
    houses = voting_service.turnout(session, election, today).voted
    queued = 0
    for person in counters(session, election, today):
        key = f"election:{election.id}:count-due"
        if mail_service.queue(
            session,
            key,
            person,
            "election_count_due",
            election=election,
            houses=houses,
            url=_url(election) + "#count",
        ):
            queued += 1
    _stamp(session, election, "count_requested_at", now)
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


def announce_nomination(session: Session, election: Election, today: date) -> int:
    """Mail every sitting chair (who may stand) that the nomination is open, and until when;
    once each, also to a chair who takes office during the nomination."""
    queued = 0
    for person in audiences.people(session, Audience.all_chairs, None, today):
        if mail_service.queue(
            session,
            f"election:{election.id}:nomination-open",
            person,
            "election_nomination_open",
            election=election,
            url=_url(election) + "#candidates",
        ):
            queued += 1
    return queued


def tell_delegate(session: Session, election: Election, delegate: Person, house_name: str) -> int:
    """Tell the committee member named to cast a house's vote what to do and when."""
    queued = mail_service.queue(
        session,
        f"election:{election.id}:delegate:{delegate.id}:{house_name}",
        delegate,
        "election_delegate",
        election=election,
        house_name=house_name,
        url=_url(election) + "#ballot",
    )
    return int(queued is not None)


def run_daily(session: Session, now: datetime | None = None) -> ElectionRun:
    """Announce the nomination and the voting that opened, ask for the count of the elections
    whose voting closed (or count one recorded before sealing), mail results."""
    now = now or utcnow()
    today = local_date(now)
    run = ElectionRun()
    nominating = session.exec(
        select(Election).where(
            col(Election.nomination_opens_on) <= today,
            col(Election.nomination_closes_on) >= today,
        )
    )
    for election in list(nominating):
        run.mails += announce_nomination(session, election, today)
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
        if election.locked_private_key is None:  # recorded before ballots were sealed
            counting.count(session, election, None, now=now)
            run.counted += 1
            run.mails += announce_results(session, election, now)
        elif election.count_requested_at is None:
            run.mails += request_count(session, election, now)
            run.count_requested += 1
    return run
