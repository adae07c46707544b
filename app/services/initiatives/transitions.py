"""Moving an initiative through its lifecycle: who may make each move, what it needs (a recipient,
an answer, a review), the event it writes and who is told."""

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import Forbidden, ValidationFailed
from app.i18n import _
from app.models.initiatives import (
    AnswerInput,
    EvaluationInput,
    EventKind,
    Initiative,
    InitiativeEvaluation,
    InitiativeEvent,
    Outcome,
    State,
)
from app.models.people import Person, StaffRole
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.initiatives import lifecycle, notifications, policies
from app.services.initiatives.following import follow, follow_on_submission
from app.services.initiatives.lists import local_date
from app.services.initiatives.records import record_event
from app.services.platform import audit, versioning


def refusal(initiative: Initiative, action: str) -> str:
    """Why a move cannot be made from the initiative's state, in the user's language."""
    move = lifecycle.find(action)
    state = _(lifecycle.STATE_LABELS[initiative.state])
    if move is None:
        return _("There is no such step for an initiative.")
    return _(
        "This initiative is now “%(state)s”; “%(step)s” is not possible in that state.",
        state=state,
        step=_(move.label),
    )


def check_move(initiative: Initiative, action: str, user: Principal) -> None:
    """Refuse a move not possible from the current state (field "action") or not the user's."""
    move = lifecycle.find(action)
    if move is None or initiative.state not in move.sources:
        raise ValidationFailed({"action": refusal(initiative, action)})
    if not policies.can_transition(user, initiative, action):
        raise Forbidden()


def _staff_member(session: Session, person_id: int | None) -> Person:
    if person_id is None:
        raise ValidationFailed({"assignee_id": _("Choose who prepares the answer.")})
    person = session.get(Person, person_id)
    is_staff = (
        session.exec(select(StaffRole.id).where(StaffRole.person_id == person_id)).first()
        is not None
    )
    if person is None or not person.is_active or not is_staff:
        raise ValidationFailed({"assignee_id": _("Choose a staff member of the company.")})
    return person


def staff_members(session: Session) -> list[Person]:
    """The active staff who can be assigned an initiative."""
    ids = select(StaffRole.person_id)
    return list(
        session.exec(
            select(Person)
            .where(col(Person.id).in_(ids), col(Person.is_active).is_(True))
            .order_by(col(Person.name))
        )
    )


def transition(
    session: Session,
    initiative: Initiative,
    action: str,
    user: Principal,
    now: datetime | None = None,
    *,
    version: int | None = None,
    note: str = "",
    assignee_id: int | None = None,
    answer: AnswerInput | None = None,
    evaluation: EvaluationInput | None = None,
) -> InitiativeEvent:
    """Make one lifecycle move, with its data; followers are told.

    A move not allowed from the current state is refused with a message for the "action" field;
    a user who is not one of the move's actors gets Forbidden. With version given, a save based
    on an older read is refused as a conflict.
    """
    now = now or utcnow()
    check_move(initiative, action, user)
    move = lifecycle.BY_ACTION[action]
    settings = get_settings()
    before = audit.snapshot(initiative)
    source = initiative.state
    # Check the move's own data before touching the row.
    if action == "assign":
        _staff_member(session, assignee_id)
    if action == "answer" and answer is None:
        raise ValidationFailed({"answer": _("Write the answer.")})
    if action == "implement" and initiative.outcome == Outcome.rejected:
        raise ValidationFailed({"action": _("A rejected initiative cannot be implemented.")})
    if action == "evaluate":
        if evaluation is None:
            raise ValidationFailed({"rating": _("Give a rating from 1 to 5.")})
        assert initiative.id is not None
        already = session.exec(
            select(InitiativeEvaluation.id).where(
                InitiativeEvaluation.initiative_id == initiative.id,
                InitiativeEvaluation.person_id == user.id,
            )
        ).first()
        if already is not None:
            raise ValidationFailed({"rating": _("You have already evaluated this initiative.")})
    versioning.bump(session, initiative, initiative.version if version is None else version)
    today = local_date(now)
    if action == "take_up":
        initiative.filed_by_id = user.id
    elif action == "submit":
        initiative.submitted_at = now
        initiative.receipt_due_on = today + timedelta(days=settings.initiative_receipt_days)
    elif action == "receive":
        initiative.received_at = now
        initiative.answer_due_on = today + timedelta(days=settings.initiative_answer_days)
    elif action == "assign":
        initiative.assignee_id = assignee_id
    elif action == "answer":
        assert answer is not None
        initiative.outcome = answer.outcome
        initiative.answer = answer.answer
        initiative.answered_at = now
        initiative.answered_by_id = user.id
    elif action == "implement":
        initiative.implemented_at = now
    elif action == "evaluate":
        assert evaluation is not None and initiative.id is not None
        session.add(
            InitiativeEvaluation(
                initiative_id=initiative.id,
                person_id=user.id,
                rating=evaluation.rating,
                comment=evaluation.comment,
                created_at=now,
            )
        )
        initiative.evaluated_at = initiative.evaluated_at or now
    elif action in ("withdraw", "decline"):
        initiative.closed_at = now
    initiative.state = move.target
    initiative.updated_at = now
    session.add(initiative)
    session.flush()
    event_note = note.strip()
    if action == "answer" and answer is not None:
        event_note = answer.answer
    elif action == "evaluate" and evaluation is not None:
        event_note = evaluation.comment
    event = record_event(
        session,
        initiative,
        EventKind.state,
        user.id,
        now,
        action=action,
        from_state=source,
        to_state=move.target,
        note=event_note,
        changes={"assignee_id": assignee_id} if action == "assign" else None,
    )
    if action == "submit":
        follow_on_submission(session, initiative, now)
    if action == "take_up":
        follow(session, initiative, user.id)  # the new filer, even if the committee changed
    if action == "assign" and assignee_id is not None:
        follow(session, initiative, assignee_id)
    audit.record(session, user.id, "update", initiative, before)
    notifications.initiative_changed(session, initiative, event, user.id)
    return event


