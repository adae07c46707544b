"""Participation profile pages per role and per house: charts with tables, missing kinds, years."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.deps import today
from app.models.committees import Position
from app.models.houses import House
from app.models.initiatives import State
from app.models.meetings import ResidentMeeting
from app.models.participation import PARTICIPATION, Participation
from app.models.people import Person, StaffKind
from tests.support import (
    api_headers,
    fi,
    make_committee,
    make_house,
    make_initiative,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)

P = Participation
YEAR = 2024


def name(kind: Participation) -> str:
    """A kind's name as the (Finnish) page shows it."""
    return PARTICIPATION[kind].fi


@dataclass
class World:
    koivu: House
    vaahtera: House
    puisto: House
    chair: Person
    resident: Person
    manager: Person
    management: Person


def meeting(session, house, when: datetime) -> None:
    session.add(
        ResidentMeeting(
            house_id=house.id,
            starts_at=when,
            place="Kerhohuone",
            invitation_on=(when - timedelta(days=20)).date(),
        )
    )
    session.flush()


@pytest.fixture()
def world(session) -> World:
    koivu = make_house(session, name="Koivukuja", district="Kallio")
    vaahtera = make_house(session, name="Vaahterakuja", district="Kallio")
    puisto = make_house(session, name="Puistotie", district="Vuosaari")
    chair = make_resident(session, koivu)
    make_committee(session, koivu, [(chair, Position.chair)])
    resident = make_resident(session, koivu)
    for house in (vaahtera, puisto):
        make_resident(session, house)
    manager = make_manager(session, koivu, puisto)
    management = make_staff(session, StaffKind.management)
    # 2024: Koivukuja had a meeting and an evaluation initiative; Vaahterakuja two meetings.
    meeting(session, koivu, datetime(YEAR, 3, 5, 16, tzinfo=UTC))
    meeting(session, vaahtera, datetime(YEAR, 3, 6, 16, tzinfo=UTC))
    meeting(session, vaahtera, datetime(YEAR, 9, 6, 16, tzinfo=UTC))
    make_initiative(
        session,
        chair,
        koivu,
        state=State.submitted,
        submitted_at=datetime(YEAR, 2, 1, tzinfo=UTC),
        participation=P.evaluation,
    )
    session.commit()
    return World(koivu, vaahtera, puisto, chair, resident, manager, management)


def test_management_sees_every_house_side_by_side(client, session, world):
    client.login_as(session, world.management)
    page = client.get(f"/participation-profile?year={YEAR}")
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1
    assert fi("Participation profile of the company") in html
    assert fi("Houses side by side") in html
    for house in ("Koivukuja", "Vaahterakuja", "Puistotie"):
        assert f'/participation-profile?year={YEAR}">{house}</a>' in html
    # The chart and its table; the company totals: 3 meetings (decision), 1 evaluation.
    assert 'role="img"' in html and '<caption id="profile-chart-caption">' in html
    assert '<td class="number">3</td>' in html
    # Puistotie had nothing: every kind is named as missing, in words.
    assert fi("Missing:") in html
    assert fi("%(kind)s: none in %(year)s.", kind=name(P.planning), year=YEAR) in html
    assert fi("%(kind)s: none in %(year)s.", kind=name(P.decision), year=YEAR) not in html


def test_the_side_by_side_table_sorts_by_a_query_parameter(client, session, world):
    client.login_as(session, world.management)

    def order(sort: str) -> list[str]:
        html = client.get(f"/participation-profile?year={YEAR}&sort={sort}").text
        body = html[html.index("profile-houses") :]
        names = ["Koivukuja", "Vaahterakuja", "Puistotie"]
        return sorted(names, key=body.index)

    assert order("name") == ["Koivukuja", "Puistotie", "Vaahterakuja"]
    assert order("decision") == ["Vaahterakuja", "Koivukuja", "Puistotie"]
    assert order("evaluation")[0] == "Koivukuja"
    assert order("missing")[0] == "Puistotie"
    html = client.get(f"/participation-profile?year={YEAR}&sort=decision").text
    assert 'aria-sort="descending"' in html


def test_the_district_filter_limits_the_houses_and_totals(client, session, world):
    client.login_as(session, world.management)
    html = client.get(f"/participation-profile?year={YEAR}&district=Vuosaari").text
    table = html[html.index("profile-houses") :]
    assert "Puistotie" in table and "Koivukuja" not in table
    assert "district=Vuosaari" in table  # sorting keeps the district
    bad = client.get(f"/participation-profile?year={YEAR}&district=Atlantis")
    assert bad.status_code == 422
    assert 'id="field-district"' in bad.text and 'aria-invalid="true"' in bad.text


