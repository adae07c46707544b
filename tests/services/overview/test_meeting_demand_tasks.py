"""The front page's task for a residents' demand for a meeting: the house's committee and
property manager have it from the moment it is due until a meeting is convened."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import i18n
from app.models.committees import Position
from app.models.demands import MeetingDemandCreate
from app.models.meetings import MeetingCreate
from app.services.access.roles import load_principal
from app.services.bodies import demands
from app.services.bodies import meetings as meetings_service
from app.services.overview import tasks
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
    """Three voters (the first signature makes a demand due), two of them on the committee."""
    house = make_house(session, name="Aalto")
    chair, member, resident = (make_resident(session, house) for _ in range(3))
    make_committee(
        session,
        house,
        [(chair, Position.chair), (member, Position.member)],
        term_start=TODAY - timedelta(days=100),
    )
    manager = make_manager(session, house)
    matter = MeetingDemandCreate(matter="Pihan valaistus ja sen kustannukset")
    demand = demands.start(session, house.id, matter, resident.id, TODAY, NOW)
    return house, demand, chair, member, resident, manager


def demand_tasks(session, person):
    found = tasks.tasks(session, load_principal(session, person, TODAY), NOW)
    return [t for t in found if "demanded" in t.text]


def test_a_collecting_demand_is_nobodys_task_yet(session):
    house = make_house(session)
    people = [make_resident(session, house) for _ in range(11)]  # two signatures needed
    make_committee(session, house, [(people[0], Position.chair)], TODAY - timedelta(days=9))
    demands.start(session, house.id, MeetingDemandCreate(matter="Sauna"), people[1].id, TODAY)
    assert demand_tasks(session, people[0]) == []


def test_the_committee_and_the_manager_have_the_task_until_it_is_convened(session, demanded):
    house, demand, chair, member, resident, manager = demanded
    wanted = (
        "The residents of Aalto have demanded a resident meeting on “Pihan valaistus ja sen "
        "kustannukset” (10 Aug 2031): convene it without delay"
    )
    for person in (chair, member, manager):
        [task] = demand_tasks(session, person)
        assert task.text == wanted
        assert task.url == f"/houses/{house.id}/meetings/new"
        assert task.due == TODAY and not task.overdue
    assert demand_tasks(session, resident) == []
    data = MeetingCreate(
        starts_at=datetime.combine(TODAY + timedelta(days=21), time(18)),
        place="Kerhohuone",
        invitation_on=TODAY + timedelta(days=2),
    )
    meetings_service.create(session, house.id, data, manager.id, TODAY, NOW)
    assert demand_tasks(session, chair) == []
    assert demand.convened_meeting_id is not None
