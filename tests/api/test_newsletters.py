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
