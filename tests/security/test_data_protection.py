"""Data protection: a person downloads all their data, an administrator erases a person on
request (what they wrote stays under a pseudonym), retention rules, an audit log that the
application cannot edit."""

import ast
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from app import scheduler
from app.config import ROOT
from app.deps import SESSION_COOKIE
from app.models.audit import AuditEntry
from app.models.auth import ApiToken, LoginSession
from app.models.calendar import CalendarFeed
from app.models.committees import Position
from app.models.houses import Residency
from app.models.initiatives import Initiative, InitiativeComment
from app.models.mail import Delivery, DeliveryStatus
from app.models.newsletters import Frequency, MailPreference, Topic
from app.models.people import Person, StaffKind
from app.models.types import utcnow
from app.services.calendar.feeds import create_feed
from app.services.platform import audit as audit_service
from app.services.privacy import data_protection
from tests.support import (
    api_headers,
    make_committee,
    make_house,
    make_initiative,
    make_person,
    make_resident,
    make_staff,
)
from tests.test_authorization_matrix import all_routes


@pytest.fixture()
def world(session):  # type: ignore[no-untyped-def]
    """A chair with a home, a seat, an initiative, a comment, mail choices, a calendar feed,
    a delivery and an audit entry; and a neighbour with data of their own."""
    house = make_house(session)
    chair = make_person(session, name="Aino Virtanen", phone="040 123", password="salasana-123")
    make_resident(session, house, chair)
    make_committee(session, house, [(chair, Position.chair)])
    neighbour = make_resident(session, house, make_person(session, name="Naapuri Nieminen"))
    initiative = make_initiative(session, chair, house, title="Pihan valaistus")
    session.add(InitiativeComment(initiative_id=initiative.id, author_id=chair.id, body="Kyllä"))
    session.add(
        InitiativeComment(initiative_id=initiative.id, author_id=neighbour.id, body="Naapurin")
    )
    session.add(
        MailPreference(
            person_id=chair.id, topic=Topic.initiative_changes, frequency=Frequency.daily
        )
    )
    create_feed(session, chair)
    session.add(
        Delivery(
            message_key="k1",
            recipient=chair.email,
            person_id=chair.id,
            subject="Tervetuloa",
            body_text="Hei Aino",
            status=DeliveryStatus.sent,
        )
    )
    audit_service.record(session, chair.id, "update", house, {"name": "Vanha"})
    session.commit()
    return {"house": house, "chair": chair, "neighbour": neighbour, "initiative": initiative}


def _check_export(data, world):  # type: ignore[no-untyped-def]
    chair = world["chair"]
    assert data["person"]["id"] == chair.id
    assert data["person"]["email"] == chair.email
    assert data["person"]["phone"] == "040 123"
    assert "password_hash" not in data["person"]
    records = data["records"]
    assert [r["house_id"] for r in records["residency"]["person_id"]] == [world["house"].id]
    assert records["committee_member"]["person_id"][0]["position"] == "chair"
    assert records["initiative"]["filed_by_id"][0]["title"] == "Pihan valaistus"
    assert [c["body"] for c in records["initiative_comment"]["author_id"]] == ["Kyllä"]
    assert records["mail_preference"]["person_id"][0]["frequency"] == "daily"
    assert records["delivery"]["person_id"][0]["subject"] == "Tervetuloa"
    assert "house" in {e["entity"] for e in records["audit_entry"]["actor_id"]}
    feed = records["calendar_feed"]["person_id"][0]
    assert "token_hash" not in feed
    # Nothing of the neighbour's.
    assert "Naapuri" not in json.dumps(data, ensure_ascii=False)


def test_a_person_downloads_their_data_as_json(client, session, world):
    client.login_as(session, world["chair"])
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "private, no-store"
    _check_export(response.json(), world)
    # Login sessions are listed without their secrets.
    assert all(
        "token_hash" not in s for s in response.json()["records"]["login_session"]["person_id"]
    )
    # The account page links to it.
    assert 'href="/account/data.json"' in client.get("/account").text


