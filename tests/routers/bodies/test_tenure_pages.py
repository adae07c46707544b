"""Tenures on the pages and in the API: shown with their names, chosen in the resident form,
and a committee seat refused to a household member at the person field."""

from datetime import timedelta

import pytest
from markupsafe import escape
from sqlmodel import select

from app.deps import today
from app.models.committees import Position
from app.models.houses import Residency, Tenure
from app.models.meetings import ResidentMeeting
from app.models.people import StaffKind
from app.models.types import utcnow
from tests.support import (
    api_headers,
    fi,
    make_committee,
    make_house,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)

NAMES = {
    Tenure.holder: "Right-of-occupancy holder",
    Tenure.co_holder: "Co-holder",
    Tenure.spouse: "Holder's spouse or cohabiting partner",
    Tenure.household_member: "Other household member",
    Tenure.renter: "Renter",
}


def shown(message: str) -> str:
    """A template's message as a Finnish page shows it (translations are not escaped)."""
    return fi(message)


@pytest.fixture()
def household(session):
    """A house with one resident of every tenure (all adults), by tenure."""
    house = make_house(session)
    people = {
        tenure: make_resident(
            session,
            house,
            make_person(session, name=f"Asukas {tenure.value}"),
            apartment="A 1" if tenure != Tenure.renter else "B 2",
            tenure=tenure,
        )
        for tenure in Tenure
    }
    session.commit()
    return house, people


def test_house_page_names_every_tenure(client, session, household):
    house, people = household
    client.login_as(session, make_staff(session, StaffKind.admin))
    text = client.get(f"/houses/{house.id}").text
    rows = text.split('id="residents-caption"')[1].split("</table>")[0]
    for tenure, person in people.items():
        row = rows.split(f'<th scope="row">{person.name}</th>')[1].split("</tr>")[0]
        assert shown(NAMES[tenure]) in row, tenure


def test_person_page_names_the_tenure(client, session, household):
    _house, people = household
    client.login_as(session, make_staff(session, StaffKind.admin))
    text = client.get(f"/admin/people/{people[Tenure.spouse].id}").text
    assert shown(NAMES[Tenure.spouse]) in text


def test_resident_form_offers_every_tenure_and_records_a_spouse(client, session):
    house = make_house(session)
    person = make_person(session, name="Puoliso Pia", email="pia@example.com")
    client.login_as(session, make_staff(session, StaffKind.admin))
    form = client.get(f"/houses/{house.id}/residents/new").text
    options = form.split('id="field-tenure"')[1].split("</select>")[0]
    for tenure, name in NAMES.items():
        assert f'<option value="{tenure.value}"' in options
        assert shown(name) in options
    assert options.index('value="holder"') < options.index('value="renter"')
    response = client.submit(
        f"/houses/{house.id}/residents/new",
        {
            "email": "pia@example.com",
            "apartment": "A 4",
            "tenure": "spouse",
            "starts_on": "2025-03-01",
        },
    )
    assert response.status_code == 303
    residency = session.exec(select(Residency).where(Residency.person_id == person.id)).one()
    assert residency.tenure == Tenure.spouse


def test_resident_form_refuses_an_unknown_tenure_at_the_field(client, session):
    house = make_house(session)
    make_person(session, email="outo@example.com")
    client.login_as(session, make_staff(session, StaffKind.admin))
    response = client.submit(
        f"/houses/{house.id}/residents/new",
        {
            "email": "outo@example.com",
            "apartment": "A 4",
            "tenure": "owner",
            "starts_on": "2025-03-01",
        },
    )
    assert response.status_code == 422
    assert 'aria-describedby="error-tenure' in response.text
    assert session.exec(select(Residency)).all() == []


@pytest.fixture()
def committee(session, household):
    house, people = household
    committee = make_committee(session, house)
    meeting = ResidentMeeting(
        house_id=house.id,
        starts_at=utcnow() - timedelta(days=120),
        place="Kerhohuone",
        invitation_on=today() - timedelta(days=140),
    )
    session.add(meeting)
    session.flush()
    committee.elected_at_meeting_id = meeting.id
    session.add(committee)
    session.commit()
    return committee


def test_committee_page_offers_those_who_may_stand(client, session, household, committee):
    house, people = household
    client.login_as(session, make_manager(session, house))
    text = client.get(f"/committees/{committee.id}").text
    options = text.split('id="field-person_id"')[1].split("</select>")[0]
    for tenure, person in people.items():
        offered = tenure in {Tenure.holder, Tenure.co_holder, Tenure.spouse}
        assert (person.name in options) is offered, tenure


def test_household_member_is_refused_at_the_person_field(client, session, household, committee):
    house, people = household
    client.login_as(session, make_manager(session, house))
    member = people[Tenure.household_member]
    response = client.submit(
        f"/committees/{committee.id}/members", {"person_id": str(member.id), "position": "member"}
    )
    assert response.status_code == 422
    assert 'aria-describedby="error-person_id' in response.text
    reason = fi(
        "%(name)s is a household member, not a right-of-occupancy holder, co-holder "
        "or the holder's spouse or partner: other household members may take part in "
        "resident meetings but can neither vote nor stand for the committee.",
        name=member.name,
    )
    assert str(escape(reason)) in response.text


def test_spouse_takes_the_apartment_s_seat_and_the_holder_is_then_refused(
    client, session, household, committee
):
    house, people = household
    client.login_as(session, make_manager(session, house))
    url = f"/committees/{committee.id}/members"
    spouse, holder = people[Tenure.spouse], people[Tenure.holder]
    added = client.submit(url, {"person_id": str(spouse.id), "position": "member"})
    assert added.status_code == 303
    refused = client.submit(url, {"person_id": str(holder.id), "position": "member"})
    assert refused.status_code == 422
    assert 'aria-describedby="error-person_id' in refused.text


# API


def test_api_lists_residents_with_their_tenure_codes(client, session, household):
    house, people = household
    headers = api_headers(session, make_staff(session, StaffKind.admin))
    response = client.get(f"/api/v1/houses/{house.id}/residents", headers=headers)
    assert response.status_code == 200
    assert {r["person_id"]: r["tenure"] for r in response.json()} == {
        person.id: tenure.value for tenure, person in people.items()
    }


def test_api_schema_names_every_tenure(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert schema["Tenure"]["enum"] == [
        "holder",
        "co_holder",
        "spouse",
        "household_member",
        "renter",
    ]
    assert "one vote each" in schema["HouseResident"]["properties"]["tenure"]["description"]


@pytest.mark.parametrize("tenure", [Tenure.household_member, Tenure.renter])
def test_api_refuses_a_seat_at_person_id(client, session, household, committee, tenure):
    house, people = household
    headers = api_headers(session, make_manager(session, house))
    response = client.post(
        f"/api/v1/committees/{committee.id}/members",
        json={"person_id": people[tenure].id, "position": Position.member.value},
        headers=headers,
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["person_id"]


def test_api_seats_a_co_holder(client, session, household, committee):
    house, people = household
    headers = api_headers(session, make_manager(session, house))
    response = client.post(
        f"/api/v1/committees/{committee.id}/members",
        json={"person_id": people[Tenure.co_holder].id},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["person_id"] == people[Tenure.co_holder].id
