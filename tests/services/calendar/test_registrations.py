"""Event registrations: places, the waiting list in order, promotion mail, cancellation, refusals,
the attendee list and its CSV, the predicates, and two registrations at once on PostgreSQL."""

import csv
import io
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app import policies
from app.models.audit import AuditEntry
from app.models.calendar import Audience, CalendarEvent, EventRegistration, RegistrationStatus
from app.models.mail import Delivery
from app.models.people import Language, Person, StaffKind
from app.models.types import utcnow
from app.services.access.roles import Principal, load_principal
from app.services.calendar import attendees as attendees_service
from app.services.calendar import registrations as service
from app.services.calendar.registrations import RegistrationRefused
from app.services.mail import delivery as mail_service
from app.services.privacy import data_protection
from tests.support import fi, make_house, make_manager, make_person, make_resident, make_staff
from tests.support_calendar import make_event


def who(session, person: Person) -> Principal:
    return load_principal(session, person, date.today())


@pytest.fixture()
def house(session):
    return make_house(session)


def residents(session, house, n, **fields):
    return [
        who(session, make_resident(session, house, make_person(session, **fields)))
        for _ in range(n)
    ]


def refused(code: str, call, *args, **kwargs) -> RegistrationRefused:
    with pytest.raises(RegistrationRefused) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code
    return caught.value


def test_places_then_the_waiting_list_in_order(session, house):
    event = make_event(session, capacity=4)
    a, b, c, d = residents(session, house, 4)
    assert service.register(session, event, a, 2).status == RegistrationStatus.registered
    assert service.register(session, event, b, 2).status == RegistrationStatus.registered
    assert service.places_left(session, event) == 0
    waiting_c = service.register(session, event, c, 1)
    waiting_d = service.register(session, event, d, 1)
    assert waiting_c.status == waiting_d.status == RegistrationStatus.waiting
    assert service.waiting_position(session, waiting_c) == 1
    assert service.waiting_position(session, waiting_d) == 2
    assert service.taken(session, event.id) == 4
    panel = attendees_service.panel(session, event, d)
    assert (panel.status, panel.position, panel.places_left) == ("waiting", 2, 0)
    assert not panel.can_register and panel.can_cancel


def test_a_party_counts_against_the_capacity(session, house):
    event = make_event(session, capacity=3)
    a, b, c = residents(session, house, 3)
    service.register(session, event, a, 2)
    # Two more do not fit in the one place left: the party waits.
    assert service.register(session, event, b, 2).status == RegistrationStatus.waiting
    # Someone coming later does not overtake the queue, though one place is free.
    assert service.register(session, event, c, 1).status == RegistrationStatus.waiting


def test_participants_out_of_range_are_refused_on_the_field(session, house):
    event = make_event(session, capacity=3)
    (a,) = residents(session, house, 1)
    for bad in (0, 6):
        error = refused("participants", service.register, session, event, a, bad)
        assert error.errors == {
            "participants": fi(
                "Enter a number of participants from 1 to %(most)s, yourself included.", most=5
            )
        }
    refused("too_many", service.register, session, event, a, 4)
    for raw in ("x", "0", "9"):
        refused("participants", service.parse_participants, raw)
    assert service.parse_participants("") == 1 and service.parse_participants(" 3 ") == 3
    assert session.exec(select(EventRegistration)).all() == []


def test_no_limit_takes_everyone(session, house):
    event = make_event(session, capacity=None)
    people = residents(session, house, 3)
    for person in people:
        assert service.register(session, event, person, 5).status == RegistrationStatus.registered
    assert service.places_left(session, event) is None


def test_cancelling_moves_the_first_waiting_up_and_mails_them(session, connection, smtp, house):
    event = make_event(session, capacity=2, title_sv="Säkerhetskväll")
    a, b = residents(session, house, 2)
    (c,) = residents(session, house, 1, language=Language.sv)
    (d,) = residents(session, house, 1)
    service.register(session, event, a, 2)
    waiting_b = service.register(session, event, b, 1)
    waiting_c = service.register(session, event, c, 1, now=utcnow() + timedelta(seconds=1))
    waiting_d = service.register(session, event, d, 1, now=utcnow() + timedelta(seconds=2))

    moved = service.cancel(session, event, a)
    assert [r.id for r in moved] == [waiting_b.id, waiting_c.id]
    assert waiting_b.status == waiting_c.status == RegistrationStatus.registered
    assert waiting_d.status == RegistrationStatus.waiting
    assert service.waiting_position(session, waiting_d) == 1
    audited = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "event_registration", AuditEntry.entity_id == str(waiting_b.id))
        .order_by(col(AuditEntry.id))
    ).all()
    assert [e.action for e in audited] == ["create", "update"]

    session.commit()
    mail_service.send_pending(connection)
    # Everyone had the confirmation of registering; b and c then their places.
    assert len(smtp.to(a.person.email)) == 1 and len(smtp.to(d.person.email)) == 1
    [_waiting_b, to_b] = smtp.to(b.person.email)
    [_waiting_c, to_c] = smtp.to(c.person.email)
    assert event.title_fi in str(to_b["Subject"])
    assert "Säkerhetskväll" in str(to_c["Subject"])
    text = smtp.text_of(to_c)
    assert f"/calendar/events/{event.id}/calendar.ics" in text
    assert text.startswith("Hej ")  # Swedish, the recipient's language


