"""One calendar truth: a convened resident meeting takes over its house's placeholder, so the
calendar, the feed and the front page show the same day and place; newsletter slots are
management's editorial tasks, not events in residents' calendars."""

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import select

from app.models.calendar import Audience, CalendarEvent, EventKind
from app.models.meetings import MeetingCreate
from app.models.people import StaffKind
from app.models.types import local_date
from app.services.access.roles import load_principal
from app.services.bodies import meetings as meetings_service
from app.services.calendar import events as calendar_service
from app.services.calendar import feeds
from app.services.overview import home
from tests.support import make_chair, make_house, make_resident, make_staff

TODAY = date.today()


def _entry(session, house, starts_at, kind=EventKind.resident_meeting, **fields):
    values = {
        "kind": kind,
        "title_fi": "Asukaskokous",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "audience": Audience.house_residents,
        "house_id": house.id if house else None,
        "place": "Kerhohuone",
        "description_fi": "Henkilökunnalle: sovi päivä toimikunnan kanssa.",
    }
    values.update(fields)
    event = CalendarEvent(**values)
    session.add(event)
    session.flush()
    return event


def test_a_convened_meeting_takes_over_its_houses_placeholder_everywhere(session):
    house = make_house(session)
    chair = make_chair(session, house)
    resident = make_resident(session, house)
    year = TODAY.year + 1
    placeholder = _entry(session, house, datetime(year, 4, 20, 15, 0, tzinfo=UTC))
    elsewhere = _entry(session, make_house(session), datetime(year, 4, 20, 15, 0, tzinfo=UTC))
    day = date(year, 1, 13)
    meeting = meetings_service.create(
        session,
        house.id,
        MeetingCreate(
            starts_at=datetime.combine(day, time(18, 0)),
            place="Yhteistila",
            remote_link="https://meet.example.org/asukaskokous",
            invitation_on=TODAY,
            agenda="1. Kokouksen avaus",
        ),
        chair.id,
        TODAY,
    )
    assert meeting.calendar_event_id == placeholder.id
    session.refresh(placeholder)
    assert placeholder.starts_at == meeting.starts_at
    assert local_date(placeholder.starts_at) == day
    assert placeholder.place == "Yhteistila"
    assert placeholder.link == "https://meet.example.org/asukaskokous"
    assert "Henkilökunnalle" not in placeholder.description_fi  # the organisers' note is gone
    assert placeholder.invitation_sent_at is not None  # the meeting sends the invitation
    assert elsewhere.starts_at.month == 4  # another house's placeholder is left alone

    # The resident's calendar, feed and front page all show one meeting, on its day.
    user = load_principal(session, resident, TODAY)
    shown = [
        e
        for e in calendar_service.upcoming(session, user, months=24)
        if e.kind == EventKind.resident_meeting
    ]
    assert [e.id for e in shown] == [placeholder.id]
    ics = feeds.calendar_file(shown, "fi")
    assert f"DTSTART:{meeting.starts_at.strftime('%Y%m%dT%H%M%SZ')}" in ics
    assert "Yhteistila" in ics
    front = home.front_page(session, user)
    assert [m.id for m, _house in front.upcoming_meetings] == [meeting.id]


def test_a_meeting_without_a_placeholder_gets_its_own_entry(session):
    house = make_house(session)
    chair = make_chair(session, house)
    day = TODAY + timedelta(days=40)
    meeting = meetings_service.create(
        session,
        house.id,
        MeetingCreate(
            starts_at=datetime.combine(day, time(18, 0)),
            place="Kerhohuone",
            invitation_on=TODAY,
        ),
        chair.id,
        TODAY,
    )
    event = session.get(CalendarEvent, meeting.calendar_event_id)
    assert event is not None and event.kind == EventKind.resident_meeting
    assert event.house_id == house.id and event.audience == Audience.house_residents
    assert event.starts_at == meeting.starts_at and event.place == "Kerhohuone"


def test_newsletter_slots_are_managements_tasks_not_residents_events(session):
    house = make_house(session)
    resident = make_resident(session, house)
    chair = make_chair(session, house)
    director = make_staff(session, StaffKind.management)
    soon = datetime.combine(TODAY + timedelta(days=5), time(9), tzinfo=UTC)
    slot = _entry(
        session,
        None,
        soon,
        kind=EventKind.residents_newsletter,
        audience=Audience.all_residents,
        title_fi="Asukkaiden uutiskirje",
    )
    chairs_slot = _entry(
        session,
        None,
        soon,
        kind=EventKind.chairs_newsletter,
        audience=Audience.all_chairs,
        title_fi="Puheenjohtajaposti",
    )
    for person in (resident, chair):
        user = load_principal(session, person, TODAY)
        ids = {e.id for e in calendar_service.upcoming(session, user)}
        assert slot.id not in ids and chairs_slot.id not in ids
        visible = session.exec(select(CalendarEvent.id).where(calendar_service.visible(user)))
        assert slot.id not in set(visible)
    editor = load_principal(session, director, TODAY)
    ids = {e.id for e in calendar_service.upcoming(session, editor)}
    assert {slot.id, chairs_slot.id} <= ids


def test_an_election_and_a_budget_deadline_show_in_the_calendar_from_their_records(session):
    from app.models.ballots import ElectionCreate
    from app.services.ballots import elections as elections_service
    from app.services.finances import budget_cycle

    house = make_house(session)
    chair = make_chair(session, house)
    resident = make_resident(session, house)
    director = make_staff(session, StaffKind.management)
    election, _key = elections_service.create_election(
        session,
        ElectionCreate(
            title="Haso-yte 2028",
            nomination_opens_on=TODAY + timedelta(days=5),
            nomination_closes_on=TODAY + timedelta(days=15),
            voting_opens_on=TODAY + timedelta(days=20),
            voting_closes_on=TODAY + timedelta(days=22),
        ),
        director.id,
    )
    year = TODAY.year + 1
    (cycle,) = [
        c for c in budget_cycle.start(session, year, director.id, TODAY) if c.house_id == house.id
    ]
    chair_user = load_principal(session, chair, TODAY)
    entries = {e.source: e for e in calendar_service.upcoming(session, chair_user, months=24)}
    voting = entries[f"election:{election.id}:voting"]
    assert local_date(voting.starts_at) == election.voting_opens_on
    assert local_date(voting.ends_at - timedelta(seconds=1)) == election.voting_closes_on
    assert f"election:{election.id}:nomination" in entries
    statement = session.exec(
        select(CalendarEvent).where(
            CalendarEvent.source == f"budget-cycle:{cycle.id}:statement",
            calendar_service.visible(chair_user),
        )
    ).one()
    assert local_date(statement.starts_at) == cycle.statement_due
    # A resident who is not on the committee sees neither the chairs' election nor the deadline.
    resident_user = load_principal(session, resident, TODAY)
    sources = {e.source for e in calendar_service.upcoming(session, resident_user, months=24)}
    assert not {s for s in sources if s and (s.startswith("election:") or "budget" in s)}
    # Such entries are never invited to by the calendar: their records mail for themselves.
    assert voting.invitation_sent_at is not None and voting.reminders_sent_at is not None
    assert elections_service.election_events(session, TODAY) == []
