"""Who follows an initiative: following, unfollowing, the filer's body and the recipient
following by default."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models.calendar import Audience
from app.models.committees import CommitteeMember, ResidentCommittee
from app.models.houses import House
from app.models.initiatives import (
    Initiative,
    InitiativeFollower,
    Scope,
)
from app.models.people import Person
from app.models.yte import YteMember, YteTerm
from app.services.access import audiences
from app.services.initiatives.lists import local_date


def follow(session: Session, initiative: Initiative, person_id: int) -> None:
    """Add a follower (idempotent, also when two requests follow at once)."""
    assert initiative.id is not None
    if session.get(InitiativeFollower, (initiative.id, person_id)) is not None:
        return
    # Another transaction may insert the same row between the look and the insert: the
    # savepoint keeps the request's transaction alive when the primary key refuses it.
    try:
        with session.begin_nested():
            session.add(InitiativeFollower(initiative_id=initiative.id, person_id=person_id))
    except IntegrityError:
        pass


def unfollow(session: Session, initiative: Initiative, person_id: int) -> None:
    """Stop following (idempotent)."""
    assert initiative.id is not None
    row = session.get(InitiativeFollower, (initiative.id, person_id))
    if row is not None:
        session.delete(row)
        session.flush()


def is_following(session: Session, initiative: Initiative, person_id: int) -> bool:
    """Whether a person follows an initiative."""
    assert initiative.id is not None
    return session.get(InitiativeFollower, (initiative.id, person_id)) is not None


def followers(session: Session, initiative_id: int) -> list[Person]:
    """Everyone following an initiative."""
    return list(
        session.exec(
            select(Person)
            .join(InitiativeFollower, col(InitiativeFollower.person_id) == Person.id)
            .where(InitiativeFollower.initiative_id == initiative_id)
            .order_by(col(Person.id))
        )
    )


def _follow_committee(session: Session, initiative: Initiative, now: datetime) -> None:
    """The filer's body follows: the house's committee, or Haso-yte for company initiatives."""
    today = local_date(now)
    if initiative.scope == Scope.house and initiative.house_id is not None:
        people = session.exec(
            select(CommitteeMember.person_id)
            .join(ResidentCommittee, col(ResidentCommittee.id) == CommitteeMember.committee_id)
            .where(
                ResidentCommittee.house_id == initiative.house_id,
                ResidentCommittee.term_start <= today,
                ResidentCommittee.term_end >= today,
            )
        )
    else:
        people = session.exec(
            select(YteMember.person_id)
            .join(YteTerm, col(YteTerm.id) == YteMember.term_id)
            .where(YteTerm.starts_on <= today, YteTerm.ends_on >= today)
        )
    for person_id in set(people):
        follow(session, initiative, person_id)


def recipients(session: Session, initiative: Initiative, now: datetime) -> set[int]:
    """Whom a submitted initiative is addressed to: the house's property manager, or (a company
    initiative) management."""
    if initiative.scope == Scope.house and initiative.house_id is not None:
        manager = session.exec(
            select(House.property_manager_id).where(House.id == initiative.house_id)
        ).first()
        return {manager} if manager else set()
    return audiences.person_ids(session, Audience.management, None, local_date(now))


def follow_on_submission(session: Session, initiative: Initiative, now: datetime) -> None:
    """On submission the filer's body and the recipient follow: the recipient must act next
    (acknowledge receipt), and every later change reaches them too."""
    _follow_committee(session, initiative, now)
    for person_id in recipients(session, initiative, now):
        follow(session, initiative, person_id)
