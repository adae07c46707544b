"""The resident committees API, per role, per house and per token scope."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.deps import today
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import Tenure
from app.models.meetings import ResidentMeeting
from app.models.people import StaffKind
from app.models.types import utcnow
from tests.support import (
    api_headers,
    make_committee,
    make_house,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)


@pytest.fixture()
def world(session):
    house_a = make_house(session)
    house_b = make_house(session)
    resident_a = make_resident(session, house_a)
    chair_a = make_resident(session, house_a, make_person(session, name="Ville Virtanen"))
    committee_a = make_committee(session, house_a, [(chair_a, Position.chair)])
    resident_b = make_resident(session, house_b)
    manager_a = make_manager(session, house_a)
    manager_b = make_manager(session, house_b)
    meeting_a = ResidentMeeting(
        house_id=house_a.id,
        starts_at=utcnow() - timedelta(days=120),
        place="Kerhohuone",
        invitation_on=today() - timedelta(days=140),
    )
    session.add(meeting_a)
    session.commit()
    return {
        "house_a": house_a,
        "house_b": house_b,
        "resident_a": resident_a,
        "chair_a": chair_a,
        "committee_a": committee_a,
        "resident_b": resident_b,
        "manager_a": manager_a,
        "manager_b": manager_b,
        "meeting_a": meeting_a,
    }


def next_term(world, days: int = 730) -> dict[str, object]:
    start = world["committee_a"].term_end + timedelta(days=1)
    return {
        "term_start": start.isoformat(),
        "term_end": (start + timedelta(days=days)).isoformat(),
        "elected_at_meeting_id": world["meeting_a"].id,
    }


def test_list_current_and_read_for_a_resident(client, session, world):
    headers = api_headers(session, world["resident_a"])
    house_id = world["house_a"].id
    listed = client.get(f"/api/v1/houses/{house_id}/committees", headers=headers)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()] == [world["committee_a"].id]
    current = client.get(f"/api/v1/houses/{house_id}/committees/current", headers=headers)
    assert current.status_code == 200
    assert current.json()["members"] == [
        {
            "id": current.json()["members"][0]["id"],
            "person_id": world["chair_a"].id,
            "name": "Ville Virtanen",
            "position": "chair",
        }
    ]
    one = client.get(f"/api/v1/committees/{world['committee_a'].id}", headers=headers)
    assert one.status_code == 200 and one.json()["house_id"] == house_id


def test_no_committee_in_office_is_404(client, session, world):
    headers = api_headers(session, world["resident_b"])
    url = f"/api/v1/houses/{world['house_b'].id}/committees/current"
    assert client.get(url, headers=headers).status_code == 404


def test_reading_refused_to_another_house_and_without_token(client, session, world):
    house_id = world["house_a"].id
    urls = [
        f"/api/v1/houses/{house_id}/committees",
        f"/api/v1/houses/{house_id}/committees/current",
        f"/api/v1/committees/{world['committee_a'].id}",
    ]
    other = api_headers(session, world["resident_b"])
    for url in urls:
        assert client.get(url).status_code == 401
        assert client.get(url, headers=other).status_code == 403
    mine = api_headers(session, world["resident_a"])
    assert client.get("/api/v1/committees/999999", headers=mine).status_code == 404


def test_manager_records_a_committee(client, session, world):
    headers = api_headers(session, world["manager_a"])
    response = client.post(
        f"/api/v1/houses/{world['house_a'].id}/committees", json=next_term(world), headers=headers
    )
    assert response.status_code == 201
    assert response.json()["elected_at_meeting_id"] == world["meeting_a"].id
    assert session.get(ResidentCommittee, response.json()["id"]) is not None


def test_term_over_two_years_is_422(client, session, world):
    headers = api_headers(session, world["manager_a"])
    response = client.post(
        f"/api/v1/houses/{world['house_a'].id}/committees",
        json=next_term(world, days=732),
        headers=headers,
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["term_end"]


def test_recording_refused_to_chairs_other_houses_read_tokens_and_anonymous(client, session, world):
    url = f"/api/v1/houses/{world['house_a'].id}/committees"
    assert client.post(url, json=next_term(world)).status_code == 401
    for headers in (
        api_headers(session, world["chair_a"]),
        api_headers(session, world["manager_b"]),
        api_headers(session, world["manager_a"], scopes=["read"]),
    ):
        assert client.post(url, json=next_term(world), headers=headers).status_code == 403
    assert len(session.exec(select(ResidentCommittee)).all()) == 1


def test_members_are_added_and_removed_with_the_rules(client, session, world):
    headers = api_headers(session, world["manager_a"])
    url = f"/api/v1/committees/{world['committee_a'].id}/members"
    second_chair = client.post(
        url, json={"person_id": world["resident_a"].id, "position": "chair"}, headers=headers
    )
    assert second_chair.status_code == 422
    assert [e["field"] for e in second_chair.json()["detail"]] == ["position"]
    renter = make_resident(session, world["house_a"], tenure=Tenure.renter)
    minor = make_resident(
        session, world["house_a"], make_person(session, birth_date=date(2015, 1, 1))
    )
    session.commit()
    for person in (renter, minor, world["resident_b"]):
        refused = client.post(url, json={"person_id": person.id}, headers=headers)
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["detail"]] == ["person_id"]
    added = client.post(
        url, json={"person_id": world["resident_a"].id, "position": "vice_chair"}, headers=headers
    )
    assert added.status_code == 201
    assert added.json()["position"] == "vice_chair"
    removed = client.delete(f"{url}/{added.json()['id']}", headers=headers)
    assert removed.status_code == 204
    assert session.get(CommitteeMember, added.json()["id"]) is None


def test_member_changes_refused_to_others(client, session, world):
    url = f"/api/v1/committees/{world['committee_a'].id}/members"
    seat = session.exec(select(CommitteeMember)).one()
    body = {"person_id": world["resident_a"].id}
    assert client.post(url, json=body).status_code == 401
    assert client.delete(f"{url}/{seat.id}").status_code == 401
    for headers in (
        api_headers(session, world["chair_a"]),
        api_headers(session, world["manager_b"]),
        api_headers(session, world["manager_a"], scopes=["read"]),
    ):
        assert client.post(url, json=body, headers=headers).status_code == 403
        assert client.delete(f"{url}/{seat.id}", headers=headers).status_code == 403
    assert len(session.exec(select(CommitteeMember)).all()) == 1


def test_management_may_record_committees_anywhere(client, session, world):
    headers = api_headers(session, make_staff(session, StaffKind.management))
    response = client.post(
        f"/api/v1/houses/{world['house_a'].id}/committees", json=next_term(world), headers=headers
    )
    assert response.status_code == 201
