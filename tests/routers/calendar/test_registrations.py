"""Registration pages: register and cancel from the event page, errors shown on it, the
attendee list and its CSV for the organiser, and the panel the event page includes."""

import csv
import io
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app.jinja import env
from app.models.calendar import Audience, EventRegistration, RegistrationStatus
from app.models.mail import Delivery
from app.models.people import StaffKind
from app.models.types import utcnow
from app.services.access.roles import load_principal
from app.services.calendar import registrations as registrations_service
from tests.support import fi, make_house, make_manager, make_resident, make_staff
from tests.support_calendar import make_event


@pytest.fixture()
def world(session):
    house = make_house(session, name="Koivukuja")
    people = SimpleNamespace(
        first=make_resident(session, house),
        second=make_resident(session, house),
        outsider=make_resident(session, make_house(session)),
        manager=make_manager(session, house),
        other_manager=make_manager(session, make_house(session)),
        management=make_staff(session, StaffKind.management),
    )
    event = make_event(session, capacity=1, audience=Audience.house_residents, house_id=house.id)
    session.commit()
    return SimpleNamespace(house=house, event=event, **vars(people))


def as_user(client, session, person):
    client.cookies.clear()
    client.login_as(session, person)


def back(event, query: str) -> str:
    return f"/calendar/events/{event.id}?{query}#registration"


def status_of(session, event, person):
    found = registrations_service.registration_of(session, event.id, person.id)
    return found.status if found else None


def test_register_then_waiting_list_then_cancel_moves_up(client, session, world):
    event = world.event
    as_user(client, session, world.first)
    answer = client.submit(f"/calendar/events/{event.id}/register", {"participants": "1"})
    assert answer.status_code == 303
    assert answer.headers["location"] == back(event, "registration=registered")
    assert status_of(session, event, world.first) == RegistrationStatus.registered

    as_user(client, session, world.second)
    answer = client.submit(f"/calendar/events/{event.id}/register", {"participants": "1"})
    assert answer.headers["location"] == back(event, "registration=waiting")

    as_user(client, session, world.first)
    answer = client.submit(f"/calendar/events/{event.id}/unregister")
    assert answer.headers["location"] == back(event, "registration=cancelled")
    assert status_of(session, event, world.first) == RegistrationStatus.cancelled
    assert status_of(session, event, world.second) == RegistrationStatus.registered
    mails = session.exec(
        select(Delivery).where(Delivery.recipient == world.second.email).order_by(Delivery.id)
    ).all()
    keys = [d.message_key.split(":")[2] for d in mails]
    assert keys == ["registered", "promoted"]  # on the waiting list, then a place


def test_errors_come_back_as_codes_and_nothing_is_saved(client, session, world):
    event = world.event
    as_user(client, session, world.first)
    answer = client.submit(f"/calendar/events/{event.id}/register", {"participants": "7"})
    assert answer.headers["location"] == back(event, "registration_error=participants")
    answer = client.submit(f"/calendar/events/{event.id}/unregister")
    assert answer.headers["location"] == back(event, "registration_error=none")
    client.submit(f"/calendar/events/{event.id}/register")
    answer = client.submit(f"/calendar/events/{event.id}/register")
    assert answer.headers["location"] == back(event, "registration_error=registered")
    cancelled = make_event(session, audience=Audience.all_residents, cancelled_at=utcnow())
    session.commit()
    answer = client.submit(f"/calendar/events/{cancelled.id}/register")
    assert answer.headers["location"] == back(cancelled, "registration_error=cancelled")
    rows = session.exec(select(EventRegistration)).all()
    assert [(r.person_id, r.event_id) for r in rows] == [(world.first.id, event.id)]


def test_outside_the_audience_and_anonymous_are_refused(client, session, world):
    event = world.event
    as_user(client, session, world.outsider)
    assert client.submit(f"/calendar/events/{event.id}/register").status_code == 404
    assert client.submit(f"/calendar/events/{event.id}/unregister").status_code == 404
    assert client.get(f"/calendar/events/{event.id}/attendees").status_code == 404
    assert client.submit("/calendar/events/999999/register").status_code == 404
    client.cookies.clear()
    answer = client.submit(f"/calendar/events/{event.id}/register")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert session.exec(select(EventRegistration)).all() == []


def test_a_registrant_who_moved_away_can_still_cancel(client, session, world):
    event = make_event(session, audience=Audience.all_residents)
    person = make_resident(session, make_house(session), ends_on=date.today() + timedelta(1))
    registrations_service.register(session, event, load_principal(session, person, date.today()))
    session.commit()
    as_user(client, session, person)
    assert client.submit(f"/calendar/events/{event.id}/unregister").status_code == 303
    assert status_of(session, event, person) == RegistrationStatus.cancelled


