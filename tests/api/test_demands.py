"""The meeting-demands API: a house's voters start and sign demands, a signer withdraws; the same
permissions as the pages, per role, per house and per token scope."""

import pytest
from sqlmodel import select

from app.deps import today
from app.models.committees import Position
from app.models.demands import MeetingDemand, MeetingDemandCreate
from app.models.houses import Tenure
from app.services.bodies import demands
from tests.support import api_headers, make_committee, make_house, make_manager, make_resident

EN = {"Accept-Language": "en"}


@pytest.fixture()
def world(session):
    house = make_house(session, name="Koivukuja")
    voters = [make_resident(session, house) for _ in range(25)]  # three signatures needed
    make_committee(session, house, [(voters[24], Position.chair)])
    renter = make_resident(session, house, tenure=Tenure.renter)
    manager = make_manager(session, house)
    outsider = make_resident(session, make_house(session))
    session.commit()
    return {
        "house": house,
        "voters": voters,
        "renter": renter,
        "manager": manager,
        "outsider": outsider,
    }


def headers(session, person, scopes=None):
    return {**api_headers(session, person, scopes), **EN}


def test_a_voter_starts_a_demand_and_others_sign_it(client, session, world):
    house, voters = world["house"], world["voters"]
    response = client.post(
        f"/api/v1/houses/{house.id}/meeting-demands",
        json={"matter": "  Pihan valaistus  "},
        headers=headers(session, voters[0]),
    )
    assert response.status_code == 201
    body = response.json()
    assert body["matter"] == "Pihan valaistus"
    assert (body["status"], body["signatures"], body["voters"], body["needed"]) == (
        "collecting",
        1,
        25,
        3,
    )
    assert body["signed"] is True and body["due_at"] is None
    url = f"/api/v1/meeting-demands/{body['id']}/signature"
    second = headers(session, voters[1])
    assert client.put(url, headers=second).json()["signatures"] == 2
    again = client.put(url, headers=second)
    assert again.status_code == 200 and again.json()["signatures"] == 2  # idempotent
    due = client.put(url, headers=headers(session, voters[2])).json()
    assert due["status"] == "due" and due["due_at"] is not None
    withdrawn = client.delete(url, headers=second).json()
    assert withdrawn["signatures"] == 2 and withdrawn["signed"] is False
    assert withdrawn["status"] == "due"  # made: the committee has been told
    listed = client.get(
        f"/api/v1/houses/{house.id}/meeting-demands", headers=headers(session, world["renter"])
    )
    assert [d["id"] for d in listed.json()] == [body["id"]]
    one = client.get(f"/api/v1/meeting-demands/{body['id']}", headers=second)
    assert one.status_code == 200 and one.json()["signed"] is False


def test_withdrawing_lowers_the_count(client, session, world):
    voters = world["voters"]
    demand = demands.start(
        session, world["house"].id, MeetingDemandCreate(matter="Sauna"), voters[0].id, today()
    )
    demands.sign(session, demand, voters[1].id, today())
    session.commit()
    url = f"/api/v1/meeting-demands/{demand.id}/signature"
    response = client.delete(url, headers=headers(session, voters[1]))
    assert response.status_code == 200
    assert (response.json()["signatures"], response.json()["status"]) == (1, "collecting")
    nothing = client.delete(url, headers=headers(session, world["renter"]))
    assert nothing.status_code == 200 and nothing.json()["signatures"] == 1


def test_a_renter_is_refused_with_the_reason(client, session, world):
    house = world["house"]
    renter = headers(session, world["renter"])
    response = client.post(
        f"/api/v1/houses/{house.id}/meeting-demands", json={"matter": "Sauna"}, headers=renter
    )
    assert response.status_code == 403
    assert "Renters and other household members cannot" in response.json()["detail"]
    demand = demands.start(
        session, house.id, MeetingDemandCreate(matter="Sauna"), world["voters"][0].id, today()
    )
    session.commit()
    signed = client.put(f"/api/v1/meeting-demands/{demand.id}/signature", headers=renter)
    assert signed.status_code == 403
    assert "Renters and other household members cannot" in signed.json()["detail"]
    manager = client.put(
        f"/api/v1/meeting-demands/{demand.id}/signature",
        headers=headers(session, world["manager"]),
    )
    assert manager.status_code == 403
    assert demands.signature_count(session, demand.id) == 1


def test_another_house_and_a_read_token_are_refused(client, session, world):
    house = world["house"]
    demand = demands.start(
        session, house.id, MeetingDemandCreate(matter="Sauna"), world["voters"][0].id, today()
    )
    session.commit()
    outsider = headers(session, world["outsider"])
    assert client.get(f"/api/v1/meeting-demands/{demand.id}", headers=outsider).status_code == 403
    assert (
        client.get(f"/api/v1/houses/{house.id}/meeting-demands", headers=outsider).status_code
        == 403
    )
    url = f"/api/v1/meeting-demands/{demand.id}/signature"
    assert client.put(url, headers=outsider).status_code == 403
    assert client.delete(url, headers=outsider).status_code == 403
    read_only = headers(session, world["voters"][1], scopes=["read"])
    assert client.put(url, headers=read_only).status_code == 403
    assert client.get(f"/api/v1/meeting-demands/{demand.id}", headers=read_only).status_code == 200
    assert client.get("/api/v1/meeting-demands/999999", headers=read_only).status_code == 404
    assert client.put(url, headers={}).status_code == 401


@pytest.mark.parametrize(
    ("matter", "reason"),
    [("", "This field is required."), ("x" * 2001, "Enter at most 2000 characters.")],
)
def test_bad_input_is_refused_at_the_field(client, session, world, matter, reason):
    response = client.post(
        f"/api/v1/houses/{world['house'].id}/meeting-demands",
        json={"matter": matter},
        headers=headers(session, world["voters"][0]),
    )
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "matter", "reason": reason}]}
    assert session.exec(select(MeetingDemand)).all() == []


def test_a_blank_matter_is_refused_at_the_field(client, session, world):
    response = client.post(
        f"/api/v1/houses/{world['house'].id}/meeting-demands",
        json={"matter": " \n "},
        headers=headers(session, world["voters"][0]),
    )
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "matter", "reason": "This field is required."}]}


def test_a_closed_demand_takes_no_signature(client, session, world):
    voters = world["voters"]
    demand = demands.start(
        session, world["house"].id, MeetingDemandCreate(matter="Sauna"), voters[0].id, today()
    )
    demands.withdraw(session, demand, voters[0].id)  # the last one: withdrawn
    session.commit()
    response = client.put(
        f"/api/v1/meeting-demands/{demand.id}/signature", headers=headers(session, voters[1])
    )
    assert response.status_code == 422
    read = client.get(f"/api/v1/meeting-demands/{demand.id}", headers=headers(session, voters[1]))
    assert read.json()["status"] == "withdrawn"


def test_openapi_documents_every_demand_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/v1/houses/{house_id}/meeting-demands"]) == {"get", "post"}
    assert set(paths["/api/v1/meeting-demands/{demand_id}"]) == {"get"}
    assert set(paths["/api/v1/meeting-demands/{demand_id}/signature"]) == {"put", "delete"}
    created = paths["/api/v1/houses/{house_id}/meeting-demands"]["post"]["responses"]
    assert created["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/MeetingDemandPublic"
    )
    assert "403" in created and "422" in created
