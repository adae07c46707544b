"""The iCalendar writer: escaping, folding, UTC times, parsed back by a real parser."""

from datetime import UTC, datetime, timedelta, timezone

import icalendar
import pytest

from app.services.platform import ics

START = datetime(2027, 3, 15, 16, 0, tzinfo=UTC)


def test_text_values_escape_backslash_semicolon_comma_and_newlines():
    assert ics.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_long_lines_are_folded_at_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "äö" * 60
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0]] + [p[1:] for p in parts[1:]]) == line


def test_short_lines_are_left_alone():
    assert ics.fold("SUMMARY:Foorumi") == "SUMMARY:Foorumi"


def test_times_need_a_zone_and_are_written_in_utc():
    helsinki_winter = timezone(timedelta(hours=2))
    assert ics.utc_stamp(datetime(2027, 1, 10, 18, 0, tzinfo=helsinki_winter)) == "20270110T160000Z"
    with pytest.raises(ValueError):
        ics.utc_stamp(datetime(2027, 1, 10, 18, 0))


def test_uid_names_the_portal_host(settings, monkeypatch):
    monkeypatch.setattr(settings, "base_url", "https://portaali.example.fi/")
    assert ics.uid("forum-session", 7) == "forum-session-7@portaali.example.fi"


def test_a_calendar_parses_back_with_every_field():
    description = "Etäyhteys: https://meet.example.com/x?a=1;b=2\nAsialista:\n1. Piha, valot"
    event = ics.Event(
        uid="forum-session-1@example.com",
        start=START,
        end=START + timedelta(hours=2),
        summary="Yhteistyöfoorumi; kevät, 2027",
        location="Haso, Sturenkatu 4",
        description=description,
        url="https://portaali.example.fi/forum/sessions/1",
        dtstamp=START - timedelta(days=10),
    )
    text = ics.calendar([event], name="Foorumi")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    parsed = icalendar.Calendar.from_ical(text)
    [vevent] = parsed.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Yhteistyöfoorumi; kevät, 2027"
    assert str(vevent["LOCATION"]) == "Haso, Sturenkatu 4"
    assert str(vevent["DESCRIPTION"]) == description
    assert str(vevent["URL"]) == "https://portaali.example.fi/forum/sessions/1"
    assert str(vevent["UID"]) == "forum-session-1@example.com"
    assert vevent.decoded("DTSTART") == START
    assert vevent.decoded("DTEND") == START + timedelta(hours=2)
    assert vevent.decoded("DTSTAMP") == START - timedelta(days=10)
    assert "DTSTART:20270315T160000Z" in text


def test_an_invitation_names_its_method_organiser_and_attendee():
    event = ics.Event(
        uid="calendar-event-3@example.com",
        start=START,
        end=START + timedelta(hours=2),
        summary="Turvallisuusilta",
        sequence=4,
        organizer=ics.Address('Haso; "Asukas", yhteistyö', "noreply@example.com"),
        attendees=[ics.Address("Virtanen, Aino", "aino@example.com", "ACCEPTED")],
    )
    text = ics.calendar([event], method=ics.REQUEST)
    parsed = icalendar.Calendar.from_ical(text)
    assert str(parsed["METHOD"]) == "REQUEST"
    [vevent] = parsed.walk("VEVENT")
    assert int(vevent["SEQUENCE"]) == 4
    assert str(vevent["ORGANIZER"]) == "mailto:noreply@example.com"
    # A name with ; , : or quotes stays one parameter value.
    assert vevent["ORGANIZER"].params["CN"] == "Haso; 'Asukas', yhteistyö"
    assert str(vevent["ATTENDEE"]) == "mailto:aino@example.com"
    assert vevent["ATTENDEE"].params["CN"] == "Virtanen, Aino"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert vevent["ATTENDEE"].params["RSVP"] == "FALSE"
    assert "METHOD:CANCEL" in ics.calendar([event], method=ics.CANCEL)
    assert "METHOD:PUBLISH" in ics.calendar([event])
    with pytest.raises(ValueError):
        ics.calendar([event], method="REPLY")
