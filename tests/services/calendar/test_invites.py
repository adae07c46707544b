"""Event mail carries what people expect: the organiser, a clickable join link for an online
event, and a calendar invitation (iCalendar attachment) whose UID stays with the event, whose
SEQUENCE grows when the event changes, REQUEST while it stands and CANCEL when it is called off;
registering is confirmed at once, and so is a place from the waiting list."""

from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import icalendar
import pytest

from app.models.calendar import Audience, Mode
from app.models.calendar_schemas import EventAdjust
from app.models.people import Language, StaffKind
from app.services.access.roles import load_principal
from app.services.calendar import event_mail, feeds
from app.services.calendar import events as calendar_service
from app.services.calendar import registrations as registrations_service
from app.services.mail import delivery as mail_service
from tests.support import make_house, make_person, make_resident, make_staff
from tests.support_calendar import make_event

HELSINKI = ZoneInfo("Europe/Helsinki")
DAY = date(2031, 10, 15)
STARTS = datetime.combine(DAY, time(18), tzinfo=HELSINKI)
BEFORE = STARTS - timedelta(days=30)
JOIN = "https://meet.example/room?id=1&pw=2"


def at(day: date, hour: int = 7) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=HELSINKI)


def invitation(message: EmailMessage) -> tuple[str, icalendar.cal.Component]:
    """The attached calendar invitation: the method its Content-Type names, and its VEVENT
    (the VCALENDAR's METHOD must agree with the Content-Type)."""
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_content())
    method = str(part.get_param("method"))
    assert str(calendar["METHOD"]) == method
    [vevent] = calendar.walk("VEVENT")
    return method, vevent


def has_invitation(message: EmailMessage) -> bool:
    return any(p.get_content_type() == "text/calendar" for p in message.iter_attachments())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def send(session, connection) -> None:
    session.commit()
    mail_service.send_pending(connection)


@pytest.fixture()
def world(session, settings, monkeypatch):
    monkeypatch.setattr(settings, "organisation_name", "Haso")
    monkeypatch.setattr(settings, "mail_from", "Asukasportaali <noreply@portaali.example>")
    monkeypatch.setattr(settings, "base_url", "https://portaali.example")
    house = make_house(session)
    english = make_resident(session, house, make_person(session, language=Language.en))
    finn = make_resident(session, house, make_person(session, language=Language.fi))
    event = make_event(
        session,
        starts_at=STARTS,
        audience=Audience.house_residents,
        house_id=house.id,
        mode=Mode.hybrid,
        link=JOIN,
        capacity=1,
        invitation_days=21,
        reminder_days=2,
    )
    management = load_principal(session, make_staff(session, StaffKind.management), DAY)
    return house, english, finn, event, management


def test_an_invitation_names_the_organiser_links_to_join_and_brings_the_event(
    session, connection, smtp, world
):
    _house, english, finn, event, _management = world
    event_mail.send_invitations(session, now=at(DAY - timedelta(days=21)))
    send(session, connection)
    [message] = smtp.to(english.email)

    method, vevent = invitation(message)
    assert method == "REQUEST"
    assert str(vevent["UID"]) == f"calendar-event-{event.id}@portaali.example"
    assert int(vevent["SEQUENCE"]) == event.version
    assert vevent.decoded("DTSTART") == STARTS
    assert str(vevent["SUMMARY"]) == event.title_en
    assert str(vevent["ORGANIZER"]) == "mailto:noreply@portaali.example"
    assert vevent["ORGANIZER"].params["CN"] == "Haso"
    assert str(vevent["ATTENDEE"]) == f"mailto:{english.email}"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    # The same event as its calendar file: a calendar program keeps one entry for both.
    published = icalendar.Calendar.from_ical(feeds.calendar_file([event], "en"))
    assert published.walk("VEVENT")[0]["UID"] == vevent["UID"]

    text = smtp.text_of(message)
    assert "Organiser: Haso" in text and JOIN in text
    assert f'<a href="{JOIN.replace("&", "&amp;")}">' in html_of(message)
    # Each reader's invitation is in their language and names them.
    [to_finn] = smtp.to(finn.email)
    _method, finnish = invitation(to_finn)
    assert str(finnish["SUMMARY"]) == event.title_fi
    assert str(finnish["ATTENDEE"]) == f"mailto:{finn.email}"


