"""Resident committees: terms of at most two years, elected by a meeting; their members."""

from datetime import date, datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.jinja import fmt_date
from app.models.committees import (
    CommitteeCreate,
    CommitteeMember,
    CommitteeMemberPublic,
    CommitteePublic,
    MemberCreate,
    Position,
    ResidentCommittee,
)
from app.models.houses import Residency, Tenure
from app.models.meetings import ResidentMeeting
from app.models.people import Person
from app.models.types import utcnow
from app.services.access.tenures import age_on, is_entitled, may_stand, standing_tenures
from app.services.bodies import meetings as meetings_service
from app.services.platform import audit

# Chair first, then the other officers, then members.
POSITION_ORDER = {
    Position.chair: 0,
    Position.vice_chair: 1,
    Position.secretary: 2,
    Position.member: 3,
}


def get(session: Session, committee_id: int) -> ResidentCommittee:
    """A committee by id, or NotFound."""
    committee = session.get(ResidentCommittee, committee_id)
    if committee is None:
        raise NotFound()
    return committee


def list_for_house(session: Session, house_id: int) -> list[ResidentCommittee]:
    """A house's committees, the newest term first."""
    return list(
        session.exec(
            select(ResidentCommittee)
            .where(ResidentCommittee.house_id == house_id)
            .order_by(col(ResidentCommittee.term_start).desc())
        )
    )


def current(session: Session, house_id: int, today: date) -> ResidentCommittee | None:
    """The committee whose term includes today, if any."""
    return session.exec(
        select(ResidentCommittee).where(
            ResidentCommittee.house_id == house_id,
            ResidentCommittee.term_start <= today,
            ResidentCommittee.term_end >= today,
        )
    ).first()


def is_current(committee: ResidentCommittee, today: date) -> bool:
    """Whether a committee's term includes today."""
    return committee.term_start <= today <= committee.term_end


def members(session: Session, committee_id: int) -> list[tuple[CommitteeMember, Person]]:
    """A committee's seats with their people: the chair first, then by name."""
    rows = session.exec(
        select(CommitteeMember, Person)
        .join(Person, col(Person.id) == CommitteeMember.person_id)
        .where(CommitteeMember.committee_id == committee_id)
    ).all()
    return sorted(rows, key=lambda row: (POSITION_ORDER[row[0].position], row[1].name))


def seat_public(session: Session, seat: CommitteeMember) -> CommitteeMemberPublic:
    """A seat with its person's name, as the API shows it."""
    assert seat.id is not None
    person = session.get_one(Person, seat.person_id)
    return CommitteeMemberPublic(
        id=seat.id, person_id=seat.person_id, name=person.name, position=seat.position
    )


def public(session: Session, committee: ResidentCommittee) -> CommitteePublic:
    """A committee with its members, as the API shows it."""
    assert committee.id is not None
    seats = [
        CommitteeMemberPublic(
            id=seat.id or 0, person_id=seat.person_id, name=person.name, position=seat.position
        )
        for seat, person in members(session, committee.id)
    ]
    return CommitteePublic(
        id=committee.id,
        house_id=committee.house_id,
        term_start=committee.term_start,
        term_end=committee.term_end,
        elected_at_meeting_id=committee.elected_at_meeting_id,
        members=seats,
    )


def _check_term(session: Session, house_id: int, data: CommitteeCreate) -> dict[str, str]:
    errors: dict[str, str] = {}
    max_days = get_settings().committee_max_term_days
    if data.term_end <= data.term_start:
        errors["term_end"] = _("The term must end after it starts.")
    elif (data.term_end - data.term_start).days > max_days:
        errors["term_end"] = _(
            "A committee's term is at most two years: this term must end by %(date)s "
            "at the latest.",
            date=fmt_date(data.term_start + timedelta(days=max_days), "long"),
        )
    else:
        overlapping = session.exec(
            select(ResidentCommittee).where(
                ResidentCommittee.house_id == house_id,
                ResidentCommittee.term_start <= data.term_end,
                ResidentCommittee.term_end >= data.term_start,
            )
        ).first()
        if overlapping is not None:
            errors["term_start"] = _(
                "The term overlaps the term of another committee of this house "
                "(%(start)s – %(end)s).",
                start=fmt_date(overlapping.term_start, "long"),
                end=fmt_date(overlapping.term_end, "long"),
            )
    return errors


