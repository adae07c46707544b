"""The newsletters API: the archive per reader, drafts by writers only."""

from types import SimpleNamespace

import pytest

from app.models.committees import Position
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.models.people import StaffKind
from app.models.types import utcnow
from tests.support import api_headers, make_committee, make_house, make_resident, make_staff

EN = {"Accept-Language": "en"}


@pytest.fixture()
def world(session):
    house_a = make_house(session)
    house_b = make_house(session)
    chair_a = make_resident(session, house_a)
    make_committee(session, house_a, [(chair_a, Position.chair)])
    w = SimpleNamespace(
        house_a=house_a,
        house_b=house_b,
        chair_a=chair_a,
        resident_a=make_resident(session, house_a),
        resident_b=make_resident(session, house_b),
        management=make_staff(session, StaffKind.management),
    )
    w.sent = Newsletter(
        kind=NewsletterKind.house,
        house_id=house_a.id,
        title="Talkoot",
        body_md="Tervetuloa <b>kaikki</b> **mukaan**",
        status=NewsletterStatus.sent,
        sent_at=utcnow(),
    )
    w.draft = Newsletter(kind=NewsletterKind.residents, title="Luonnos")
    session.add(w.sent)
    session.add(w.draft)
    session.commit()
    return w


def test_readers_list_and_read_what_their_audience_got(client, session, world):
    headers = api_headers(session, world.resident_a)
    listed = client.get("/api/v1/newsletters", headers=headers)
    assert listed.status_code == 200
    assert [n["title"] for n in listed.json()] == ["Talkoot"]
    one = client.get(f"/api/v1/newsletters/{world.sent.id}", headers=headers).json()
    assert "<strong>mukaan</strong>" in one["body_html"] and "<b>" not in one["body_html"]
    assert client.get(f"/api/v1/newsletters/{world.draft.id}", headers=headers).status_code == 404
    other = api_headers(session, world.resident_b)
    assert client.get(f"/api/v1/newsletters/{world.sent.id}", headers=other).status_code == 404
    assert client.get("/api/v1/newsletters").status_code == 401
    boss = api_headers(session, world.management)
    titles = {n["title"] for n in client.get("/api/v1/newsletters", headers=boss).json()}
    assert titles == {"Talkoot", "Luonnos"}
    only = client.get("/api/v1/newsletters?kind=residents", headers=boss).json()
    assert [n["title"] for n in only] == ["Luonnos"]


def test_writers_create_drafts_of_their_kinds(client, session, world):
    chair = api_headers(session, world.chair_a)
    own = {"kind": "house", "house_id": world.house_a.id, "title": "Syksy", "body_md": "Hei"}
    created = client.post("/api/v1/newsletters", json=own, headers=chair)
    assert created.status_code == 201
    assert created.json()["status"] == "draft" and created.json()["include_events"] is True
    other = {**own, "house_id": world.house_b.id}
    refused = client.post("/api/v1/newsletters", json=other, headers={**chair, **EN})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "house_id"
    resident = api_headers(session, world.resident_a)
    assert client.post("/api/v1/newsletters", json=own, headers=resident).status_code == 403
    read_only = api_headers(session, world.management, scopes=["read"])
    body = {"kind": "residents", "title": "Kaikille"}
    assert client.post("/api/v1/newsletters", json=body, headers=read_only).status_code == 403
    boss = api_headers(session, world.management)
    assert client.post("/api/v1/newsletters", json=body, headers=boss).status_code == 201
    empty = client.post("/api/v1/newsletters", json={"kind": "residents"}, headers=boss)
    assert empty.status_code == 422


def test_sending_needs_the_confirmed_number_of_recipients(client, session, world):
    bulletin = Newsletter(
        kind=NewsletterKind.house,
        house_id=world.house_a.id,
        title="Talkoot",
        body_md="Tervetuloa",
        title_sv="Talko",
        body_md_sv="Välkommen",
    )
    session.add(bulletin)
    session.commit()
    chair = {**api_headers(session, world.chair_a), **EN}
    reach = client.get(f"/api/v1/newsletters/{bulletin.id}/reach", headers=chair)
    assert reach.status_code == 200
    found = reach.json()
    assert found["recipients"] == 2 and found["channel"] == "mail"
    assert [(r["language"], r["recipients"], r["own_text"]) for r in found["languages"]] == [
        ("fi", 2, True),
        ("sv", 0, True),
        ("en", 0, False),
    ]
    assert len(found["sample"]) == 2
    resident = api_headers(session, world.resident_a)
    assert (
        client.get(f"/api/v1/newsletters/{bulletin.id}/reach", headers=resident).status_code == 404
    )

    url = f"/api/v1/newsletters/{bulletin.id}/send"
    missing = client.post(url, json={"version": 1}, headers=chair)
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["field"] == "confirm_recipients"
    wrong = client.post(url, json={"version": 1, "confirm_recipients": 307}, headers=chair)
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == [
        {"field": "confirm_recipients", "reason": wrong.json()["detail"][0]["reason"]}
    ]
    session.refresh(bulletin)
    assert bulletin.status == NewsletterStatus.draft

    sent = client.post(url, json={"version": 1, "confirm_recipients": 2}, headers=chair)
    assert sent.status_code == 200 and sent.json()["status"] == "scheduled"
    read_only = api_headers(session, world.chair_a, scopes=["read"])
    again = client.post(url, json={"version": 2, "confirm_recipients": 2}, headers=read_only)
    assert again.status_code == 403


def test_the_schema_documents_the_confirmation(client):
    operation = client.get("/openapi.json").json()["paths"][
        "/api/v1/newsletters/{newsletter_id}/send"
    ]["post"]
    assert "Confirmation required" in operation["description"]
    assert "confirm_recipients" in operation["description"]