def test_a_party_that_does_not_fit_keeps_its_turn(session, house):
    event = make_event(session, capacity=3)
    a, b, c = residents(session, house, 3)
    service.register(session, event, a, 1)
    service.register(session, event, b, 2)
    big = service.register(session, event, c, 3)
    assert big.status == RegistrationStatus.waiting
    assert service.cancel(session, event, a) == []  # one place free, the party of 3 waits
    assert service.cancel(session, event, b) == [big]


def test_registering_again_after_cancelling_reuses_the_row(session, house):
    event = make_event(session, capacity=1)
    a, b = residents(session, house, 2)
    first = service.register(session, event, a, 1)
    service.cancel(session, event, a)
    assert first.status == RegistrationStatus.cancelled
    service.register(session, event, b, 1)
    again = service.register(session, event, a, 1)
    assert again.id == first.id and again.status == RegistrationStatus.waiting
    assert len(session.exec(select(EventRegistration)).all()) == 2


def test_registering_twice_is_refused(session, house):
    event = make_event(session, capacity=1)
    a, b = residents(session, house, 2)
    service.register(session, event, a, 1)
    error = refused("registered", service.register, session, event, a, 1)
    assert error.errors == {"": fi("You have already registered for this event.")}
    service.register(session, event, b, 1)
    refused("waiting", service.register, session, event, b, 1)


def test_outside_the_audience_is_refused(session, house):
    event = make_event(session, audience=Audience.house_residents, house_id=house.id)
    (outsider,) = residents(session, make_house(session), 1)
    refused("audience", service.register, session, event, outsider, 1)
    (insider,) = residents(session, house, 1)
    assert service.register(session, event, insider, 1).status == RegistrationStatus.registered


def test_cancelled_begun_or_unregistrable_events_are_refused(session, house):
    (a,) = residents(session, house, 1)
    refused("cancelled", service.register, session, make_event(session, cancelled_at=utcnow()), a)
    begun = make_event(session, starts_at=utcnow() - timedelta(minutes=5))
    refused("started", service.register, session, begun, a)
    refused("closed", service.register, session, make_event(session, registration=False), a)
    assert session.exec(select(EventRegistration)).all() == []


def test_cancelling_without_a_registration_or_after_the_start(session, house):
    event = make_event(session)
    a, b = residents(session, house, 2)
    refused("none", service.cancel, session, event, a)
    service.register(session, event, b, 1)
    refused("started", service.cancel, session, event, b, now=event.starts_at + timedelta(1))


def test_attendee_list_and_csv(session, house):
    event = make_event(session, capacity=1)
    (a,) = residents(session, house, 1, name='=HYPERLINK("http://x")')
    (b,) = residents(session, house, 1, name="Beata Berg")
    service.register(session, event, a, 1)
    service.register(session, event, b, 1)
    listing = attendees_service.attendees(session, event)
    assert [x.person.id for x in listing.registered] == [a.id]
    assert [(x.person.id, x.position) for x in listing.waiting] == [(b.id, 1)]
    body = attendees_service.to_csv(listing)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0][0] == fi("Name")
    assert rows[1][0].startswith("'=")  # a formula is shown, not run
    assert rows[1][2] == fi("Registered")
    assert rows[2][:5] == ["Beata Berg", b.person.email, fi("On the waiting list"), "1", "1"]