def _check_meeting(
    session: Session, house_id: int, meeting_id: int | None, now: datetime
) -> str | None:
    if meeting_id is None:
        return _("Choose the resident meeting that elected the committee.")
    try:
        meeting = meetings_service.get(session, meeting_id)
    except NotFound:
        meeting = None
    if meeting is None or meeting.house_id != house_id:
        return _("Choose a resident meeting of this house.")
    if not meetings_service.has_started(meeting, now):
        return _("The committee can be recorded once the electing meeting has been held.")
    return None


def _check_term_after_election(
    session: Session, meeting_id: int | None, term_start: date
) -> str | None:
    meeting = session.get(ResidentMeeting, meeting_id) if meeting_id is not None else None
    if meeting is None:
        return None
    held_on = meetings_service.local_date(meeting.starts_at)
    if term_start < held_on:
        return _(
            "The term cannot begin before the meeting that elected the committee (%(date)s).",
            date=fmt_date(held_on),
        )
    return None


def create(
    session: Session,
    house_id: int,
    data: CommitteeCreate,
    actor_id: int | None,
    now: datetime | None = None,
) -> ResidentCommittee:
    """Record a committee elected by a resident meeting of the same house."""
    now = now or utcnow()
    errors = _check_term(session, house_id, data)
    meeting_error = _check_meeting(session, house_id, data.elected_at_meeting_id, now)
    if meeting_error:
        errors["elected_at_meeting_id"] = meeting_error
    elif "term_start" not in errors:
        too_early = _check_term_after_election(session, data.elected_at_meeting_id, data.term_start)
        if too_early:
            errors["term_start"] = too_early
    if errors:
        raise ValidationFailed(errors)
    committee = ResidentCommittee(
        house_id=house_id,
        term_start=data.term_start,
        term_end=data.term_end,
        elected_at_meeting_id=data.elected_at_meeting_id,
    )
    session.add(committee)
    session.flush()
    audit.record(session, actor_id, "create", committee)
    return committee


def _apartment_key(apartment: str) -> str:
    """'A 12', 'a12' and 'A12 ' are the same apartment."""
    return "".join(apartment.split()).casefold()


def _current_residencies(
    session: Session, house_id: int, person_ids: list[int], today: date
) -> list[Residency]:
    if not person_ids:
        return []
    return list(
        session.exec(
            select(Residency).where(
                Residency.house_id == house_id,
                col(Residency.person_id).in_(person_ids),
                Residency.starts_on <= today,
                or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= today),
            )
        )
    )


def _taken_apartments(
    session: Session, committee: ResidentCommittee, today: date
) -> dict[str, Person]:
    """The apartments already represented on a committee, with who represents each."""
    seated = {person.id: person for _seat, person in members(session, committee.id or 0)}
    ids = [i for i in seated if i is not None]
    return {
        _apartment_key(residency.apartment): seated[residency.person_id]
        for residency in _current_residencies(session, committee.house_id, ids, today)
    }


def eligible_people(
    session: Session, committee: ResidentCommittee, today: date
) -> list[tuple[Person, str]]:
    """Who could take a seat: residents who may stand (tenures.may_stand: adult holders,
    co-holders and holders' spouses or partners), one per free apartment."""
    seated = {person.id for _seat, person in members(session, committee.id or 0)}
    taken = _taken_apartments(session, committee, today)
    rows = session.exec(
        select(Person, Residency)
        .join(Residency, col(Residency.person_id) == Person.id)
        .where(
            Residency.house_id == committee.house_id,
            col(Residency.tenure).in_(sorted(standing_tenures())),
            Residency.starts_on <= today,
            or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= today),
            col(Person.is_active),
        )
        .order_by(col(Person.name), col(Person.id))
    ).all()
    found: dict[int, tuple[Person, str]] = {}
    for person, residency in rows:
        if (
            person.id is None
            or person.id in seated
            or person.id in found
            or _apartment_key(residency.apartment) in taken
            or not may_stand(residency.tenure, age_on(person.birth_date, today))
        ):
            continue
        found[person.id] = (person, residency.apartment)
    return list(found.values())