def test_attendee_list_for_the_organiser(client, session, world):
    event = world.event
    for person in (world.first, world.second):
        principal = load_principal(session, person, date.today())
        registrations_service.register(session, event, principal, 1)
    session.commit()
    for organiser in (world.manager, world.management):
        as_user(client, session, organiser)
        page = client.get(f"/calendar/events/{event.id}/attendees")
        assert page.status_code == 200
        assert world.first.name in page.text and world.second.name in page.text
        assert page.text.count("<h1") == 1
        assert fi("Waiting list") in page.text
    as_user(client, session, world.first)
    assert client.get(f"/calendar/events/{event.id}/attendees").status_code == 403
    assert client.get(f"/calendar/events/{event.id}/attendees.csv").status_code == 403
    as_user(client, session, world.other_manager)
    assert client.get(f"/calendar/events/{event.id}/attendees").status_code == 404


def test_attendee_csv(client, session, world):
    event = world.event
    registrations_service.register(
        session, event, load_principal(session, world.first, date.today()), 1
    )
    session.commit()
    as_user(client, session, world.manager)
    answer = client.get(f"/calendar/events/{event.id}/attendees.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    body = answer.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0][:3] == [fi("Name"), fi("Email"), fi("Status")]
    assert rows[1][:4] == [world.first.name, world.first.email, fi("Registered"), "1"]


def panel_html(session, event, person, query=None) -> str:
    """The partial as the event page includes it."""
    user = load_principal(session, person, date.today()) if person is not None else None
    request = SimpleNamespace(query_params=query or {})
    template = env.get_template("calendar/_registration.html")
    return template.render(event=event, user=user, request=request, csrf_token="t")


def test_the_panel_shows_status_position_and_places(session, world):
    event = world.event
    html = panel_html(session, event, world.first)
    assert f'action="/calendar/events/{event.id}/register"' in html
    assert fi("Register") in html and 'name="participants"' in html
    for person in (world.first, world.second):
        principal = load_principal(session, person, date.today())
        registrations_service.register(session, event, principal, 1)
    first = panel_html(session, event, world.first)
    assert fi("Cancel my registration") in first and "/register" not in first
    second = panel_html(session, event, world.second)
    assert fi("place %(position)s in the queue", position=1) in second
    assert fi("Leave the waiting list") in second
    assert fi("full") in second
    assert fi("Attendee list") not in second
    assert fi("Attendee list") in panel_html(session, event, world.manager)


def test_the_panel_ties_errors_to_the_field_and_says_why(session, world):
    event = world.event
    html = panel_html(session, event, world.first, {"registration_error": "participants"})
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="error-participants help-participants"' in html
    message = fi("Enter a number of participants from 1 to %(most)s, yourself included.", most=5)
    assert message in html
    html = panel_html(session, event, world.first, {"registration_error": "started"})
    assert 'role="alert"' in html
    assert fi("The event has already begun: registrations are closed.") in html
    html = panel_html(session, event, world.first, {"registration": "waiting"})
    assert fi("The event is full: you are on the waiting list.") in html


def test_the_panel_is_silent_without_registration_and_says_when_closed(session, world):
    plain = make_event(session, registration=False)
    assert panel_html(session, plain, world.first).strip() == ""
    cancelled = make_event(session, cancelled_at=utcnow())
    html = panel_html(session, cancelled, world.first)
    assert fi("The event has been cancelled.") in html and "/register" not in html


def test_the_event_page_includes_the_panel(client, session, world):
    as_user(client, session, world.first)
    answer = client.submit(f"/calendar/events/{world.event.id}/register")
    page = client.get(answer.headers["location"].split("#")[0])
    assert page.status_code == 200
    assert 'id="registration"' in page.text
    assert fi("You have registered. Welcome!") in page.text


def test_registering_mails_a_confirmation_at_once_and_the_page_shows_the_join_link(
    client, session, smtp, world
):
    link = "https://meet.example/asukasilta"
    event = make_event(
        session, audience=Audience.house_residents, house_id=world.house.id, link=link
    )
    session.commit()
    as_user(client, session, world.first)
    answer = client.submit(f"/calendar/events/{event.id}/register", {"participants": "2"})
    assert answer.headers["location"] == back(event, "registration=registered")
    # Sent in the answer's background task, through the real SMTP server.
    [message] = smtp.to(world.first.email)
    assert event.title_fi in str(message["Subject"])
    assert link in smtp.text_of(message)
    [ics] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert ics.get_param("method") == "REQUEST"

    page = client.get(answer.headers["location"])
    panel = page.text[page.text.index('id="registration"') :]
    assert f'<a href="{link}"' in panel
    # Someone not registered sees the panel without it.
    as_user(client, session, world.second)
    page = client.get(f"/calendar/events/{event.id}")
    assert f'<a href="{link}"' not in page.text[page.text.index('id="registration"') :]
