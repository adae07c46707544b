"""Audiences: who an event, a newsletter or a reminder concerns, resolved from today's roles.

One definition serves three uses: the people in an audience (to mail them), whether a person
belongs to one (to show them an event), and the same as SQL (to list a person's events).
"""

from datetime import date

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import Session, col, select

from app.models.calendar import Audience
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House, Residency
from app.models.people import Person, StaffKind, StaffRole
from app.models.yte import YteMember, YteTerm
from app.services.access.roles import Principal

# Above this many ids, a query avoids one IN list (bound-parameter limits of the databases).
LARGE = 5000

HOUSE_AUDIENCES = frozenset({Audience.house_residents, Audience.house_committee})


def _current_residents(today: date):  # type: ignore[no-untyped-def]
    return select(Residency.person_id, Residency.house_id).where(
        Residency.starts_on <= today,
        or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= today),
    )


def _seats(today: date, chairs_only: bool):  # type: ignore[no-untyped-def]
    query = (
        select(CommitteeMember.person_id, ResidentCommittee.house_id)
        .join(ResidentCommittee, col(ResidentCommittee.id) == CommitteeMember.committee_id)
        .join(
            Residency,
            and_(
                col(Residency.person_id) == CommitteeMember.person_id,
                col(Residency.house_id) == ResidentCommittee.house_id,
                col(Residency.starts_on) <= today,
                or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= today),
            ),
        )
        .where(ResidentCommittee.term_start <= today, ResidentCommittee.term_end >= today)
    )
    if chairs_only:
        query = query.where(CommitteeMember.position == Position.chair)
    return query


def person_ids(session: Session, audience: Audience, house_id: int | None, today: date) -> set[int]:
    """Ids of the active people an audience reaches today (house audiences need a house)."""
    ids: set[int] = set()
    if audience == Audience.all_chairs:
        ids = {pid for pid, _house in session.exec(_seats(today, chairs_only=True))}
    elif audience == Audience.all_residents:
        ids = {pid for pid, _house in session.exec(_current_residents(today))}
    elif audience == Audience.house_residents:
        if house_id is None:
            return set()
        ids = {
            pid
            for pid, _house in session.exec(
                _current_residents(today).where(Residency.house_id == house_id)
            )
        }
    elif audience == Audience.house_committee:
        if house_id is None:
            return set()
        ids = {
            pid
            for pid, _house in session.exec(
                _seats(today, chairs_only=False).where(ResidentCommittee.house_id == house_id)
            )
        }
    elif audience == Audience.yte:
        ids = set(
            session.exec(
                select(YteMember.person_id)
                .join(YteTerm, col(YteTerm.id) == YteMember.term_id)
                .where(YteTerm.starts_on <= today, YteTerm.ends_on >= today)
            )
        )
    elif audience == Audience.management:
        ids = set(
            session.exec(select(StaffRole.person_id).where(StaffRole.kind == StaffKind.management))
        )
    if not ids:
        return set()
    if len(ids) > LARGE:
        # Every resident is more bound parameters than SQLite or PostgreSQL accept in one IN
        # list: take away the (few) inactive people instead.
        inactive = session.exec(select(Person.id).where(col(Person.is_active).is_(False)))
        return ids - {pid for pid in inactive if pid is not None}
    active = session.exec(
        select(Person.id).where(col(Person.id).in_(ids), col(Person.is_active).is_(True))
    )
    return {pid for pid in active if pid is not None}


def people(session: Session, audience: Audience, house_id: int | None, today: date) -> list[Person]:
    """The active people an audience reaches today, in id order."""
    ids = person_ids(session, audience, house_id, today)
    ordered = sorted(ids)
    found: list[Person] = []
    for start in range(0, len(ordered), LARGE):  # a chunk at a time, for the same reason
        part = ordered[start : start + LARGE]
        found += session.exec(
            select(Person).where(col(Person.id).in_(part)).order_by(col(Person.id))
        )
    return found


def includes(user: Principal, audience: Audience, house_id: int | None) -> bool:
    """Whether a person belongs to an audience today (staff overseers see every audience).

    A property manager belongs to the house audiences of the houses they manage.
    """
    if user.is_management or user.is_admin:
        return True
    if audience == Audience.all_chairs:
        return user.is_chair
    if audience == Audience.all_residents:
        return bool(user.resident_of)
    if audience == Audience.yte:
        return user.yte_member
    if audience == Audience.management:
        return False
    if house_id is None:
        return False
    if house_id in user.manager_of:
        return True
    if audience == Audience.house_residents:
        return house_id in user.resident_of
    return house_id in user.committee_of  # house_committee


def clause(
    user: Principal, audience_column: ColumnElement, house_column: ColumnElement
) -> ColumnElement[bool]:
    """includes() as SQL over an audience column and a house column."""
    if user.is_management or user.is_admin:
        return or_(audience_column.is_not(None), audience_column.is_(None))
    parts: list[ColumnElement[bool]] = []
    if user.is_chair:
        parts.append(audience_column == Audience.all_chairs.value)
    if user.resident_of:
        parts.append(audience_column == Audience.all_residents.value)
        parts.append(
            and_(
                audience_column == Audience.house_residents.value,
                house_column.in_(sorted(user.resident_of)),
            )
        )
    if user.yte_member:
        parts.append(audience_column == Audience.yte.value)
    if user.committee_of:
        parts.append(
            and_(
                audience_column == Audience.house_committee.value,
                house_column.in_(sorted(user.committee_of)),
            )
        )
    if user.manager_of:
        parts.append(
            and_(
                audience_column.in_([a.value for a in HOUSE_AUDIENCES]),
                house_column.in_(sorted(user.manager_of)),
            )
        )
    return or_(*parts) if parts else false()


def house_ids(session: Session) -> list[int]:
    """Every house's id, for audiences that repeat per house."""
    return [hid for hid in session.exec(select(House.id).order_by(col(House.id))) if hid]
