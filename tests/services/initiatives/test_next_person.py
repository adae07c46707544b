"""Who acts next on an initiative is told at once: the table of each step, who received mail
and who did not (the actor never; a resident who does not follow never)."""

from datetime import date

from sqlmodel import select

from app.models.committees import Position
from app.models.initiatives import AnswerInput, Notification, Outcome, State
from app.models.people import StaffKind
from app.models.types import utcnow
from app.services.access.roles import load_principal
from app.services.initiatives import following, transitions
from app.services.mail import delivery as mail_service
from tests.support import (
    fi,
    make_chair,
    make_committee,
    make_house,
    make_initiative,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)


def _principal(session, person):
    return load_principal(session, person, date.today())


def _told(session, event) -> set[int]:
    rows = session.exec(select(Notification.person_id).where(Notification.event_id == event.id))
    return set(rows)


def test_each_step_of_a_house_initiative_reaches_whoever_acts_next(session, connection, smtp):
    house = make_house(session)
    manager = make_manager(session, house)
    chair, member, resident = (make_resident(session, house) for _ in range(3))
    make_committee(session, house, [(chair, Position.chair), (member, Position.member)])
    handler = make_staff(session, StaffKind.property_manager)
    other_manager = make_manager(session, make_house(session))
    initiative = make_initiative(session, chair, house, State.draft)
    following.follow(session, initiative, chair.id)

    # step, actor, who must be told, who must not
    steps = [
        ("submit", chair, [manager, member], [chair, resident, handler, other_manager]),
        ("receive", manager, [chair, member], [manager, resident, handler]),
        ("assign", manager, [handler, chair, member], [manager, resident]),
        ("answer", handler, [chair, member, manager], [handler, resident]),
    ]
    for action, actor, told, untold in steps:
        event = transitions.transition(
            session,
            initiative,
            action,
            _principal(session, actor),
            utcnow(),
            assignee_id=handler.id if action == "assign" else None,
            answer=AnswerInput(outcome=Outcome.accepted, answer="Tehdään.")
            if action == "answer"
            else None,
        )
        reached = _told(session, event)
        assert {p.id for p in told} <= reached, action
        assert not {p.id for p in untold} & reached, action

    # The property manager's mail on submission went out over SMTP.
    session.commit()
    mail_service.send_pending(connection)
    # The manager is told what to do and by when; the assignee likewise.
    (first, *_rest) = smtp.to(manager.email)
    assert fi(
        "Acknowledge its receipt in the portal by %(date)s; the answer is then due within the "
        "time the cooperation model gives.",
        date="",
    )[:25] in smtp.text_of(first)
    assert any(
        fi("You prepare the answer: publish it in the portal by %(date)s.", date="")[:25]
        in smtp.text_of(m)
        for m in smtp.to(handler.email)
    )
    assert smtp.to(resident.email) == []
    assert following.is_following(session, initiative, manager.id)


def test_a_company_initiative_reaches_management_on_submission(session):
    house = make_house(session)
    filer = make_chair(session, house)
    colleague = make_chair(session, make_house(session))
    make_yte_term(session, [(filer, house), (colleague, make_house(session))])
    director = make_staff(session, StaffKind.management)
    bystander = make_manager(session, house)
    initiative = make_initiative(session, filer, None, State.draft)
    event = transitions.transition(
        session, initiative, "submit", _principal(session, filer), utcnow()
    )
    reached = _told(session, event)
    assert {director.id, colleague.id} <= reached
    assert filer.id not in reached and bystander.id not in reached
