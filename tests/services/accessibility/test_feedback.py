"""Accessibility feedback: stored with its deadline, mailed to the administrators, reminded
before and on the deadline (once each), answered to the sender in the sender's language."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from app import scheduler
from app.errors import ValidationFailed
from app.jobs import accessibility as accessibility_jobs
from app.models.accessibility import AccessibilityFeedback, AnswerForm, FeedbackForm
from app.models.audit import AuditEntry
from app.models.mail import Delivery
from app.models.people import Language, StaffKind
from app.services.accessibility import feedback as accessibility
from app.services.mail import delivery as mail_service
from tests.support import make_person, make_staff

HELSINKI = ZoneInfo("Europe/Helsinki")
# Late in the evening in Helsinki, already the next day's date there than in UTC a bit earlier.
SENT = datetime(2031, 3, 1, 23, 30, tzinfo=HELSINKI)


def keys(session, prefix: str = "accessibility:") -> list[tuple[str, str]]:
    rows = session.exec(
        select(Delivery).where(Delivery.message_key.startswith(prefix))  # type: ignore[attr-defined]
    )
    return sorted((d.message_key, d.recipient) for d in rows)


def form(**fields) -> FeedbackForm:
    values = {"name": "Maija Meikäläinen", "email": "Maija@Example.com", "problem": "Kontrasti"}
    values.update(fields)
    return FeedbackForm.model_validate(values)


def test_feedback_is_stored_with_a_deadline_audited_and_mailed_to_administrators(session):
    admin = make_staff(session, StaffKind.admin)
    make_staff(session, StaffKind.management)  # management does not handle the feedback
    feedback = accessibility.submit(session, form(page="/calendar"), None, "sv", now=SENT)
    assert feedback.due_on == date(2031, 3, 15)  # 14 days from the Helsinki date
    assert (feedback.email, feedback.language, feedback.person_id) == (
        "maija@example.com",
        Language.sv,
        None,
    )
    assert not feedback.is_answered
    assert keys(session) == [(f"accessibility:feedback:{feedback.id}:new", admin.email)]
    audit = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "accessibility_feedback")
    ).one()
    assert (audit.action, audit.actor_id, audit.after["page"]) == ("create", None, "/calendar")


def test_a_logged_in_sender_is_known_and_may_give_another_address(session):
    resident = make_person(session, name="Erik", email="erik@example.com")
    feedback = accessibility.submit(
        session, form(name="", email="Other@example.com"), resident, "fi"
    )
    assert (feedback.person_id, feedback.email, feedback.name) == (
        resident.id,
        "other@example.com",
        "Erik",
    )


def test_one_address_may_send_only_a_few_messages_an_hour(session):
    for _ in range(accessibility.FEEDBACK_PER_HOUR):
        accessibility.submit(session, form(), None, "fi", now=SENT)
    with pytest.raises(ValidationFailed) as caught:
        accessibility.submit(session, form(email="maija@example.com"), None, "fi", now=SENT)
    assert set(caught.value.errors) == {"email"}
    later = datetime(2031, 3, 2, 1, 0, tzinfo=HELSINKI)
    assert accessibility.submit(session, form(), None, "fi", now=later).id


def test_reminders_three_days_before_and_on_the_deadline_each_once(session):
    admin = make_staff(session, StaffKind.admin)
    feedback = accessibility.submit(session, form(), None, "fi", now=SENT)
    answered = accessibility.submit(session, form(email="b@example.com"), None, "fi", now=SENT)
    accessibility.record_answer(session, answered, AnswerForm(answer="Korjattu"), admin)
    runs = {day: accessibility.send_reminders(session, date(2031, 3, day)) for day in range(11, 17)}
    assert [(d, r.due_soon, r.due_today) for d, r in runs.items()] == [
        (11, 0, 0),
        (12, 1, 0),  # three days before
        (13, 0, 0),  # not twice
        (14, 0, 0),
        (15, 0, 1),  # on the deadline
        (16, 0, 0),
    ]
    assert runs[15].overdue == [] and runs[16].overdue == [feedback.id]
    assert keys(session, f"accessibility:feedback:{feedback.id}:reminder") == [
        (f"accessibility:feedback:{feedback.id}:reminder-due", admin.email),
        (f"accessibility:feedback:{feedback.id}:reminder-soon", admin.email),
    ]
    assert keys(session, f"accessibility:feedback:{answered.id}:reminder") == []
    assert accessibility.overdue(session, date(2031, 3, 16)) == [feedback]


def test_a_missed_run_catches_up_without_repeating(session):
    make_staff(session, StaffKind.admin)
    accessibility.submit(session, form(), None, "fi", now=SENT)
    # The scheduler was down on the 12th: the 13th reminds (soon), the 15th on the deadline.
    assert accessibility.send_reminders(session, date(2031, 3, 13)).due_soon == 1
    assert accessibility.send_reminders(session, date(2031, 3, 14)).due_soon == 0
    assert accessibility.send_reminders(session, date(2031, 3, 15)).due_today == 1


def test_the_answer_is_recorded_audited_and_cannot_be_given_twice(session):
    admin = make_staff(session, StaffKind.admin)
    feedback = accessibility.submit(session, form(), None, "en", now=SENT)
    accessibility.record_answer(session, feedback, AnswerForm(answer=" Fixed. "), admin)
    assert (feedback.answer, feedback.answered_by_id) == ("Fixed.", admin.id)
    assert feedback.is_answered
    assert (f"accessibility:feedback:{feedback.id}:answer", "maija@example.com") in keys(session)
    with pytest.raises(ValidationFailed) as caught:
        accessibility.record_answer(session, feedback, AnswerForm(answer="Again"), admin)
    assert set(caught.value.errors) == {"answer"}
    updates = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "accessibility_feedback", AuditEntry.action == "update"
        )
    ).all()
    assert [u.after["answer"] for u in updates] == ["Fixed."]


def test_of_two_answers_given_at_once_only_the_first_is_stored_and_mailed(session):
    first, second = make_staff(session, StaffKind.admin), make_staff(session, StaffKind.admin)
    feedback = accessibility.submit(session, form(), None, "en", now=SENT)
    # The second administrator opened the form before the first one's answer was saved.
    session.execute(
        update(AccessibilityFeedback)
        .where(col(AccessibilityFeedback.id) == feedback.id)
        .values(answer="Fixed.", answered_at=SENT, answered_by_id=first.id)
        .execution_options(synchronize_session=False)
    )
    assert not feedback.is_answered  # the second one's copy is stale
    with pytest.raises(ValidationFailed) as caught:
        accessibility.record_answer(session, feedback, AnswerForm(answer="Other."), second)
    assert set(caught.value.errors) == {"answer"}
    session.refresh(feedback)
    assert (feedback.answer, feedback.answered_by_id) == ("Fixed.", first.id)
    assert keys(session, f"accessibility:feedback:{feedback.id}:answer") == []


def test_the_job_mails_each_administrator_in_their_language_once(
    session, connection, smtp, monkeypatch
):
    finn = make_staff(session, StaffKind.admin, language=Language.fi)
    swede = make_staff(session, StaffKind.admin, language=Language.sv)
    feedback = accessibility.submit(
        session, form(problem="Painike ei toimi näppäimistöllä"), None, "fi", now=SENT
    )
    job = accessibility_jobs.feedback_reminders.__wrapped__
    monkeypatch.setattr(
        accessibility_jobs, "utcnow", lambda: datetime(2031, 3, 15, 8, 10, tzinfo=HELSINKI)
    )
    assert job(session).due_today == 1
    assert job(session).due_today == 0
    session.commit()
    mail_service.send_pending(connection)
    # Each in the recipient's language: the dates in the text are formatted by their locale.
    reminders = [(m, smtp.text_of(m)) for m in smtp.messages]
    finnish = [text for m, text in reminders if finn.email in str(m["To"]) and "1.3.2031" in text]
    swedish = [text for m, text in reminders if swede.email in str(m["To"]) and "1 mars" in text]
    assert len(finnish) == 1 and len(swedish) == 1  # the reminder; the new-message mail has none
    assert "Painike ei toimi näppäimistöllä" in finnish[0]
    assert "/admin/accessibility-feedback" in swedish[0]
    # the new-feedback mail too, one each
    assert len(smtp.to(finn.email)) == 2 and len(smtp.to(swede.email)) == 2
    assert session.get(AccessibilityFeedback, feedback.id) is not None
    registered = {job_id: (func, trigger, args) for job_id, func, trigger, args in scheduler.JOBS}
    assert registered["accessibility_feedback_reminders"] == (
        accessibility_jobs.feedback_reminders,
        "cron",
        {"hour": 8, "minute": 10},
    )
