"""The resident meetings API, per role, per house and per token scope."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from app.deps import today
from app.models.committees import Position
from app.models.meetings import ResidentMeeting
from app.models.types import utcnow
from tests.support import api_headers, make_committee, make_house, make_manager, make_resident

EN = {"Accept-Language": "en"}


@pytest.fixture()
def world(session):
    house_a = make_house(session, name="Koivukuja")
    house_b = make_house(session, name="Vaahterakuja")
    resident_a = make_resident(session, house_a)
    member_a = make_resident(session, house_a)
    make_committee(session, house_a, [(member_a, Position.member)])
    resident_b = make_resident(session, house_b)
    manager_b = make_manager(session, house_b)
    now = utcnow()
    held = ResidentMeeting(
        house_id=house_a.id,
        starts_at=now - timedelta(days=30),
        place="Kerhohuone",
        invitation_on=(now - timedelta(days=50)).date(),
    )
    coming = ResidentMeeting(
        house_id=house_a.id,
        starts_at=now + timedelta(days=30),
        place="Saunatupa",
        invitation_on=today() + timedelta(days=5),
    )
    session.add_all([held, coming])
    session.commit()
    return {
        "house_a": house_a,
        "house_b": house_b,
        "resident_a": resident_a,
        "member_a": member_a,
        "resident_b": resident_b,
        "manager_b": manager_b,
        "held": held,
        "coming": coming,
    }


def new_meeting(days_ahead: int, notice_days: int) -> dict[str, str]:
    day = today() + timedelta(days=days_ahead)
    return {
        "starts_at": datetime.combine(day, time(18, 0)).isoformat(),
        "place": "Kerhohuone",
        "invitation_on": (day - timedelta(days=notice_days)).isoformat(),
        "agenda": "1. Opening",
    }


def test_list_and_read_for_a_resident(client, session, world):
    headers = api_headers(session, world["resident_a"])
    response = client.get(f"/api/v1/houses/{world['house_a'].id}/meetings", headers=headers)
    assert response.status_code == 200
    assert [m["place"] for m in response.json()] == ["Saunatupa", "Kerhohuone"]
    one = client.get(f"/api/v1/meetings/{world['held'].id}", headers=headers)
    assert one.status_code == 200
    assert one.json()["participation"] == "decision"
    assert one.json()["version"] == 1


def test_reading_refused_to_another_house_without_token_and_for_unknown_ids(client, session, world):
    urls = [
        f"/api/v1/houses/{world['house_a'].id}/meetings",
        f"/api/v1/meetings/{world['held'].id}",
    ]
    for url in urls:
        assert client.get(url).status_code == 401
        headers = api_headers(session, world["resident_b"])
        assert client.get(url, headers=headers).status_code == 403
    headers = api_headers(session, world["resident_a"])
    assert client.get("/api/v1/meetings/999999", headers=headers).status_code == 404
    assert client.get("/api/v1/houses/999999/meetings", headers=headers).status_code == 404


def test_committee_member_convenes_a_meeting_with_fourteen_days_notice(client, session, world):
    headers = api_headers(session, world["member_a"])
    response = client.post(
        f"/api/v1/houses/{world['house_a'].id}/meetings", json=new_meeting(30, 14), headers=headers
    )
    assert response.status_code == 201
    body = response.json()
    meeting = session.get(ResidentMeeting, body["id"])
    assert meeting is not None and meeting.created_by_id == world["member_a"].id
    # A start without a zone is Helsinki time: 18:00 there is 15:00 or 16:00 UTC.
    assert meeting.starts_at.astimezone(UTC).time() in (time(15, 0), time(16, 0))


def test_thirteen_days_notice_is_422_at_invitation_on(client, session, world):
    headers = {**api_headers(session, world["member_a"]), **EN}
    response = client.post(
        f"/api/v1/houses/{world['house_a'].id}/meetings", json=new_meeting(30, 13), headers=headers
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "invitation_on"
    assert error["reason"].startswith("The invitation must be sent at least 14 days before")


def test_convening_refused_to_residents_other_houses_read_tokens_and_anonymous(
    client, session, world
):
    url = f"/api/v1/houses/{world['house_a'].id}/meetings"
    assert client.post(url, json=new_meeting(30, 14)).status_code == 401
    for headers in (
        api_headers(session, world["resident_a"]),
        api_headers(session, world["manager_b"]),
        api_headers(session, world["member_a"], scopes=["read"]),
    ):
        assert client.post(url, json=new_meeting(30, 14), headers=headers).status_code == 403
    assert len(session.exec(select(ResidentMeeting)).all()) == 2


def test_write_token_convenes(client, session, world):
    headers = api_headers(session, world["member_a"], scopes=["write"])
    url = f"/api/v1/houses/{world['house_a'].id}/meetings"
    assert client.post(url, json=new_meeting(30, 14), headers=headers).status_code == 201


def test_invitation_due_today_is_mailed(client, session, world, smtp):
    headers = api_headers(session, world["member_a"])
    response = client.post(
        f"/api/v1/houses/{world['house_a'].id}/meetings", json=new_meeting(14, 14), headers=headers
    )
    assert response.status_code == 201
    assert response.json()["invitation_sent_at"] is not None
    assert len(smtp.to(world["resident_a"].email)) == 1
    assert smtp.to(world["resident_b"].email) == []


def test_minutes_with_version_and_stale_version_is_409(client, session, world):
    headers = api_headers(session, world["member_a"])
    url = f"/api/v1/meetings/{world['held'].id}/minutes"
    first = client.put(url, json={"minutes": "Present: 9.", "version": 1}, headers=headers)
    assert first.status_code == 200
    assert first.json()["minutes"] == "Present: 9." and first.json()["version"] == 2
    stale = client.put(url, json={"minutes": "Overwrite", "version": 1}, headers=headers)
    assert stale.status_code == 409
    session.refresh(world["held"])
    assert world["held"].minutes == "Present: 9."


def test_minutes_refused_to_others(client, session, world):
    url = f"/api/v1/meetings/{world['held'].id}/minutes"
    body = {"minutes": "x", "version": 1}
    assert client.put(url, json=body).status_code == 401
    for headers in (
        api_headers(session, world["resident_a"]),
        api_headers(session, world["manager_b"]),
        api_headers(session, world["member_a"], scopes=["read"]),
    ):
        assert client.put(url, json=body, headers=headers).status_code == 403
    headers = api_headers(session, world["member_a"])
    assert (
        client.put("/api/v1/meetings/999999/minutes", json=body, headers=headers).status_code == 404
    )
