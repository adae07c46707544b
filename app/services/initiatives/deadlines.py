"""Initiative deadlines: reminders before the receipt and the answer are due, a digest of overdue
initiatives to management, and reminders on the review date.

The clock is always a parameter (now), so the daily job and the tests decide what day it is.
Every mail goes through the delivery table with a key per (message, recipient): running a day
twice sends nothing twice, and a day the job missed is caught up on the next run.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.config import get_settings
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House
from app.models.initiatives import Initiative, InitiativeEvaluation, Scope, State
from app.models.mail import Delivery
from app.models.people import Person, StaffKind, StaffRole
from app.models.types import local_date
from app.services.access.roles import load_principal
from app.services.initiatives import lifecycle
from app.services.initiatives import lists as initiative_lists
from app.services.initiatives.notifications import initiative_url
from app.services.mail import delivery as mail_service

RECEIPT = "receipt"
ANSWER = "answer"
REVIEW_STATES = (State.answered, State.implemented, State.evaluated)
OVERDUE_KEY = "initiatives:overdue:"  # + the Helsinki day of the digest


@dataclass(frozen=True)
class Deadline:
    """What an initiative awaits (RECEIPT or ANSWER) and by which day."""

    initiative: Initiative
    kind: str
    due_on: date
    house: House | None


@dataclass
class DailyRun:
    """How many mails one day's run queued, by kind."""

    reminders: int = 0
    overdue: int = 0
    reviews: int = 0


def pending_deadline(initiative: Initiative) -> tuple[str, date] | None:
    """The deadline an initiative now awaits, if any: its receipt or its answer."""
    if initiative.state in lifecycle.AWAITING_RECEIPT and initiative.receipt_due_on:
        return RECEIPT, initiative.receipt_due_on
    if initiative.state in lifecycle.AWAITING_ANSWER and initiative.answer_due_on:
        return ANSWER, initiative.answer_due_on
    return None


def _deadline(session: Session, initiative: Initiative) -> Deadline | None:
    pending = pending_deadline(initiative)
    if pending is None:
        return None
    house = session.get(House, initiative.house_id) if initiative.house_id else None
    return Deadline(initiative, pending[0], pending[1], house)


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


def recipients(session: Session, initiative: Initiative, today: date) -> list[Person]:
    """Who the initiative is addressed to: the house's property manager, or management.

    A house without an active property manager falls to management, who act for every house:
    someone must be reminded, or the deadline passes unnoticed.
    """
    if initiative.scope == Scope.house and initiative.house_id is not None:
        house = session.get(House, initiative.house_id)
        manager = (
            session.get(Person, house.property_manager_id)
            if house is not None and house.property_manager_id
            else None
        )
        if (
            manager is not None
            and manager.is_active
            and initiative.house_id in load_principal(session, manager, today).manager_of
        ):
            return [manager]
    return management(session)


def who_acts(session: Session, initiative: Initiative, kind: str, today: date) -> list[Person]:
    """Who must act before a deadline: for the answer its assignee, else the recipients."""
    if kind == ANSWER and initiative.assignee_id is not None:
        assignee = session.get(Person, initiative.assignee_id)
        if assignee is not None and assignee.is_active:
            return [assignee]
    return recipients(session, initiative, today)


def remind_due(session: Session, now: datetime) -> int:
    """Remind whoever must act, from initiative_reminder_days before a deadline; once each.

    A reminder missed on its day goes on the next run, even once the deadline has passed
    (the mail then says so). A moved deadline is a new deadline and is reminded of again.
    Returns how many mails were queued.
    """
    today = local_date(now)
    horizon = today + timedelta(days=get_settings().initiative_reminder_days)
    rows = session.exec(
        select(Initiative)
        .where(
            (
                col(Initiative.state).in_(lifecycle.AWAITING_RECEIPT)
                & (col(Initiative.receipt_due_on) <= horizon)
            )
            | (
                col(Initiative.state).in_(lifecycle.AWAITING_ANSWER)
                & (col(Initiative.answer_due_on) <= horizon)
            )
        )
        .order_by(col(Initiative.id))
    )
    queued = 0
    for initiative in list(rows):
        deadline = _deadline(session, initiative)
        if deadline is None:
            continue
        key = f"initiative:{initiative.id}:reminder:{deadline.kind}:{deadline.due_on.isoformat()}"
        for person in who_acts(session, initiative, deadline.kind, today):
            delivery = mail_service.queue(
                session,
                key,
                person,
                "initiative_deadline_reminder",
                initiative=initiative,
                house=deadline.house,
                kind=deadline.kind,
                due_on=deadline.due_on,
                overdue=deadline.due_on < today,
                assigned=initiative.assignee_id == person.id,
                url=initiative_url(initiative),
            )
            queued += delivery is not None
    return queued


