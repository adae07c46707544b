"""Administration pages: people, staff roles, passwords and the read-only audit log."""

from decimal import Decimal
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func
from sqlmodel import select

from app.main import create_app
from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.houses import Apartment
from app.models.people import Language, Person, PersonUpdate, StaffKind, StaffRole
from app.security import verify_password
from app.services.bodies import people as people_service
from tests.support import (
    make_committee,
    make_house,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)

EN = {"language": Language.en}


@pytest.fixture()
def world(session) -> dict[str, Any]:
    """An administrator, the other roles, and a resident to administer."""
    house = make_house(session, name="Koivukuja")
    chair = make_resident(session, house, make_person(session, **EN))
    make_committee(session, house, [(chair, Position.chair)])
    target = make_resident(
        session,
        house,
        make_person(session, name="Kaisa Kohde", email="kaisa.kohde@example.com", **EN),
        apartment="C 7",
    )
    people = {
        "admin": make_staff(session, StaffKind.admin, name="Ylläpitäjä Ulla", **EN),
        "management": make_staff(session, StaffKind.management, **EN),
        "adviser": make_staff(session, StaffKind.housing_adviser, **EN),
        "manager": make_manager(session, house),
        "chair": chair,
        "resident": make_resident(session, house, make_person(session, **EN)),
    }
    session.commit()
    return {"people": people, "target": target, "house": house}


REFUSED = ["management", "adviser", "manager", "chair", "resident"]


def _pages(target: Person) -> list[str]:
    return [
        "/admin",
        "/admin/people",
        "/admin/people/new",
        f"/admin/people/{target.id}",
        f"/admin/people/{target.id}/edit",
        "/admin/audit",
    ]


def _posts(target: Person) -> list[tuple[str, dict[str, str]]]:
    return [
        ("/admin/people/new", {"name": "Uusi", "email": "uusi@example.com", "language": "fi"}),
        (
            f"/admin/people/{target.id}/edit",
            {"name": "Muutettu", "email": target.email, "language": "fi", "version": "1"},
        ),
        (f"/admin/people/{target.id}/roles", {"kind": "admin"}),
        (f"/admin/people/{target.id}/roles/management/revoke", {}),
        (
            f"/admin/people/{target.id}/password",
            {"password": "salasana-123456", "password_confirm": "salasana-123456"},
        ),
    ]


def test_admin_opens_every_page(client, session, world):
    client.login_as(session, world["people"]["admin"])
    for url in _pages(world["target"]):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.text.count("<h1") == 1, url


@pytest.mark.parametrize("role", REFUSED)
def test_everyone_else_is_refused(client, session, world, role):
    client.login_as(session, world["people"][role])
    target = world["target"]
    for url in _pages(target):
        assert client.get(url).status_code == 403, url
    for url, data in _posts(target):
        assert client.submit(url, data).status_code == 403, url
    session.refresh(target)
    assert target.name == "Kaisa Kohde" and target.password_hash is None
    assert people_service.staff_roles(session, target.id) == []
    assert people_service.by_email(session, "uusi@example.com") is None


def test_anonymous_is_sent_to_login(client, world):
    target = world["target"]
    for url in _pages(target):
        response = client.get(url)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/login?next=/admin"), url
    for url, data in _posts(target):
        assert client.submit(url, data).status_code == 303, url


def test_index_links_to_every_part(client, session, world):
    client.login_as(session, world["people"]["admin"])
    page = client.get("/admin").text
    for href in ("/houses", "/houses/new", "/admin/people", "/admin/import", "/admin/audit"):
        assert f'href="{href}"' in page


def test_unknown_person_is_404(client, session, world):
    client.login_as(session, world["people"]["admin"])
    assert client.get("/admin/people/999999").status_code == 404
    assert client.get("/admin/people/999999/edit").status_code == 404
    assert client.submit("/admin/people/999999/roles", {"kind": "admin"}).status_code == 404


def test_people_search_and_paging(client, session, world):
    for n in range(55):
        make_person(session, name=f"Sivutus {n:02d}", email=f"sivutus{n:02d}@example.com")
    session.commit()
    client.login_as(session, world["people"]["admin"])
    found = client.get("/admin/people", params={"q": "kaisa.kohde"})
    assert "Kaisa Kohde" in found.text and "Sivutus" not in found.text
    first = client.get("/admin/people", params={"q": "sivutus"})
    assert "55 people found" in first.text
    assert "Sivutus 00" in first.text and "Sivutus 50" not in first.text
    assert "page=2" in first.text and "q=sivutus" in first.text
    second = client.get("/admin/people", params={"q": "sivutus", "page": 2})
    assert "Sivutus 50" in second.text and "Sivutus 00" not in second.text
    nobody = client.get("/admin/people", params={"q": "ei-ketään-tällä-nimellä"})
    assert "Nobody matches the search." in nobody.text


