"""The discussion API: comments, attachments and following, per role, per house, per scope."""

import hashlib
from pathlib import Path

import pytest
from sqlmodel import select

from app.config import get_settings
from app.models.committees import Position
from app.models.initiatives import (
    InitiativeAttachment,
    InitiativeComment,
    InitiativeFollower,
    State,
)
from tests.services.initiatives.test_attachments import EXECUTABLE, SAMPLES
from tests.support import (
    api_headers,
    make_committee,
    make_house,
    make_initiative,
    make_person,
    make_resident,
)

EN = {"Accept-Language": "en"}


@pytest.fixture()
def folder(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "attachments"
    monkeypatch.setattr(get_settings(), "attachment_dir", path)
    return path


@pytest.fixture()
def world(session):
    house_a = make_house(session)
    house_b = make_house(session)
    chair = make_resident(session, house_a, make_person(session, name="Tuula Tuoli"))
    make_committee(session, house_a, [(chair, Position.chair)])
    resident = make_resident(session, house_a, make_person(session, name="Risto Rappu"))
    outsider = make_resident(session, house_b)
    initiative = make_initiative(session, chair, house_a, state=State.submitted)
    session.commit()
    return {"chair": chair, "resident": resident, "outsider": outsider, "initiative": initiative}


def base(world) -> str:
    return f"/api/v1/initiatives/{world['initiative'].id}"


def test_comments_and_replies(client, session, world):
    resident = api_headers(session, world["resident"])
    chair = api_headers(session, world["chair"])
    response = client.post(f"{base(world)}/comments", json={"body": "Kannatan."}, headers=resident)
    assert response.status_code == 201
    top = response.json()
    assert top["author_name"] == "Risto Rappu" and top["parent_id"] is None
    response = client.post(
        f"{base(world)}/comments", json={"body": "Kiitos!", "parent_id": top["id"]}, headers=chair
    )
    reply = response.json()
    assert response.status_code == 201 and reply["parent_id"] == top["id"]
    # A reply to the reply joins the same thread.
    response = client.post(
        f"{base(world)}/comments",
        json={"body": "Ole hyvä.", "parent_id": reply["id"]},
        headers=resident,
    )
    assert response.json()["parent_id"] == top["id"]
    listed = client.get(f"{base(world)}/comments", headers=chair).json()
    assert [c["body"] for c in listed] == ["Kannatan.", "Kiitos!", "Ole hyvä."]


def test_invalid_comment_is_422(client, session, world):
    headers = {**api_headers(session, world["resident"]), **EN}
    response = client.post(f"{base(world)}/comments", json={"body": "   "}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "body", "reason": "This field is required."}]
    response = client.post(
        f"{base(world)}/comments", json={"body": "x", "parent_id": 999999}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "parent_id"
    assert session.exec(select(InitiativeComment)).all() == []


def test_outsider_gets_404_everywhere(client, session, world, folder):
    headers = api_headers(session, world["outsider"])
    for method, path in [
        ("GET", "/comments"),
        ("POST", "/comments"),
        ("GET", "/attachments"),
        ("GET", "/attachments/1"),
        ("PUT", "/follow"),
        ("DELETE", "/follow"),
    ]:
        response = client.request(method, base(world) + path, headers=headers, json={"body": "x"})
        assert response.status_code == 404, (method, path)
    assert client.get("/api/v1/initiatives/999999/comments", headers=headers).status_code == 404


def test_read_scope_cannot_write(client, session, world):
    headers = api_headers(session, world["resident"], scopes=["read"])
    assert client.get(f"{base(world)}/comments", headers=headers).status_code == 200
    response = client.post(f"{base(world)}/comments", json={"body": "Hei"}, headers=headers)
    assert response.status_code == 403
    assert client.put(f"{base(world)}/follow", headers=headers).status_code == 403


def test_upload_list_and_download(client, session, world, folder):
    content, content_type = SAMPLES["kirje.docx"]
    response = client.post(
        f"{base(world)}/attachments",
        files={"file": ("kirje.docx", content, "application/octet-stream")},
        headers=api_headers(session, world["chair"]),
    )
    assert response.status_code == 201
    created = response.json()
    assert created["content_type"] == content_type
    assert created["sha256"] == hashlib.sha256(content).hexdigest()
    assert created["size"] == len(content)

    headers = api_headers(session, world["resident"])
    [listed] = client.get(f"{base(world)}/attachments", headers=headers).json()
    assert listed["id"] == created["id"] and listed["uploaded_by_name"] == "Tuula Tuoli"
    response = client.get(listed["url"], headers=headers)
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment;")
    outsider = api_headers(session, world["outsider"])
    assert client.get(listed["url"], headers=outsider).status_code == 404


def test_refused_upload_is_422_and_stores_nothing(client, session, world, folder):
    headers = {**api_headers(session, world["chair"]), **EN}
    response = client.post(
        f"{base(world)}/attachments",
        files={"file": ("lasku.pdf", EXECUTABLE, "application/pdf")},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file"
    response = client.post(f"{base(world)}/attachments", headers=headers)
    assert response.status_code == 422
    assert session.exec(select(InitiativeAttachment)).all() == []
    assert not folder.exists() or list(folder.iterdir()) == []


def test_resident_may_not_upload(client, session, world, folder):
    response = client.post(
        f"{base(world)}/attachments",
        files={"file": ("a.pdf", b"%PDF-1.7\n", "application/pdf")},
        headers=api_headers(session, world["resident"]),
    )
    assert response.status_code == 403


def test_follow_and_unfollow(client, session, world):
    person = world["resident"]
    key = (world["initiative"].id, person.id)
    headers = api_headers(session, person)
    response = client.put(f"{base(world)}/follow", headers=headers)
    assert response.status_code == 200 and response.json() == {"following": True}
    assert session.get(InitiativeFollower, key) is not None
    response = client.delete(f"{base(world)}/follow", headers=headers)
    assert response.status_code == 200 and response.json() == {"following": False}
    assert session.get(InitiativeFollower, key) is None