def _person_problem(
    session: Session,
    committee: ResidentCommittee,
    person_id: int,
    seats: list[tuple[CommitteeMember, Person]],
    today: date,
) -> str | None:
    """Why a person cannot take a seat, or None."""
    person = session.get(Person, person_id)
    if person is None:
        return _("Choose a person.")
    if any(seat.person_id == person.id for seat, _person in seats):
        return _("%(name)s is already on the committee.", name=person.name)
    residencies = _current_residencies(session, committee.house_id, [person_id], today)
    if not residencies:
        return _(
            "%(name)s does not live in this house: only its residents can sit on its committee.",
            name=person.name,
        )
    holder_homes = [r for r in residencies if is_entitled(r.tenure)]
    if not holder_homes:
        if any(r.tenure == Tenure.household_member for r in residencies):
            return _(
                "%(name)s is a household member, not a right-of-occupancy holder, co-holder "
                "or the holder's spouse or partner: other household members may take part in "
                "resident meetings but can neither vote nor stand for the committee.",
                name=person.name,
            )
        return _(
            "%(name)s rents the apartment: renters may take part in resident meetings "
            "but can neither vote nor stand for the committee.",
            name=person.name,
        )
    age = age_on(person.birth_date, today)
    holder_homes = [r for r in holder_homes if may_stand(r.tenure, age)]
    if not holder_homes:
        return _(
            "%(name)s is under 18 or has no birth date recorded: only right-of-occupancy "
            "holders, co-holders and holders' spouses or partners aged 18 or over can stand "
            "for the committee.",
            name=person.name,
        )
    taken = _taken_apartments(session, committee, today)
    for home in holder_homes:
        sitting = taken.get(_apartment_key(home.apartment))
        if sitting is not None:
            return _(
                "%(other)s from the same apartment (%(apartment)s) is already on the "
                "committee: at most one person per apartment.",
                other=sitting.name,
                apartment=home.apartment,
            )
    return None


def _check_member(
    session: Session, committee: ResidentCommittee, data: MemberCreate, today: date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    seats = members(session, committee.id or 0)
    problem = _person_problem(session, committee, data.person_id, seats, today)
    if problem:
        errors["person_id"] = problem
    if data.position == Position.chair:
        chair = next((p for seat, p in seats if seat.position == Position.chair), None)
        if chair is not None:
            errors["position"] = _(
                "The committee already has a chair (%(name)s): a committee has one chair. "
                "Remove the seat first or choose another position.",
                name=chair.name,
            )
    return errors


def add_member(
    session: Session,
    committee: ResidentCommittee,
    data: MemberCreate,
    actor_id: int | None,
    today: date,
) -> CommitteeMember:
    """Seat a resident who may stand (tenures.may_stand); one per apartment, one chair."""
    errors = _check_member(session, committee, data, today)
    if errors:
        raise ValidationFailed(errors)
    assert committee.id is not None
    seat = CommitteeMember(
        committee_id=committee.id, person_id=data.person_id, position=data.position
    )
    try:
        with session.begin_nested():
            session.add(seat)
            session.flush()
    except IntegrityError as exc:
        # Someone seated a chair or this person at the same moment.
        raise ValidationFailed(
            {
                "person_id": _(
                    "The committee changed in the meantime. Reload the page and try again."
                )
            }
        ) from exc
    audit.record(session, actor_id, "create", seat)
    return seat


def remove_member(
    session: Session, committee: ResidentCommittee, member_id: int, actor_id: int | None
) -> None:
    """Take a seat away; NotFound if it is not this committee's."""
    seat = session.get(CommitteeMember, member_id)
    if seat is None or seat.committee_id != committee.id:
        raise NotFound()
    before = audit.snapshot(seat)
    session.delete(seat)
    session.flush()
    audit.record(session, actor_id, "delete", seat, before)
