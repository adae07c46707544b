"""The participation profile API: per house, per district, company-wide; per role and scope."""

from datetime import UTC, datetime, timedelta

import pytest

from app.deps import today
from app.models.committees import Position
from app.models.initiatives import State
from app.models.meetings import ResidentMeeting
from app.models.people import StaffKind
from tests.support import (
    api_headers,
    make_committee,
    make_house,
    make_initiative,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)

YEAR = 2024
URL = "/api/v1/participation-profile"
EN = {"Accept-Language": "en"}


@pytest.fixture()
def world(session):
    koivu = make_house(session, name="Koivukuja", district="Kallio")
    vaahtera = make_house(session, name="Vaahterakuja", district="Vuosaari")
    chair = make_resident(session, koivu)
    make_committee(session, koivu, [(chair, Position.chair)])
    resident = make_resident(session, koivu)
    yte = make_resident(session, vaahtera)
    make_committee(session, vaahtera, [(yte, Position.chair)])
    make_yte_term(session, [(yte, vaahtera)])
    manager = make_manager(session, vaahtera)
    management = make_staff(session, StaffKind.management)
    for house, day in ((koivu, 5), (vaahtera, 6), (vaahtera, 7)):
        when = datetime(YEAR, 3, day, 16, tzinfo=UTC)
        session.add(
            ResidentMeeting(
                house_id=house.id,
                starts_at=when,
                place="Kerhohuone",
                invitation_on=(when - timedelta(days=20)).date(),
            )
        )
    make_initiative(
        session, yte, None, state=State.received, submitted_at=datetime(YEAR, 4, 1, tzinfo=UTC)
    )
    session.commit()
    return {
        "koivu": koivu,
        "vaahtera": vaahtera,
        "chair": chair,
        "resident": resident,
        "yte": yte,
        "manager": manager,
        "management": management,
    }


def test_management_reads_company_totals_and_every_house(client, session, world):
    headers = api_headers(session, world["management"])
    body = client.get(URL, params={"year": YEAR}, headers=headers).json()
    assert body["level"] == "company" and body["year"] == YEAR
    assert body["counts"]["decision"] == 3
    assert body["counts"]["initiative"] == 1  # the company initiative
    assert body["by_source"]["forum_agenda_items"]["planning"] == 0
    assert body["by_source"]["initiatives"]["initiative"] == 1
    assert body["missing"] == ["planning", "implementation", "evaluation", "information"]
    assert body["total"] == 4
    houses = {h["name"]: h for h in body["houses"]}
    assert houses["Vaahterakuja"]["counts"]["decision"] == 2
    assert houses["Koivukuja"]["counts"]["initiative"] == 0  # company level is no house's
    assert body["company_average_per_house"] is None


def test_a_district_counts_its_houses(client, session, world):
    headers = api_headers(session, world["management"])
    body = client.get(URL, params={"year": YEAR, "district": "Vuosaari"}, headers=headers).json()
    assert body["level"] == "district" and body["district"] == "Vuosaari"
    assert body["counts"]["decision"] == 2 and body["counts"]["initiative"] == 0
    assert "forum_agenda_items" not in body["by_source"]
    assert [h["name"] for h in body["houses"]] == ["Vaahterakuja"]


def test_a_chair_reads_the_house_against_the_average(client, session, world):
    headers = api_headers(session, world["chair"])
    house_id = world["koivu"].id
    body = client.get(URL, params={"year": YEAR, "house_id": house_id}, headers=headers).json()
    assert body["level"] == "house" and body["house_id"] == house_id
    assert body["counts"]["decision"] == 1
    assert body["company_average_per_house"]["decision"] == "1.5"  # 3 meetings, 2 houses
    assert body["houses"] is None
    other = client.get(URL, params={"house_id": world["vaahtera"].id}, headers=headers)
    assert other.status_code == 403


def test_the_year_defaults_to_this_year(client, session, world):
    headers = api_headers(session, world["management"])
    assert client.get(URL, headers=headers).json()["year"] == today().year


@pytest.mark.parametrize(
    ("params", "field", "reason"),
    [
        ({"year": "abc"}, "year", "Enter a whole number."),
        ({"year": 1999}, "year", "Enter a value of at least 2000."),
        ({"year": 9999}, "year", f"Enter a value of at most {today().year + 1}."),
        ({"district": "Atlantis"}, "district", "Choose one of the options."),
    ],
)
def test_bad_input_is_422_field_by_field(client, session, world, params, field, reason):
    headers = {**api_headers(session, world["management"]), **EN}
    response = client.get(URL, params=params, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": field, "reason": reason}]


def test_house_and_district_together_are_refused(client, session, world):
    headers = {**api_headers(session, world["chair"]), **EN}
    params = {"house_id": world["koivu"].id, "district": "Kallio"}
    response = client.get(URL, params=params, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "district"


def test_who_is_refused(client, session, world):
    koivu = world["koivu"].id
    resident = api_headers(session, world["resident"])
    assert client.get(URL, params={"house_id": koivu}, headers=resident).status_code == 403
    assert client.get(URL, headers=resident).status_code == 403
    # Haso-yte sees company totals, never the per-house rows.
    yte = client.get(URL, headers=api_headers(session, world["yte"]))
    assert yte.status_code == 200 and yte.json()["houses"] is None
    manager = api_headers(session, world["manager"])
    assert client.get(URL, headers=manager).status_code == 403
    assert client.get(URL, params={"house_id": koivu}, headers=manager).status_code == 403
    vaahtera = {"house_id": world["vaahtera"].id}
    assert client.get(URL, params=vaahtera, headers=manager).status_code == 200
    missing = client.get(URL, params={"house_id": 999999}, headers=manager)
    assert missing.status_code == 404
    no_read = api_headers(session, world["management"], scopes=["write"])
    assert client.get(URL, headers=no_read).status_code == 403
    assert client.get(URL).status_code == 401