def test_the_api_gives_the_same_data(client, session, world):
    response = client.get("/api/v1/me/data", headers=api_headers(session, world["chair"]))
    assert response.status_code == 200
    _check_export(response.json(), world)
    # A token without the read scope gets nothing.
    limited = api_headers(session, world["chair"], scopes=[])
    assert client.get("/api/v1/me/data", headers=limited).status_code == 403


def test_the_export_covers_every_table_that_refers_to_a_person():
    tables = {table.name for table, _column in data_protection.person_references()}
    for expected in (
        "residency",
        "committee_member",
        "yte_member",
        "initiative",
        "initiative_comment",
        "event_registration",
        "mail_preference",
        "newsletter",
        "audit_entry",
        "delivery",
        "api_token",
        "calendar_feed",
    ):
        assert expected in tables


def test_erasure_asks_for_confirmation_and_pseudonymises(client, session, world, smtp):
    admin = make_staff(session, StaffKind.admin)
    chair = world["chair"]
    chair_id, email = chair.id, chair.email
    headers = api_headers(session, chair)
    client.login_as(session, admin)

    page = client.get(f"/admin/people/{chair_id}/erase")
    assert page.status_code == 200
    assert f"Erased person #{chair_id}" in page.text
    assert client.get(f"/admin/people/{chair_id}").text.count(f"/admin/people/{chair_id}/erase")

    wrong = client.submit(f"/admin/people/{chair_id}/erase", {"confirm_email": "joku@example.com"})
    assert wrong.status_code == 422
    assert 'aria-describedby="error-confirm_email' in wrong.text
    assert session.get(Person, chair_id).erased_at is None

    done = client.submit(f"/admin/people/{chair_id}/erase", {"confirm_email": email.upper()})
    assert done.status_code == 303
    session.expire_all()
    person = session.get(Person, chair_id)
    assert person.name == f"Erased person #{chair_id}"
    assert person.email != email and person.phone is None and person.birth_date is None
    assert person.password_hash is None and not person.is_active and person.erased_at
    # What they wrote in shared records stays, under the pseudonym.
    initiative = session.get(Initiative, world["initiative"].id)
    assert initiative is not None and initiative.filed_by_id == chair_id
    comments = session.exec(
        select(InitiativeComment).where(InitiativeComment.author_id == chair_id)
    ).all()
    assert [c.body for c in comments] == ["Kyllä"]
    assert session.exec(select(Residency).where(Residency.person_id == chair_id)).all()
    # Their own rows are gone.
    for model in (LoginSession, ApiToken, CalendarFeed, MailPreference, Delivery):
        rows = session.exec(select(model).where(model.person_id == chair_id)).all()  # type: ignore[attr-defined]
        assert rows == [], model
    assert session.exec(select(Delivery).where(Delivery.recipient == email)).all() == []
    # The neighbour keeps everything.
    neighbour = session.get(Person, world["neighbour"].id)
    assert neighbour.name == "Naapuri Nieminen"
    # The erasure is in the audit log, without the erased details.
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "erase", AuditEntry.entity_id == str(chair_id)
        )
    ).one()
    assert entry.actor_id == admin.id
    assert email not in json.dumps(entry.after) and "Aino" not in json.dumps(entry.after)
    # The person's old token no longer opens anything; the page says it is done.
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get(f"/admin/people/{chair_id}/erase").status_code == 200
    # Erasing twice changes nothing.
    again = client.submit(f"/admin/people/{chair_id}/erase", {"confirm_email": "x"})
    assert again.status_code == 200


def test_an_erased_person_cannot_log_in(client, session, world):
    chair = world["chair"]
    data_protection.erase(session, chair, None)
    session.commit()
    response = client.submit("/login", {"email": chair.email, "password": "salasana-123"})
    assert SESSION_COOKIE not in response.cookies


def test_an_administrator_cannot_erase_themselves(client, session):
    admin = make_staff(session, StaffKind.admin)
    client.login_as(session, admin)
    response = client.submit(f"/admin/people/{admin.id}/erase", {"confirm_email": admin.email})
    assert response.status_code == 422
    assert session.get(Person, admin.id).erased_at is None