def test_predicates(session, house):
    other = make_house(session)
    event = make_event(session, audience=Audience.house_residents, house_id=house.id)
    company = make_event(session)
    (resident,) = residents(session, house, 1)
    (outsider,) = residents(session, other, 1)
    manager = who(session, make_manager(session, house))
    other_manager = who(session, make_manager(session, other))
    boss = who(session, make_staff(session, StaffKind.management))
    admin = who(session, make_staff(session, StaffKind.admin))
    adviser = who(session, make_staff(session, StaffKind.housing_adviser))
    people = {
        "anonymous": None,
        "resident": resident,
        "outsider": outsider,
        "manager": manager,
        "other_manager": other_manager,
        "management": boss,
        "admin": admin,
        "adviser": adviser,
    }

    def allowed(predicate, *args):
        return {name for name, user in people.items() if predicate(user, *args)}

    assert allowed(policies.can_register_for_event, event) == {
        "resident",
        "manager",
        "management",
        "admin",
    }
    assert allowed(policies.can_register_for_event, company) == {
        "resident",
        "outsider",
        "management",
        "admin",
    }
    assert allowed(policies.can_cancel_registration, event, True) == set(people) - {"anonymous"}
    assert allowed(policies.can_cancel_registration, event, False) == allowed(
        policies.can_register_for_event, event
    )
    assert allowed(policies.can_view_attendees, event) == {"manager", "management", "admin"}
    assert allowed(policies.can_view_attendees, company) == {"management", "admin"}


def test_two_registrations_at_once_take_one_place(engine):
    """With the event's row locked, the second registration waits for the first and sees it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time; the row lock is PostgreSQL's")
    with Session(engine, expire_on_commit=False) as setup:
        people = [make_person(setup) for _ in range(2)]
        event = make_event(setup, capacity=1)
        setup.commit()
    ids = [p.id for p in people]
    first_in = threading.Event()
    release = threading.Event()
    statuses: dict[int, RegistrationStatus] = {}
    errors: list[BaseException] = []

    def attempt(person: Person, hold: bool) -> None:
        try:
            with Session(engine, expire_on_commit=False) as own:
                user = Principal(person=own.get(Person, person.id), resident_of={1})
                found = own.get(CalendarEvent, event.id)
                registration = service.register(own, found, user, 1)
                if hold:
                    first_in.set()
                    release.wait(10)
                own.commit()
                statuses[person.id] = registration.status
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
            first_in.set()

    try:
        one = threading.Thread(target=attempt, args=(people[0], True))
        one.start()
        assert first_in.wait(10)
        two = threading.Thread(target=attempt, args=(people[1], False))
        two.start()
        two.join(0.5)
        assert two.is_alive(), "the second registration did not wait for the lock"
        release.set()
        one.join(10)
        two.join(10)
        assert errors == []
        assert statuses == {
            ids[0]: RegistrationStatus.registered,
            ids[1]: RegistrationStatus.waiting,
        }
    finally:
        release.set()
        with Session(engine) as cleanup:
            cleanup.execute(delete(EventRegistration).where(EventRegistration.event_id == event.id))
            cleanup.execute(delete(AuditEntry).where(AuditEntry.entity == "event_registration"))
            cleanup.execute(delete(CalendarEvent).where(CalendarEvent.id == event.id))
            # The confirmations of registering, queued in the same transactions.
            mails = col(Delivery.message_key).startswith(f"event:{event.id}:")
            cleanup.execute(delete(Delivery).where(mails))
            cleanup.execute(delete(Person).where(Person.id.in_(ids)))  # type: ignore[union-attr]
            cleanup.commit()


def test_raising_the_capacity_moves_the_waiting_up(session, house):
    event = make_event(session, capacity=1)
    a, b, c = residents(session, house, 3)
    service.register(session, event, a, 1)
    second = service.register(session, event, b, 1)
    third = service.register(session, event, c, 1)
    event.capacity = 2
    session.add(event)
    session.flush()
    assert service.promote(session, event, None) == [second]
    assert third.status == RegistrationStatus.waiting
    assert service.waiting_position(session, third) == 1


def test_erasing_a_registered_person_moves_the_waiting_list_up(session, house):
    event = make_event(session, capacity=1)
    a, b = residents(session, house, 2)
    service.register(session, event, a, 1)
    waiting = service.register(session, event, b, 1)
    assert waiting.status == RegistrationStatus.waiting
    data_protection.erase(session, a.person, None)
    session.refresh(waiting)
    assert waiting.status == RegistrationStatus.registered
    assert service.places_left(session, event) == 0
    mails = session.exec(select(Delivery)).all()
    assert any(
        d.message_key.startswith(f"event:{event.id}:promoted:") and d.person_id == b.id
        for d in mails
    )