def test_create_person(client, session, world):
    admin = world["people"]["admin"]
    client.login_as(session, admin)
    response = client.submit(
        "/admin/people/new",
        {
            "name": "Ville Uusi",
            "email": "Ville.Uusi@Example.com",
            "phone": "040 555 1234",
            "language": "sv",
            "birth_date": "1990-04-30",
        },
    )
    assert response.status_code == 303
    person = people_service.by_email(session, "ville.uusi@example.com")
    assert person is not None
    assert response.headers["location"] == f"/admin/people/{person.id}"
    assert (person.language, person.phone) == (Language.sv, "040 555 1234")
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "person", AuditEntry.entity_id == str(person.id)
        )
    ).one()
    assert entry.actor_id == admin.id


def test_create_person_with_taken_email_shows_error_at_field(client, session, world):
    client.login_as(session, world["people"]["admin"])
    response = client.submit(
        "/admin/people/new",
        {"name": "Kaksoisolento", "email": "KAISA.KOHDE@example.com", "language": "fi"},
    )
    assert response.status_code == 422
    assert 'id="error-email"' in response.text
    assert "This email address is already in use." in response.text
    assert 'value="Kaksoisolento"' in response.text


def test_create_person_with_bad_input_keeps_values(client, session, world):
    client.login_as(session, world["people"]["admin"])
    response = client.submit(
        "/admin/people/new",
        {"name": "", "email": "ei-sähköposti", "language": "de", "birth_date": "eilen"},
    )
    assert response.status_code == 422
    for field in ("name", "email", "language", "birth_date"):
        assert f'id="error-{field}"' in response.text, field
    assert 'value="ei-sähköposti"' in response.text and 'value="eilen"' in response.text


def test_person_page_shows_residencies_and_roles(client, session, world):
    target = world["target"]
    session.add(StaffRole(person_id=target.id, kind=StaffKind.housing_adviser))
    session.commit()
    client.login_as(session, world["people"]["admin"])
    page = client.get(f"/admin/people/{target.id}").text
    assert "Koivukuja" in page and "C 7" in page
    assert "Housing adviser" in page
    assert f'action="/admin/people/{target.id}/roles/housing_adviser/revoke"' in page
    assert '<option value="housing_adviser"' not in page  # already held
    assert '<option value="management"' in page


def test_person_page_shows_the_apartments_floor_area(client, session, world):
    target, house = world["target"], world["house"]
    client.login_as(session, world["people"]["admin"])
    assert "not recorded" in client.get(f"/admin/people/{target.id}").text
    session.add(Apartment(house_id=house.id, label="C 7", floor_area_m2=Decimal("48.5")))
    session.commit()
    page = client.get(f"/admin/people/{target.id}").text
    assert "48.5 m²" in page and "not recorded" not in page


def test_edit_person(client, session, world):
    target = world["target"]
    client.login_as(session, world["people"]["admin"])
    form = client.get(f"/admin/people/{target.id}/edit")
    assert 'name="version" value="1"' in form.text
    assert 'value="kaisa.kohde@example.com"' in form.text
    response = client.submit(
        f"/admin/people/{target.id}/edit",
        {
            "name": "Kaisa Muutettu",
            "email": "kaisa.uusi@example.com",
            "phone": "",
            "language": "en",
            "birth_date": "",
            "version": "1",
        },
    )
    assert response.status_code == 303
    session.refresh(target)
    assert (target.name, target.email, target.birth_date, target.version) == (
        "Kaisa Muutettu",
        "kaisa.uusi@example.com",
        None,
        2,
    )


def test_edit_with_stale_version_is_a_conflict_and_keeps_values(client, session, world):
    target = world["target"]
    client.login_as(session, world["people"]["admin"])
    people_service.update(session, target, PersonUpdate(phone="09 123"), None, target.version)
    session.commit()
    response = client.submit(
        f"/admin/people/{target.id}/edit",
        {"name": "Minun Muutokseni", "email": target.email, "language": "fi", "version": "1"},
    )
    assert response.status_code == 409
    assert "Someone else changed this person in the meantime" in response.text
    assert 'value="Minun Muutokseni"' in response.text
    session.refresh(target)
    assert target.name == "Kaisa Kohde"


def test_edit_to_taken_email_is_an_error_at_the_field(client, session, world):
    target = world["target"]
    other = world["people"]["resident"]
    client.login_as(session, world["people"]["admin"])
    response = client.submit(
        f"/admin/people/{target.id}/edit",
        {"name": target.name, "email": other.email.upper(), "language": "fi", "version": "1"},
    )
    assert response.status_code == 422
    assert 'id="error-email"' in response.text
    session.refresh(target)
    assert target.email == "kaisa.kohde@example.com"


