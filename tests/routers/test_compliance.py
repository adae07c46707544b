"""The compliance page: management sees every house and the newsletters, a property manager
only their own houses; the year's choice, sorting, the problem filter, accessible markers."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.models.meetings import ResidentMeeting
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.models.people import StaffKind
from tests.support import (
    fi,
    make_committee,
    make_house,
    make_manager,
    make_resident,
    make_staff,
)

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture()
def world(session):
    today = date.today()
    met = make_house(session, name="Aallokko")
    quiet = make_house(session, name="Bulevardi")
    other = make_house(session, name="Kuusikko")
    manager = make_manager(session, met, quiet)
    make_manager(session, other)
    session.add(
        ResidentMeeting(
            house_id=met.id,
            starts_at=datetime.combine(date(today.year, 1, 1), time(12), tzinfo=HELSINKI),
            place="Kerho",
            invitation_on=date(today.year - 1, 12, 1),
        )
    )
    make_committee(session, met, [], today - timedelta(days=30))
    session.add(
        Newsletter(
            kind=NewsletterKind.chairs,
            title="Puheenjohtajaposti",
            status=NewsletterStatus.sent,
            sent_at=datetime.combine(date(today.year, 1, 15), time(9), tzinfo=HELSINKI),
        )
    )
    session.flush()
    boss = make_staff(session, StaffKind.management)
    session.commit()
    return {"met": met, "quiet": quiet, "other": other, "manager": manager, "boss": boss}


def rows_in(html: str) -> list[str]:
    """House names in the table's order."""
    names = ["Aallokko", "Bulevardi", "Kuusikko"]
    return sorted((n for n in names if n in html), key=html.index)


def test_management_sees_every_house_problems_first_and_the_newsletters(client, session, world):
    client.login_as(session, world["boss"])
    page = client.get("/compliance")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert rows_in(page.text) == ["Bulevardi", "Kuusikko", "Aallokko"]
    assert fi("Not held") in page.text and fi("Held") in page.text
    assert fi("No resident committee") in page.text
    assert world["manager"].name in page.text
    assert fi("Chairs' newsletter (Puheenjohtajaposti)") in page.text
    assert '<caption id="compliance-houses-caption">' in page.text and 'scope="col"' in page.text
    # The table scrolls sideways in a region of its own, named by its caption.
    assert 'role="region" tabindex="0" aria-labelledby="compliance-houses-caption"' in page.text
    # Not by colour alone: each status is written out, the marks are hidden from readers.
    assert '<span aria-hidden="true">✗ </span>' in page.text


def test_sorting_and_the_problem_filter(client, session, world):
    client.login_as(session, world["boss"])
    page = client.get("/compliance?sort=name")
    assert rows_in(page.text) == ["Aallokko", "Bulevardi", "Kuusikko"]
    assert 'aria-sort="ascending"' in page.text
    only = client.get("/compliance?sort=name&problems=1")
    body = only.text.split('id="houses-title"')[1]
    assert "Aallokko" not in body.split("</table>")[0]
    assert "Bulevardi" in body
    assert client.get("/compliance?sort=nonsense").status_code == 200


def test_a_property_manager_sees_only_their_houses(client, session, world):
    client.login_as(session, world["manager"])
    page = client.get("/compliance")
    assert page.status_code == 200
    assert "Aallokko" in page.text and "Bulevardi" in page.text
    assert "Kuusikko" not in page.text
    assert 'id="letters-title"' not in page.text  # the company's newsletters are not theirs


def test_a_bad_year_is_an_error_on_the_field(client, session, world):
    client.login_as(session, world["boss"])
    page = client.get("/compliance?year=1700")
    assert page.status_code == 422
    assert 'id="error-year"' in page.text and 'aria-invalid="true"' in page.text
    last = date.today().year + 1
    assert fi("Enter a year from %(first)s to %(last)s.", first=2000, last=last) in page.text
    earlier = client.get(f"/compliance?year={date.today().year - 1}")
    assert earlier.status_code == 200
    assert "Aallokko" in earlier.text


def test_residents_and_advisers_are_refused(client, session, world):
    resident = make_resident(session, world["met"])
    adviser = make_staff(session, StaffKind.housing_adviser)
    session.commit()
    for person in (resident, adviser):
        client.cookies.clear()
        client.login_as(session, person)
        assert client.get("/compliance").status_code == 403