def test_a_changed_event_updates_and_a_cancelled_one_removes_the_calendar_entry(
    session, connection, smtp, world
):
    _house, english, _finn, event, management = world
    registrations_service.register(
        session, event, load_principal(session, english, DAY), 1, now=BEFORE
    )
    send(session, connection)
    [confirmation] = smtp.to(english.email)
    _method, first = invitation(confirmation)
    assert int(first["SEQUENCE"]) == event.version

    later = STARTS + timedelta(hours=1)
    change = EventAdjust(starts_at=later, place="Kerhohuone", link=JOIN, version=event.version)
    calendar_service.adjust_event(session, event, change, management)
    event_mail.send_reminders(session, now=at(DAY - timedelta(days=2)))
    send(session, connection)
    [_confirmation, reminder] = smtp.to(english.email)
    method, updated = invitation(reminder)
    assert method == "REQUEST" and updated["UID"] == first["UID"]
    assert int(updated["SEQUENCE"]) > int(first["SEQUENCE"])
    assert updated.decoded("DTSTART") == later
    assert updated["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"

    calendar_service.cancel_event(session, event, management)
    send(session, connection)
    [_confirmation, _reminder, cancellation] = smtp.to(english.email)
    method, cancelled = invitation(cancellation)
    assert method == "CANCEL" and cancelled["UID"] == first["UID"]
    assert int(cancelled["SEQUENCE"]) > int(updated["SEQUENCE"])
    assert str(cancelled["STATUS"]) == "CANCELLED"
    [attachment] = cancellation.iter_attachments()
    assert attachment.get_filename() == "cancel.ics"


def test_registering_is_confirmed_at_once_with_the_join_link_and_the_event(
    session, connection, smtp, world
):
    _house, english, finn, event, _management = world
    registration = registrations_service.register(
        session, event, load_principal(session, english, DAY), 1, now=BEFORE
    )
    waiting = registrations_service.register(
        session, event, load_principal(session, finn, DAY), 1, now=BEFORE
    )
    send(session, connection)

    [confirmation] = smtp.to(english.email)
    assert str(confirmation["Subject"]).startswith(f"Registration received: {event.title_en}")
    assert confirmation["Content-Language"] == "en"
    text = smtp.text_of(confirmation)
    assert "Your registration for" in text and JOIN in text and "Organiser: Haso" in text
    assert f'<a href="{JOIN.replace("&", "&amp;")}">' in html_of(confirmation)
    method, vevent = invitation(confirmation)
    assert method == "REQUEST"
    assert vevent.decoded("DTSTART") == STARTS
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"

    # The waiting list is confirmed too, with the place in the queue: no join link, no event.
    [on_the_list] = smtp.to(finn.email)
    assert registrations_service.waiting_position(session, waiting) == 1
    assert JOIN not in smtp.text_of(on_the_list) and not has_invitation(on_the_list)
    assert on_the_list["Content-Language"] == "fi"

    # A place from the waiting list comes with the join link and the event as well.
    registrations_service.cancel(session, event, load_principal(session, english, DAY), BEFORE)
    send(session, connection)
    [_on_the_list, promoted] = smtp.to(finn.email)
    assert JOIN in smtp.text_of(promoted)
    method, vevent = invitation(promoted)
    assert method == "REQUEST" and vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert registration.status.value == "cancelled"


def test_waiting_mail_states_the_place_in_the_queue(session, connection, smtp, world):
    house, english, _finn, event, _management = world
    first = make_resident(session, house)
    registrations_service.register(session, event, load_principal(session, first, DAY), 1, BEFORE)
    registrations_service.register(
        session, event, load_principal(session, english, DAY), 1, now=BEFORE
    )
    send(session, connection)
    [message] = smtp.to(english.email)
    assert str(message["Subject"]).startswith(f"On the waiting list: {event.title_en}")
    assert "waiting list, in place 1." in smtp.text_of(message)
