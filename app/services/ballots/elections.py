"""Elections by the houses: the Haso-yte election and the chairs' board-member nomination.

A nomination period (sitting chairs stand, with a short presentation), a voting period (each
house casts one secret ballot through app/services/ballots/secrecy.py), then the count: votes per
candidate, the seats filled in order, ties ordered by lot from a published seed. A Haso-yte
election's elected become the new term through app/services/bodies/yte.py, so its rules hold.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.models.ballots import (
    Election,
    ElectionCandidate,
    ElectionCreate,
    ElectionDelegate,
    ElectionPurpose,
)
from app.models.calendar import Audience, CalendarEvent, EventKind
from app.models.houses import House
from app.models.participation import Participation
from app.models.people import Person
from app.models.types import local_date
from app.services.ballots import sealing
from app.services.bodies import yte as yte_service
from app.services.calendar import linked as calendar_linked
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
) -> tuple[Election, str]:
    """Record an election; seats and the most choices default from the settings.

    Returns the election and its counting key, which is shown once and never stored: the votes
    cannot be counted without it (app/services/ballots/sealing.py)."""
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
    counting_key = sealing.new_counting_key()
    election.ballot_public_key, election.locked_private_key = sealing.new_key_pair(counting_key)
    session.add(election)
    session.flush()
    audit.record(session, actor_id, "create", election)
    show_in_calendar(session, election, actor_id)
    return election, counting_key


def show_in_calendar(session: Session, election: Election, actor_id: int | None) -> None:
    """The nomination and the voting in the chairs' calendars, from the election itself."""
    title = election.title
    periods = {
        "nomination": (
            {
                "fi": f"Ehdokasasettelu: {title}",
                "sv": f"Kandidatnominering: {title}",
                "en": f"Nomination: {title}",
            },
            election.nomination_opens_on,
            election.nomination_closes_on,
        ),
        "voting": (
            {"fi": f"Äänestys: {title}", "sv": f"Röstning: {title}", "en": f"Voting: {title}"},
            election.voting_opens_on,
            election.voting_closes_on,
        ),
    }
    for name, (titles, first, last) in periods.items():
        starts_at, ends_at = calendar_linked.whole_days(first, last)
        calendar_linked.show_entry(
            session,
            f"election:{election.id}:{name}",
            calendar_linked.Entry(
                kind=EventKind.election,
                titles=titles,
                starts_at=starts_at,
                ends_at=ends_at,
                audience=Audience.all_chairs,
                participation=Participation.decision,
            ),
            actor_id,
        )


def election_events(session: Session, today: date) -> list[CalendarEvent]:
    """The calendar's coming election events that have no election yet."""
    taken = select(Election.calendar_event_id).where(col(Election.calendar_event_id).is_not(None))
    events = session.exec(
        select(CalendarEvent)
        .where(
            CalendarEvent.kind == EventKind.election,
            col(CalendarEvent.source).is_(None),  # not an election's own entries
            col(CalendarEvent.id).not_in(taken),
        )
        .order_by(col(CalendarEvent.starts_at))
    )
    return [e for e in events if local_date(e.starts_at) >= today]


def create_from_event(
    session: Session, event: CalendarEvent, actor_id: int | None, today: date
) -> tuple[Election, str]:
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


def update_or_create(
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
    return update_or_create(
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


# ---- voting ----


# ---- counting ----
