"""Compliance: each house's meeting and committee term, the newsletters against the promises,
the year's check, and the predicates."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import policies
from app.errors import ValidationFailed
from app.models.committees import ResidentCommittee
from app.models.meetings import ResidentMeeting
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.models.people import Person, StaffKind
from app.services.access.roles import Principal
from app.services.compliance import status as compliance
from tests.support import fi, make_house

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = date(2031, 8, 10)
NOW = datetime.combine(TODAY, time(12), tzinfo=HELSINKI)


def at(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=HELSINKI)


def meeting(session, house, day: date) -> ResidentMeeting:
    row = ResidentMeeting(
        house_id=house.id, starts_at=at(day), place="Kerhohuone", invitation_on=day
    )
    session.add(row)
    session.flush()
    return row


def committee(session, house, start: date, end: date) -> ResidentCommittee:
    row = ResidentCommittee(house_id=house.id, term_start=start, term_end=end)
    session.add(row)
    session.flush()
    return row


def newsletter(session, kind, sent_at, status=NewsletterStatus.sent) -> Newsletter:
    row = Newsletter(kind=kind, title=f"{kind} {sent_at}", status=status, sent_at=sent_at)
    session.add(row)
    session.flush()
    return row


@pytest.fixture()
def houses(session):
    held = make_house(session, name="Aalto")
    planned = make_house(session, name="Betula")
    missing = make_house(session, name="Cedrus")
    bare = make_house(session, name="Dahlia")
    meeting(session, held, date(2031, 3, 20))
    meeting(session, held, date(2030, 3, 20))  # last year's does not count
    meeting(session, planned, date(2031, 10, 2))
    meeting(session, missing, date(2030, 11, 2))
    meeting(session, missing, date(2032, 1, 10))
    committee(session, held, date(2030, 4, 1), date(2032, 3, 31))  # in force
    committee(session, planned, date(2029, 10, 1), TODAY + timedelta(days=60))  # ends soon
    committee(session, missing, date(2029, 4, 1), date(2031, 3, 31))  # ended
    return {"held": held, "planned": planned, "missing": missing, "bare": bare}


def test_house_rows_show_meetings_and_terms(session, houses):
    rows = {r.house.name: r for r in compliance.house_rows(session, 2031, NOW, sort="name")}
    assert (rows["Aalto"].meeting, rows["Aalto"].meeting_at) == ("held", at(date(2031, 3, 20)))
    assert (rows["Betula"].meeting, rows["Betula"].meeting_at) == ("planned", at(date(2031, 10, 2)))
    assert rows["Cedrus"].meeting == "missing" and rows["Cedrus"].meeting_at is None
    assert [rows[n].term for n in ("Aalto", "Betula", "Cedrus", "Dahlia")] == [
        "ok",
        "ending",
        "ended",
        "none",
    ]
    assert rows["Aalto"].problems == []
    assert rows["Betula"].problems == ["term"]
    assert rows["Cedrus"].problems == ["meeting", "term"]
    # Last year, the planned house had not met either.
    last_year = {r.house.name: r for r in compliance.house_rows(session, 2030, NOW)}
    assert last_year["Aalto"].meeting == "held" and last_year["Betula"].meeting == "missing"


def test_problems_first_and_filters(session, houses):
    order = [r.house.name for r in compliance.house_rows(session, 2031, NOW)]
    # Most problems first; no committee at all weighs more than an ended term.
    assert order == ["Dahlia", "Cedrus", "Betula", "Aalto"]
    only = compliance.house_rows(session, 2031, NOW, sort="name", only_problems=True)
    assert [r.house.name for r in only] == ["Betula", "Cedrus", "Dahlia"]
    by_meeting = [r.meeting for r in compliance.house_rows(session, 2031, NOW, sort="meeting")]
    assert by_meeting == ["missing", "missing", "planned", "held"]
    mine = compliance.house_rows(session, 2031, NOW, house_ids={houses["planned"].id})
    assert [r.house.name for r in mine] == ["Betula"]
    assert compliance.house_rows(session, 2031, NOW, house_ids=set()) == []


def test_a_next_term_already_recorded_counts(session, houses):
    committee(session, houses["planned"], TODAY + timedelta(days=61), date(2033, 9, 30))
    [row] = compliance.house_rows(session, 2031, NOW, house_ids={houses["planned"].id})
    assert row.term == "ok"


def test_newsletters_against_the_promises(session):
    newsletter(session, NewsletterKind.residents, at(date(2031, 2, 1)))
    newsletter(session, NewsletterKind.residents, at(date(2030, 12, 1)))  # last year
    newsletter(session, NewsletterKind.residents, None, NewsletterStatus.draft)
    newsletter(session, NewsletterKind.chairs, at(date(2031, 1, 12)))
    newsletter(
        session,
        NewsletterKind.chairs,
        at(
            date(
                2031,
                3,
                31,
            ),
            23,
        ),
    )  # 31.3. 23:00 local
    newsletter(session, NewsletterKind.chairs, at(date(2031, 5, 5)), NewsletterStatus.scheduled)
    letters = compliance.newsletters(session, 2031, TODAY)
    assert len(letters.residents_sent) == 1
    assert letters.residents_expected == 2 and letters.residents_behind
    statuses = [m.status for m in letters.months]
    assert statuses[:3] == ["sent", "missing", "sent"]
    assert statuses[3:7] == ["missing"] * 4
    assert statuses[7] == "open"  # August, the current month
    assert statuses[8:] == ["coming"] * 4
    assert letters.missing_months == [2, 4, 5, 6, 7]
    assert compliance.newsletters(session, 2030, TODAY).residents_expected == 4
    assert compliance.newsletters(session, 2032, TODAY).residents_expected == 0


def test_quarters_passed():
    assert compliance.quarters_passed(2031, date(2031, 3, 31)) == 0
    assert compliance.quarters_passed(2031, date(2031, 4, 1)) == 1
    assert compliance.quarters_passed(2031, date(2031, 12, 31)) == 3


def test_year_check():
    assert compliance.check_year(None, TODAY) == 2031
    assert compliance.check_year(" 2029 ", TODAY) == 2029
    for bad in ("abc", "1999", "2033"):
        with pytest.raises(ValidationFailed) as caught:
            compliance.check_year(bad, TODAY)
        assert caught.value.errors == {
            "year": fi("Enter a year from %(first)s to %(last)s.", first=2000, last=2032)
        }


def test_predicates_and_visible_houses(session):
    house = make_house(session)

    def user(**roles) -> Principal:
        return Principal(person=Person(id=1, name="P", email="p@example.com"), **roles)

    people = {
        "anonymous": None,
        "resident": user(resident_of={house.id}),
        "chair": user(resident_of={house.id}, committee_of={house.id}, chair_of={house.id}),
        "manager": user(manager_of={house.id}, staff={StaffKind.property_manager}),
        "adviser": user(staff={StaffKind.housing_adviser}),
        "management": user(staff={StaffKind.management}),
        "admin": user(staff={StaffKind.admin}),
    }

    def allowed(predicate):
        return {name for name, u in people.items() if predicate(u)}

    assert allowed(policies.can_view_compliance) == {"manager", "management", "admin"}
    assert allowed(policies.can_view_company_compliance) == {"management", "admin"}
    assert compliance.visible_house_ids(people["manager"]) == {house.id}
    assert compliance.visible_house_ids(people["management"]) is None
