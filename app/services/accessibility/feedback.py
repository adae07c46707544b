"""The accessibility statement's facts and the accessibility feedback channel.

The act on digital services (306/2019, section 16) gives a provider 14 days to answer feedback
on accessibility; the daily job reminds the administrators before and on the deadline.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.models.accessibility import AccessibilityFeedback, AnswerForm, FeedbackForm
from app.models.people import Language, Person, StaffKind, StaffRole
from app.models.types import local_date, utcnow
from app.services.mail import delivery as mail_service
from app.services.platform import audit

# When the statement was prepared and last reviewed (update on every review).
STATEMENT_PREPARED = date(2026, 12, 1)
STATEMENT_REVIEWED = date(2026, 12, 1)

# Reminders: this many days before the deadline, and on it.
REMINDER_DAYS_BEFORE = 3
# Against form spam: at most this many messages from one address within an hour.
FEEDBACK_PER_HOUR = 5


def statement_facts() -> dict[str, Any]:
    """What the statement page shows besides its text: dates and contact details."""
    settings = get_settings()
    return {
        "prepared_on": STATEMENT_PREPARED,
        "reviewed_on": STATEMENT_REVIEWED,
        "contact_email": settings.accessibility_contact_email,
        "answer_days": settings.accessibility_answer_days,
    }


def administrators(session: Session) -> list[Person]:
    """The active administrators: they receive and answer the feedback."""
    ids = select(StaffRole.person_id).where(StaffRole.kind == StaffKind.admin)
    return list(
        session.exec(
            select(Person)
            .where(col(Person.id).in_(ids), col(Person.is_active).is_(True))
            .order_by(col(Person.id))
        )
    )


def _url(path: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}{path}"


def _sender(feedback: AccessibilityFeedback) -> Person:
    """The sender as a mail recipient. An anonymous sender has no row: this one is never added
    to the session, it only carries the address, name and language to mail.queue."""
    return Person(name=feedback.name, email=feedback.email, language=feedback.language)


def submit(
    session: Session,
    data: FeedbackForm,
    person: Person | None,
    lang: str,
    now: datetime | None = None,
) -> AccessibilityFeedback:
    """Store a feedback message, give it its deadline and tell the administrators by mail."""
    now = now or utcnow()
    email = str(data.email).strip().lower()
    recent = session.exec(
        select(func.count())
        .select_from(AccessibilityFeedback)
        .where(
            AccessibilityFeedback.email == email,
            AccessibilityFeedback.created_at >= now - timedelta(hours=1),
        )
    ).one()
    if recent >= FEEDBACK_PER_HOUR:
        raise ValidationFailed(
            {"email": _("You have sent several messages just now. Please try again in an hour.")}
        )
    feedback = AccessibilityFeedback(
        person_id=person.id if person is not None else None,
        name=(data.name.strip() or (person.name if person is not None else "")),
        email=email,
        language=Language(lang) if lang in Language.__members__ else Language.fi,
        page=data.page.strip(),
        problem=data.problem.strip(),
        created_at=now,
        due_on=local_date(now) + timedelta(days=get_settings().accessibility_answer_days),
    )
    session.add(feedback)
    session.flush()
    audit.record(session, person.id if person is not None else None, "create", feedback)
    url = _url("/admin/accessibility-feedback")
    for admin in administrators(session):
        mail_service.queue(
            session,
            f"accessibility:feedback:{feedback.id}:new",
            admin,
            "accessibility_feedback_new",
            feedback=feedback,
            url=url,
        )
    session.flush()
    return feedback


def get(session: Session, feedback_id: int) -> AccessibilityFeedback:
    """One feedback message."""
    found = session.get(AccessibilityFeedback, feedback_id)
    if found is None:
        raise NotFound()
    return found


def listing(session: Session) -> list[AccessibilityFeedback]:
    """Every message: the unanswered first by deadline, then the answered, newest first."""
    rows = session.exec(select(AccessibilityFeedback)).all()
    waiting = sorted((f for f in rows if not f.is_answered), key=lambda f: (f.due_on, f.id or 0))
    answered = sorted((f for f in rows if f.is_answered), key=lambda f: f.created_at, reverse=True)
    return waiting + answered


def overdue(session: Session, today: date) -> list[AccessibilityFeedback]:
    """Unanswered messages whose deadline has passed."""
    return list(
        session.exec(
            select(AccessibilityFeedback)
            .where(col(AccessibilityFeedback.answered_at).is_(None))
            .where(AccessibilityFeedback.due_on < today)
            .order_by(col(AccessibilityFeedback.due_on), col(AccessibilityFeedback.id))
        )
    )


def record_answer(
    session: Session,
    feedback: AccessibilityFeedback,
    data: AnswerForm,
    actor: Person,
    now: datetime | None = None,
) -> AccessibilityFeedback:
    """Record the answer and mail it to the sender, in the sender's language."""
    already = ValidationFailed({"answer": _("This message has already been answered.")})
    if feedback.is_answered:
        raise already
    before = audit.snapshot(feedback)
    # One UPDATE that re-checks the message is unanswered: of two administrators answering at
    # once only one is stored, and it is the answer that is mailed (the mail's key is unique).
    claimed = session.execute(
        update(AccessibilityFeedback)
        .where(
            col(AccessibilityFeedback.id) == feedback.id,
            col(AccessibilityFeedback.answered_at).is_(None),
        )
        .values(answer=data.answer.strip(), answered_at=now or utcnow(), answered_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(feedback)
        raise already
    session.refresh(feedback)
    audit.record(session, actor.id, "update", feedback, before)
    mail_service.queue(
        session,
        f"accessibility:feedback:{feedback.id}:answer",
        _sender(feedback),
        "accessibility_feedback_answer",
        feedback=feedback,
        url=_url("/accessibility"),
    )
    session.flush()
    return feedback


@dataclass
class ReminderRun:
    """What one day's run queued."""

    due_soon: int = 0
    due_today: int = 0
    overdue: list[int] = field(default_factory=list)


def send_reminders(session: Session, today: date) -> ReminderRun:
    """Remind the administrators of unanswered messages: REMINDER_DAYS_BEFORE days before the
    deadline and on it (a run that was missed catches up), each once; the overdue are listed."""
    run = ReminderRun()
    late = overdue(session, today)
    run.overdue = [f.id for f in late if f.id is not None]
    waiting = session.exec(
        select(AccessibilityFeedback)
        .where(col(AccessibilityFeedback.answered_at).is_(None))
        .where(AccessibilityFeedback.due_on >= today)
        .where(AccessibilityFeedback.due_on <= today + timedelta(days=REMINDER_DAYS_BEFORE))
        .order_by(col(AccessibilityFeedback.due_on), col(AccessibilityFeedback.id))
    ).all()
    admins = administrators(session)
    url = _url("/admin/accessibility-feedback")
    for feedback in waiting:
        stage = "due" if feedback.due_on == today else "soon"
        queued = 0
        for admin in admins:
            queued += (
                mail_service.queue(
                    session,
                    f"accessibility:feedback:{feedback.id}:reminder-{stage}",
                    admin,
                    "accessibility_feedback_reminder",
                    feedback=feedback,
                    due_today=stage == "due",
                    overdue=late,
                    url=url,
                )
                is not None
            )
        if queued and stage == "due":
            run.due_today += 1
        elif queued:
            run.due_soon += 1
    session.flush()
    return run