@pytest.mark.parametrize(
    ("year", "message", "params"),
    [
        ("abc", "Enter a whole number.", {}),
        ("1999", "Enter a value of at least %(n)s.", {"n": 2000}),
        ("9999", "Enter a value of at most %(n)s.", {"n": today().year + 1}),
    ],
)
def test_a_bad_year_is_a_field_error_on_both_pages(client, session, world, year, message, params):
    client.login_as(session, world.management)
    for url in ("/participation-profile", f"/houses/{world.koivu.id}/participation-profile"):
        page = client.get(f"{url}?year={year}")
        assert page.status_code == 422, url
        assert (
            f'<span class="hds-text-input__error-text" id="error-year">{fi(message, **params)}'
            in (page.text)
        )
        assert 'href="#field-year"' in page.text  # the error summary points at the field
        assert 'role="img"' not in page.text  # no chart for a year that is not one


def test_the_year_defaults_to_this_year(client, session, world):
    client.login_as(session, world.chair)
    html = client.get(f"/houses/{world.koivu.id}/participation-profile").text
    this_year = today().year
    assert f'<option value="{this_year}" selected>' in html
    assert fi("%(kind)s: none this year.", kind=name(P.planning)) in html


def test_the_chair_is_sent_to_the_house_and_sees_it_against_the_average(client, session, world):
    client.login_as(session, world.chair)
    landing = client.get(f"/participation-profile?year={YEAR}")
    assert landing.status_code == 303
    assert landing.headers["location"] == (
        f"/houses/{world.koivu.id}/participation-profile?year={YEAR}"
    )
    page = client.get(landing.headers["location"])
    assert page.status_code == 200
    html = page.text
    assert fi("Participation profile: %(house)s", house="Koivukuja") in html
    assert fi("Company average per house") in html
    # Three inhabited houses, three meetings: 1.0 per house; Koivukuja had 1.
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert ">1,0</text>" in svg or ">1.0</text>" in svg
    assert fi("%(kind)s: none in %(year)s.", kind=name(P.initiative), year=YEAR) in html
    assert fi("%(kind)s: none in %(year)s.", kind=name(P.evaluation), year=YEAR) not in html
    assert "Vaahterakuja" not in html  # no other house by name
    assert fi("Houses side by side") not in html


def test_a_manager_of_two_houses_reaches_both(client, session, world):
    client.login_as(session, world.manager)
    landing = client.get("/participation-profile")
    assert landing.status_code == 303
    first = client.get(landing.headers["location"])
    assert first.status_code == 200
    assert fi("Your other houses") in first.text
    other = (
        world.puisto if f"/houses/{world.koivu.id}/" in landing.headers["location"] else world.koivu
    )
    assert f"/houses/{other.id}/participation-profile" in first.text
    assert client.get(f"/houses/{world.vaahtera.id}/participation-profile").status_code == 403


def test_residents_and_others_are_refused(client, session, world):
    client.login_as(session, world.resident)
    assert client.get("/participation-profile").status_code == 403
    assert client.get(f"/houses/{world.koivu.id}/participation-profile").status_code == 403
    client.login_as(session, world.chair)
    assert client.get(f"/houses/{world.vaahtera.id}/participation-profile").status_code == 403
    assert client.get("/houses/999999/participation-profile").status_code == 404


def test_anonymous_visitors_go_to_the_login_page(client, world):
    page = client.get("/participation-profile")
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")


def test_a_district_too_small_to_hide_its_houses_is_refused_to_haso_yte(
    client, session, world, settings, monkeypatch
):
    monkeypatch.setattr(settings, "min_comparison_houses", 2)
    yte = make_resident(session, world.puisto)
    make_yte_term(session, [(yte, world.puisto)])
    session.commit()
    url = "/api/v1/participation-profile"
    headers = api_headers(session, yte)
    # Vuosaari has one house: its profile would be Puistotie's own.
    small = client.get(url, params={"year": YEAR, "district": "Vuosaari"}, headers=headers)
    assert small.status_code == 422
    reason = fi("Too few houses to compare: a district needs at least %(n)s.", n=2)
    assert small.json()["detail"] == [{"field": "district", "reason": reason}]
    kallio = client.get(url, params={"year": YEAR, "district": "Kallio"}, headers=headers)
    assert kallio.status_code == 200
    # Management may see every house, so the smallest district is theirs to see.
    headers = api_headers(session, world.management)
    whole = client.get(url, params={"year": YEAR, "district": "Vuosaari"}, headers=headers)
    assert whole.status_code == 200
    client.login_as(session, world.management)
    page = client.get(f"/participation-profile?year={YEAR}&district=Vuosaari")
    assert page.status_code == 200
