"""Compliance reminders: the chair and the manager of a house without a meeting or with a term
running out, management when a newsletter is missing; each mailed once."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.config import get_settings
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House
from app.models.newsletters import NewsletterKind
from app.models.people import Person, StaffKind, StaffRole
from app.services.access.roles import load_principal
from app.services.bodies import meetings as meetings_service
from app.services.compliance.status import (
    CHAIRS_NEWSLETTER_REMINDER_DAY,
    MEETING_REMINDER_MONTH,
    RESIDENTS_NEWSLETTERS_PROMISED,
    TERM_REMINDER_DAYS,
    chairs_newsletter_sent,
    quarters_passed,
    sent_count,
    year_bounds,
)
from app.services.mail import delivery as mail_service


@dataclass
class ReminderRun:
    """How many mails one day's run queued, by kind."""

    meetings: int = 0
    terms: int = 0
    chairs_newsletter: int = 0
    residents_newsletter: int = 0


def management(session: Session) -> list[Person]:
    """The active members of the company's management."""
    ids = select(StaffRole.person_id).where(StaffRole.kind == StaffKind.management)
    return list(
        session.exec(
            select(Person)
            .where(col(Person.id).in_(ids), col(Person.is_active).is_(True))
            .order_by(col(Person.id))
        )
    )


def house_manager(session: Session, house: House, today: date) -> Person | None:
    """The house's active property manager (who holds the role), if any."""
    if house.property_manager_id is None:
        return None
    person = session.get(Person, house.property_manager_id)
    if person is None or not person.is_active:
        return None
    if house.id not in load_principal(session, person, today).manager_of:
        return None
    return person


def _queue(session: Session, key: str, people: list[Person], template: str, **context: Any) -> int:
    queued = 0
    for person in people:
        queued += mail_service.queue(session, key, person, template, **context) is not None
    return queued


def _url(path: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}{path}"


def remind_meetings(session: Session, today: date) -> int:
    """From 1 September, a house with no resident meeting this year: its manager, once a year.

    A house without an active manager falls to management: someone must convene the meeting.
    """
    if today.month < MEETING_REMINDER_MONTH:
        return 0
    queued = 0
    for house in meetings_service.houses_without_meeting(session, today.year):
        manager = house_manager(session, house, today)
        people = [manager] if manager is not None else management(session)
        queued += _queue(
            session,
            f"compliance:meeting:{today.year}:{house.id}",
            people,
            "compliance_meeting",
            house=house,
            year=today.year,
            url=_url(f"/houses/{house.id}/meetings/new"),
        )
    return queued


def remind_terms(session: Session, today: date) -> int:
    """A committee term ending within TERM_REMINDER_DAYS with no next term recorded: its chair
    and the house's manager, once per term."""
    horizon = today + timedelta(days=TERM_REMINDER_DAYS)
    ending = session.exec(
        select(ResidentCommittee, House)
        .join(House, col(House.id) == ResidentCommittee.house_id)
        .where(ResidentCommittee.term_start <= today, ResidentCommittee.term_end >= today)
        .where(ResidentCommittee.term_end <= horizon)
        .order_by(col(ResidentCommittee.id))
    ).all()
    queued = 0
    for committee, house in ending:
        successor = session.exec(
            select(ResidentCommittee.id).where(
                ResidentCommittee.house_id == house.id,
                ResidentCommittee.term_start > committee.term_end,
            )
        ).first()
        if successor is not None:
            continue
        chair = session.exec(
            select(Person)
            .join(CommitteeMember, col(CommitteeMember.person_id) == Person.id)
            .where(
                CommitteeMember.committee_id == committee.id,
                CommitteeMember.position == Position.chair,
                col(Person.is_active).is_(True),
            )
        ).first()
        manager = house_manager(session, house, today)
        people = [p for p in (chair, manager) if p is not None] or management(session)
        queued += _queue(
            session,
            f"compliance:term:{committee.id}",
            people,
            "compliance_term",
            house=house,
            committee=committee,
            url=_url(f"/houses/{house.id}"),
        )
    return queued


def remind_chairs_newsletter(session: Session, today: date) -> int:
    """From the 20th of a month without a chairs' newsletter sent: management, once a month."""
    if today.day < CHAIRS_NEWSLETTER_REMINDER_DAY:
        return 0
    if chairs_newsletter_sent(session, today.year, today.month):
        return 0
    return _queue(
        session,
        f"compliance:chairs-newsletter:{today.year}-{today.month:02d}",
        management(session),
        "compliance_chairs_newsletter",
        month=date(today.year, today.month, 1),
        url=_url(f"/compliance?year={today.year}"),
    )


def remind_residents_newsletter(session: Session, today: date) -> int:
    """Fewer residents' newsletters this year than the quarters passed: management, once a
    quarter."""
    expected = quarters_passed(today.year, today)
    start, end = year_bounds(today.year)
    sent = len(sent_count(session, NewsletterKind.residents, start, end))
    if sent >= expected:
        return 0
    quarter = (today.month - 1) // 3 + 1
    return _queue(
        session,
        f"compliance:residents-newsletter:{today.year}-q{quarter}",
        management(session),
        "compliance_residents_newsletter",
        sent=sent,
        expected=expected,
        promised=RESIDENTS_NEWSLETTERS_PROMISED,
        year=today.year,
        url=_url(f"/compliance?year={today.year}"),
    )


def send_reminders(session: Session, today: date) -> ReminderRun:
    """The daily run: every reminder due today, each to its recipient once."""
    return ReminderRun(
        meetings=remind_meetings(session, today),
        terms=remind_terms(session, today),
        chairs_newsletter=remind_chairs_newsletter(session, today),
        residents_newsletter=remind_residents_newsletter(session, today),
    )