def move(
    session: Session,
    initiative: Initiative,
    action: str,
    user: Principal,
    now: datetime | None = None,
    *,
    version: int | None = None,
    note: str = "",
    assignee_id: int | None = None,
    outcome: Outcome | None = None,
    answer_text: str | None = None,
    rating: int | None = None,
    comment: str = "",
) -> InitiativeEvent:
    """Make a move from loose input (the API): state and actor first, then the move's fields."""
    check_move(initiative, action, user)
    answer = evaluation = None
    if action == "answer":
        errors = {}
        if outcome is None:
            errors["outcome"] = _("Choose the outcome.")
        if not (answer_text or "").strip():
            errors["answer"] = _("Write the answer.")
        if errors:
            raise ValidationFailed(errors)
        assert outcome is not None and answer_text is not None
        answer = AnswerInput(outcome=outcome, answer=answer_text.strip())
    if action == "evaluate":
        if rating is None or not 1 <= rating <= 5:
            raise ValidationFailed({"rating": _("Give a rating from 1 to 5.")})
        evaluation = EvaluationInput(rating=rating, comment=comment)
    return transition(
        session,
        initiative,
        action,
        user,
        now,
        version=version,
        note=note,
        assignee_id=assignee_id,
        answer=answer,
        evaluation=evaluation,
    )


def set_review(
    session: Session,
    initiative: Initiative,
    review_on: date | None,
    user: Principal,
    version: int | None,
    now: datetime | None = None,
) -> None:
    """Set (or clear) the day on which the outcome is to be evaluated; a reminder follows.

    The day cannot be in the past; a version older than the saved one is a conflict.
    """
    now = now or utcnow()
    if not policies.can_set_review(user, initiative):
        raise Forbidden()
    if initiative.state not in (State.answered, State.implemented, State.evaluated):
        raise ValidationFailed({"review_on": _("A review date can be set once it is answered.")})
    if review_on is not None and review_on < local_date(now):
        raise ValidationFailed({"review_on": _("The review date cannot be in the past.")})
    if version is None:
        raise ValidationFailed({"version": _("This field is required.")})
    before = audit.snapshot(initiative)
    versioning.bump(session, initiative, version)
    initiative.review_on = review_on
    initiative.updated_at = now
    session.add(initiative)
    session.flush()
    audit.record(session, user.id, "update", initiative, before)
    record_event(
        session,
        initiative,
        EventKind.review,
        user.id,
        now,
        changes={"review_on": review_on.isoformat() if review_on else None},
    )