def test_retention_deletes_old_deliveries_and_audit_entries(session, world):
    now = utcnow()
    chair = world["chair"]
    for key, age, status in (
        ("old-sent", 800, DeliveryStatus.sent),
        ("old-failed", 731, DeliveryStatus.failed),
        ("old-pending", 800, DeliveryStatus.pending),
        ("young-sent", 700, DeliveryStatus.sent),
    ):
        session.add(
            Delivery(
                message_key=key,
                recipient=chair.email,
                person_id=chair.id,
                subject=key,
                body_text="",
                status=status,
                created_at=now - timedelta(days=age),
            )
        )
    session.add(
        AuditEntry(action="create", entity="x", entity_id="old", at=now - timedelta(days=1900))
    )
    session.add(
        AuditEntry(action="create", entity="x", entity_id="kept", at=now - timedelta(days=1800))
    )
    session.flush()
    deleted = data_protection.apply_retention(session, 730, 1825, now=now)
    assert deleted == {"delivery": 2, "audit_entry": 1}
    keys = set(session.exec(select(Delivery.message_key)).all())
    assert {"old-pending", "young-sent", "k1"} <= keys and not keys & {"old-sent", "old-failed"}
    left = set(session.exec(select(AuditEntry.entity_id).where(AuditEntry.entity == "x")).all())
    assert left == {"kept"}


def test_the_retention_job_runs_nightly_with_the_settings(
    connection, session, world, settings, monkeypatch
):
    from app.jobs import data_protection as jobs

    assert ("data_retention", jobs.apply_retention) in [(j[0], j[1]) for j in scheduler.JOBS]
    assert settings.delivery_retention_days == 730 and settings.audit_retention_days == 1825
    monkeypatch.setattr(settings, "delivery_retention_days", 0)
    session.exec(select(Delivery)).one().created_at = utcnow() - timedelta(days=1)
    session.commit()
    assert jobs.apply_retention(connection) == {"delivery": 1, "audit_entry": 0}


def _audit_writers(root: Path = ROOT) -> list[str]:
    """Every place in root/app/ that changes or deletes audit rows."""
    found = []
    for path in sorted((root / "app").rglob("*.py")):
        source = path.read_text()
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                arguments = [ast.unparse(a) for a in node.args]
                if name in ("update", "delete") and any("audit" in a.lower() for a in arguments):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = " ".join(node.value.lower().split())
                if "update audit_entry" in text or "delete from audit_entry" in text:
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
        # An AuditEntry loaded and handed to session.delete, or changed field by field.
        if "AuditEntry" in source and path.name not in ("audit.py", "data_protection.py"):
            for node in ast.walk(tree):
                changed: list[ast.expr] = []
                if isinstance(node, ast.Assign):
                    changed = [t.value for t in node.targets if isinstance(t, ast.Attribute)]
                elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "delete":
                    changed = list(node.args)
                if any(ast.unparse(c).endswith(("entry", "audit")) for c in changed):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_the_audit_log_cannot_be_edited_through_the_application():
    # Only the retention rule deletes audit entries, and nothing updates them.
    assert _audit_writers() == ["app/services/privacy/data_protection.py:" + str(_retention_line())]
    # No route changes the audit log: its pages and API only read.
    for entry in all_routes():
        method, path = entry.split(" ", 1)
        if "audit" in path:
            assert method == "GET", entry


def _retention_line() -> int:
    source = (ROOT / "app/services/privacy/data_protection.py").read_text()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", "") == "delete"
            and "audit" in ast.unparse(node.args[0])
        ):
            return node.lineno
    raise AssertionError("the retention rule is gone")


@pytest.mark.parametrize(
    "body",
    [
        "session.execute(update(AuditEntry).values(action='x'))",
        "session.execute(delete(AuditEntry))",
        "session.execute(text('UPDATE audit_entry SET action = 1'))",
        "session.execute(text('DELETE  FROM audit_entry'))",
        "session.delete(entry)",
        "entry.after = {}",
    ],
)
def test_the_scan_finds_an_edit_of_the_audit_log(tmp_path, body):
    # The scan itself works: any of these written into a service would be found.
    (tmp_path / "app" / "services").mkdir(parents=True)
    (tmp_path / "app" / "services" / "probe.py").write_text(
        f"from app.models.audit import AuditEntry\n\ndef f(session, entry):\n    {body}\n"
    )
    assert _audit_writers(tmp_path) == ["app/services/probe.py:4"]