def _last_digest_day(session: Session, person_id: int) -> date | None:
    """The day of the latest overdue digest queued for a person."""
    keys = session.exec(
        select(Delivery.message_key).where(
            Delivery.person_id == person_id,
            col(Delivery.message_key).startswith(OVERDUE_KEY),
        )
    )
    days = [date.fromisoformat(key.removeprefix(OVERDUE_KEY)) for key in keys]
    return max(days, default=None)


def flag_overdue(session: Session, now: datetime) -> int:
    """Mail each member of management one digest of the initiatives that became overdue.

    An initiative is listed once per deadline. The digest is keyed by its day, and the day of a
    person's last digest tells which deadlines it already covered: every initiative overdue
    then (due before that day) was listed in it or in an earlier one, because deadlines are
    always set in the future. A deadline moved past that day is listed again when it passes.
    Returns how many digests were queued.
    """
    today = local_date(now)
    rows = session.exec(
        select(Initiative)
        .where(initiative_lists.overdue_clause(today))
        .order_by(col(Initiative.id))
    )
    overdue = [d for d in (_deadline(session, i) for i in rows) if d is not None]
    if not overdue:
        return 0
    queued = 0
    for person in management(session):
        assert person.id is not None
        last = _last_digest_day(session, person.id)
        fresh = [d for d in overdue if last is None or d.due_on >= last]
        if not fresh:
            continue
        delivery = mail_service.queue(
            session,
            f"{OVERDUE_KEY}{today.isoformat()}",
            person,
            "initiative_overdue",
            items=[(d, initiative_url(d.initiative)) for d in fresh],
            today=today,
            list_url=f"{get_settings().base_url.rstrip('/')}/initiatives?overdue=1",
        )
        queued += delivery is not None
    return queued


def _chairs(session: Session, house_id: int, today: date) -> list[Person]:
    """The house's sitting committee chair(s) who still live there."""
    ids = session.exec(
        select(CommitteeMember.person_id)
        .join(ResidentCommittee, col(ResidentCommittee.id) == CommitteeMember.committee_id)
        .where(
            ResidentCommittee.house_id == house_id,
            ResidentCommittee.term_start <= today,
            ResidentCommittee.term_end >= today,
            CommitteeMember.position == Position.chair,
        )
    )
    chairs = []
    for person_id in sorted(set(ids)):
        person = session.get(Person, person_id)
        if person is not None and house_id in load_principal(session, person, today).chair_of:
            chairs.append(person)
    return chairs


def remind_reviews(session: Session, now: datetime) -> int:
    """On and after an initiative's review date, ask its filer and the house's chair to review.

    Each review date is reminded of once per person; anyone who has already evaluated the
    outcome is not asked again. Returns how many mails were queued.
    """
    today = local_date(now)
    rows = session.exec(
        select(Initiative)
        .where(
            col(Initiative.review_on) <= today,
            col(Initiative.state).in_(REVIEW_STATES),
        )
        .order_by(col(Initiative.id))
    )
    queued = 0
    for initiative in list(rows):
        assert initiative.id is not None and initiative.review_on is not None
        people: dict[int, Person] = {}
        if initiative.filed_by_id is not None:
            filer = session.get(Person, initiative.filed_by_id)
            if filer is not None:
                people[initiative.filed_by_id] = filer
        house = None
        if initiative.scope == Scope.house and initiative.house_id is not None:
            house = session.get(House, initiative.house_id)
            for chair in _chairs(session, initiative.house_id, today):
                assert chair.id is not None
                people[chair.id] = chair
        evaluated = set(
            session.exec(
                select(InitiativeEvaluation.person_id).where(
                    InitiativeEvaluation.initiative_id == initiative.id
                )
            )
        )
        key = f"initiative:{initiative.id}:review:{initiative.review_on.isoformat()}"
        for person_id, person in sorted(people.items()):
            if not person.is_active or person_id in evaluated:
                continue
            delivery = mail_service.queue(
                session,
                key,
                person,
                "initiative_review",
                initiative=initiative,
                house=house,
                can_evaluate=initiative.state in (State.implemented, State.evaluated),
                url=initiative_url(initiative),
            )
            queued += delivery is not None
    return queued


def run_daily(session: Session, now: datetime) -> DailyRun:
    """The day's work: reminders, the overdue digest, review reminders."""
    return DailyRun(
        reminders=remind_due(session, now),
        overdue=flag_overdue(session, now),
        reviews=remind_reviews(session, now),
    )
