"""The front page's tasks: minutes to record, houses without this year's resident meeting."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import i18n
from app.jinja import fmt_date
from app.models.meetings import ResidentMeeting
from app.models.people import StaffKind
from app.models.types import utcnow
from app.services.access.roles import load_principal
from app.services.overview import home as home_service
from tests.support import make_chair, make_house, make_manager, make_resident, make_staff

# The factories seat committees relative to the real today, so the tests run at the real now.
NOW = utcnow()
YEAR = NOW.astimezone(ZoneInfo("Europe/Helsinki")).year
# The last day whose invitation still gives the two weeks' notice for a meeting this year.
LAST_CALL = date(YEAR, 12, 17)


def no_meeting(house) -> str:
    """The task of a house without this year's resident meeting."""
    return (
        f"No resident meeting yet this year: {house.name}. Send the invitation by "
        f"{fmt_date(LAST_CALL)} at the latest."
    )


@pytest.fixture(autouse=True)
def english():
    """Messages and dates in English, whatever catalogues exist."""
    with i18n.use_language("en"):
        yield


def make_meeting(session, house, starts_at: datetime, **fields) -> ResidentMeeting:
    meeting = ResidentMeeting(
        house_id=house.id,
        starts_at=starts_at,
        place="Kerhohuone",
        invitation_on=(starts_at - timedelta(days=20)).date(),
        **fields,
    )
    session.add(meeting)
    session.flush()
    return meeting


def tasks_of(session, person):
    principal = load_principal(session, person, NOW.astimezone(ZoneInfo("Europe/Helsinki")).date())
    return [(t.text, t.url) for t in home_service.front_page(session, principal, NOW).tasks]


def test_manager_sees_houses_without_a_meeting_this_year(session):
    quiet = make_house(session, name="Hiljainen talo")
    active = make_house(session, name="Aktiivinen talo")
    last_year_only = make_house(session, name="Viimevuotinen talo")
    make_house(session, name="Someone else's house")
    manager = make_manager(session, quiet, active, last_year_only)
    make_meeting(session, active, datetime(YEAR, 3, 1, 16, tzinfo=UTC), minutes="Done")
    make_meeting(session, last_year_only, datetime(YEAR - 1, 9, 1, 16, tzinfo=UTC), minutes="Done")
    assert tasks_of(session, manager) == [
        (no_meeting(quiet), f"/houses/{quiet.id}/meetings/new"),
        (no_meeting(last_year_only), f"/houses/{last_year_only.id}/meetings/new"),
    ]
    principal = load_principal(session, manager, NOW.astimezone(ZoneInfo("Europe/Helsinki")).date())
    (first, _second) = home_service.front_page(session, principal, NOW).tasks
    assert first.due == LAST_CALL
    assert first.overdue == (NOW.astimezone(ZoneInfo("Europe/Helsinki")).date() > LAST_CALL)


def test_organisers_see_meetings_whose_minutes_are_missing(session):
    house = make_house(session, name="Koivukuja")
    chair = make_chair(session, house)
    held_at = datetime(YEAR - 1, 5, 20, 15, tzinfo=UTC)
    held = make_meeting(session, house, held_at)
    make_meeting(session, house, NOW + timedelta(days=20))
    expected = (
        f"Record the minutes of the resident meeting of Koivukuja on 20 May {YEAR - 1}",
        f"/meetings/{held.id}/minutes",
    )
    assert tasks_of(session, chair) == [expected]
    manager = make_manager(session, house)
    assert expected in tasks_of(session, manager)


def test_residents_and_staff_of_other_houses_have_no_such_tasks(session):
    house = make_house(session)
    make_meeting(session, house, NOW - timedelta(days=3))
    resident = make_resident(session, house)
    other_house = make_house(session)
    other_manager = make_manager(session, other_house)
    management = make_staff(session, StaffKind.management)
    assert tasks_of(session, resident) == []
    assert tasks_of(session, other_manager) == [
        (no_meeting(other_house), f"/houses/{other_house.id}/meetings/new")
    ]
    assert tasks_of(session, management) == []