def test_grant_and_revoke_a_staff_role(client, session, world):
    target = world["target"]
    client.login_as(session, world["people"]["admin"])
    response = client.submit(f"/admin/people/{target.id}/roles", {"kind": "management"})
    assert response.status_code == 303
    assert [r.kind for r in people_service.staff_roles(session, target.id)] == [
        StaffKind.management
    ]
    revoke = client.submit(f"/admin/people/{target.id}/roles/management/revoke")
    assert revoke.status_code == 303
    assert people_service.staff_roles(session, target.id) == []
    actions = [
        e.action
        for e in session.exec(
            select(AuditEntry).where(AuditEntry.entity == "staff_role").order_by(AuditEntry.id)
        )
    ]
    assert actions == ["create", "delete"]


def test_grant_without_a_kind_is_an_error_at_the_field(client, session, world):
    client.login_as(session, world["people"]["admin"])
    response = client.submit(f"/admin/people/{world['target'].id}/roles", {"kind": "king"})
    assert response.status_code == 422
    assert 'id="error-kind"' in response.text


def test_the_last_administrator_cannot_revoke_their_own_role(client, session, world):
    admin = world["people"]["admin"]
    for role in session.exec(select(StaffRole).where(StaffRole.kind == StaffKind.admin)):
        if role.person_id != admin.id:
            session.delete(role)
    session.commit()
    client.login_as(session, admin)
    response = client.submit(f"/admin/people/{admin.id}/roles/admin/revoke")
    assert response.status_code == 422
    assert "The last administrator cannot lose the role." in response.text
    assert [r.kind for r in people_service.staff_roles(session, admin.id)] == [StaffKind.admin]


def test_set_password(client, session, world):
    target = world["target"]
    client.login_as(session, world["people"]["admin"])
    response = client.submit(
        f"/admin/people/{target.id}/password",
        {"password": "uusi-salasana-2026", "password_confirm": "uusi-salasana-2026"},
    )
    assert response.status_code == 303
    session.refresh(target)
    assert verify_password(target.password_hash, "uusi-salasana-2026")
    assert "The password has been set." in client.get(response.headers["location"]).text


@pytest.mark.parametrize(
    ("password", "confirm", "field"),
    [("lyhyt", "lyhyt", "password"), ("pitkä-salasana-1", "pitkä-salasana-2", "password_confirm")],
)
def test_bad_password_is_an_error_at_the_field(client, session, world, password, confirm, field):
    target = world["target"]
    client.login_as(session, world["people"]["admin"])
    response = client.submit(
        f"/admin/people/{target.id}/password",
        {"password": password, "password_confirm": confirm},
    )
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.text
    assert password not in response.text  # a password is never echoed back
    session.refresh(target)
    assert target.password_hash is None


def test_audit_log_shows_changes_newest_first_and_filters(client, session, world):
    admin = world["people"]["admin"]
    target = world["target"]
    client.login_as(session, admin)
    client.submit(f"/admin/people/{target.id}/roles", {"kind": "housing_adviser"})
    client.submit(
        f"/admin/people/{target.id}/edit",
        {"name": "Kaisa Uusinimi", "email": target.email, "language": "fi", "version": "1"},
    )
    page = client.get("/admin/audit").text
    assert page.index("Kaisa Uusinimi") < page.index("housing_adviser")
    assert "Ylläpitäjä Ulla" in page
    filtered = client.get("/admin/audit", params={"entity": "staff_role"}).text
    assert "housing_adviser" in filtered and "Kaisa Uusinimi" not in filtered
    one = client.get("/admin/audit", params={"entity": "person", "entity_id": str(target.id)}).text
    assert "Kaisa Uusinimi" in one


def test_audit_log_pages(client, session, world):
    for n in range(60):
        session.add(AuditEntry(action="update", entity="house", entity_id=str(n)))
    session.commit()
    client.login_as(session, world["people"]["admin"])
    first = client.get("/admin/audit", params={"entity": "house"}).text
    assert "60 changes" in first and "Page 1 of 2" in first
    assert "House #59" in first and "House #5<" not in first
    second = client.get("/admin/audit", params={"entity": "house", "page": 2}).text
    assert "House #5<" in second and "House #59" not in second


def test_audit_log_cannot_be_changed_through_the_app(client, session, world):
    entry = AuditEntry(action="create", entity="house", entity_id="1", after={"name": "x"})
    session.add(entry)
    session.commit()
    client.login_as(session, world["people"]["admin"])
    count = session.exec(select(func.count()).select_from(AuditEntry)).one()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for url in ("/admin/audit", f"/admin/audit/{entry.id}"):
            response = client.request(method, url, data={"csrf_token": client.csrf()})
            assert response.status_code in (404, 405), (method, url)
    assert session.exec(select(func.count()).select_from(AuditEntry)).one() == count
    session.refresh(entry)
    assert entry.after == {"name": "x"}
    # No route anywhere accepts anything but reading where the audit log lives.
    for route in create_app().routes:
        if isinstance(route, APIRoute) and "audit" in route.path:
            assert route.methods <= {"GET", "HEAD"}, route.path
