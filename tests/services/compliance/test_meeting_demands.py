"""Compliance: a house whose residents' demand for a meeting is due shows it as a problem until a
meeting is convened after it."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import i18n
from app.models.committees import Position
from app.models.demands import MeetingDemandCreate
from app.models.meetings import MeetingCreate, ResidentMeeting
from app.services.bodies import demands
from app.services.bodies import meetings as meetings_service
from app.services.compliance import status as compliance
from tests.support import make_committee, make_house, make_manager, make_resident

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = date(2031, 8, 10)
NOW = datetime.combine(TODAY, time(12), tzinfo=HELSINKI)


@pytest.fixture(autouse=True)
def english():
    with i18n.use_language("en"):
        yield


@pytest.fixture()
def demanded(session):
    """A house that held this year's meeting and has a committee in office, whose residents
    have since demanded another: three voters, so the first signature makes it due."""
    house = make_house(session, name="Aalto")
    chair, member, resident = (make_resident(session, house) for _ in range(3))
    make_committee(
        session,
        house,
        [(chair, Position.chair), (member, Position.member)],
        term_start=TODAY - timedelta(days=100),
    )
    manager = make_manager(session, house)
    session.add(
        ResidentMeeting(
            house_id=house.id,
            starts_at=NOW - timedelta(days=90),
            place="Kerhohuone",
            invitation_on=TODAY - timedelta(days=110),
        )
    )
    matter = MeetingDemandCreate(matter="Pihan valaistus ja sen kustannukset")
    demand = demands.start(session, house.id, matter, resident.id, TODAY, NOW)
    return house, demand, chair, member, resident, manager


def row_of(session, house):
    [row] = compliance.house_rows(session, TODAY.year, NOW, house_ids={house.id})
    return row


def test_the_due_demand_is_a_problem_until_a_meeting_is_convened(session, demanded):
    house, demand, chair, _member, _resident, _manager = demanded
    row = row_of(session, house)
    assert row.meeting == compliance.MEETING_HELD and row.term == compliance.TERM_OK
    assert row.problems == ["demand"] and row.demand.id == demand.id
    assert row_of(session, house).demand is not None  # whatever else the year shows
    [last_year] = compliance.house_rows(session, TODAY.year - 1, NOW, house_ids={house.id})
    assert "demand" in last_year.problems  # open today, whatever the year shown
    data = MeetingCreate(
        starts_at=datetime.combine(TODAY + timedelta(days=21), time(18)),
        place="Kerhohuone",
        invitation_on=TODAY,
    )
    meetings_service.create(session, house.id, data, chair.id, TODAY, NOW + timedelta(hours=1))
    assert row_of(session, house).problems == []


def test_problems_first_puts_the_demanding_house_first(session, demanded):
    house, *_rest = demanded
    quiet = make_house(session, name="Betula")
    make_committee(session, quiet, [], term_start=TODAY - timedelta(days=100))
    session.add(
        ResidentMeeting(
            house_id=quiet.id,
            starts_at=NOW - timedelta(days=30),
            place="Kerho",
            invitation_on=TODAY - timedelta(days=50),
        )
    )
    session.flush()
    rows = compliance.house_rows(session, TODAY.year, NOW, house_ids={house.id, quiet.id})
    assert [r.house.name for r in rows] == ["Aalto", "Betula"]
