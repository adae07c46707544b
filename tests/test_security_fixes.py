"""Holes found in review, each closed: tests that would fail if one reopened."""

from datetime import date, timedelta

from sqlmodel import select

from app.deps import SESSION_COOKIE
from app.models.auth import ApiToken, LoginLink, LoginSession
from app.models.committees import Position
from app.models.mail import Delivery
from app.models.people import StaffKind
from app.services.access.roles import load_principal
from app.services.bodies import yte as yte_service
from tests.support import (
    PortalClient,
    api_headers,
    make_committee,
    make_house,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)


def test_revoking_the_manager_role_releases_the_houses(client, session):
    house = make_house(session)
    manager = make_manager(session, house)
    admin = make_staff(session, StaffKind.admin)
    client.login_as(session, admin)
    response = client.submit(f"/admin/people/{manager.id}/roles/property_manager/revoke")
    assert response.status_code == 303
    session.refresh(house)
    assert house.property_manager_id is None
    headers = api_headers(session, manager)
    assert client.get(f"/api/v1/houses/{house.id}/residents", headers=headers).status_code == 403


def test_a_house_assignment_without_the_role_gives_no_rights(session):
    house = make_house(session)
    person = make_person(session)
    house.property_manager_id = person.id
    session.add(house)
    session.flush()
    assert load_principal(session, person, date.today()).manager_of == set()


def test_tokens_cannot_manage_tokens_and_need_read_for_me(client, session):
    person = make_person(session)
    login = api_headers(session, person)
    no_rights = api_headers(session, person, scopes=[])
    read_only = api_headers(session, person, scopes=["read"])
    assert client.get("/api/v1/me", headers=no_rights).status_code == 403
    assert client.get("/api/v1/me", headers=read_only).status_code == 200
    access = session.exec(select(ApiToken).where(ApiToken.kind == "access")).one()
    assert client.delete(f"/api/v1/me/tokens/{access.id}", headers=read_only).status_code == 403
    assert client.get("/api/v1/me/tokens", headers=read_only).status_code == 403
    assert client.get("/api/v1/me/tokens", headers=login).status_code == 200


def test_changing_the_password_ends_other_logins(app, client, session):
    person = make_person(session)
    client.login_as(session, person)
    other_browser = PortalClient(app).login_as(session, person)
    headers = api_headers(session, person)
    response = client.submit(
        "/account/password", {"password": "uusi-salasana-1", "password_confirm": "uusi-salasana-1"}
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200  # this browser stays logged in
    assert other_browser.get("/account").status_code == 303
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    remaining = session.exec(select(LoginSession).where(LoginSession.person_id == person.id)).all()
    assert len(remaining) == 1
    assert client.cookies.get(SESSION_COOKIE)


def test_link_requests_cannot_lock_anyone_out(client, session, settings):
    person = make_person(session, password="oikea-salasana-123")
    for _ in range(settings.login_attempts_per_account + 2):
        client.submit("/login/link", {"link_email": person.email})
    response = client.submit("/login", {"email": person.email, "password": "oikea-salasana-123"})
    assert response.status_code == 303


def test_link_requests_are_limited_per_account_silently(client, session, settings):
    person = make_person(session)
    limit = settings.login_attempts_per_account
    answers = []
    for address in (person.email, "nobody-here@example.com"):
        for _ in range(limit + 2):
            response = client.submit("/login/link", {"link_email": address})
            answers.append((response.status_code, response.text.replace(address, "<address>")))
    # Known or not, within the limit or beyond it: the same answer every time.
    assert len(set(answers)) == 1 and answers[0][0] == 200
    links = session.exec(select(LoginLink).where(LoginLink.person_id == person.id)).all()
    assert len(links) == limit
    mails = session.exec(select(Delivery).where(Delivery.person_id == person.id)).all()
    assert len(mails) == limit


def test_a_house_name_of_spaces_is_refused_at_the_field(client, session):
    house = make_house(session)
    admin = make_staff(session, StaffKind.admin)
    client.login_as(session, admin)
    form = {
        "code": house.code,
        "name": "   ",
        "street_address": house.street_address,
        "postal_code": house.postal_code,
        "city": "Helsinki",
        "district": house.district,
        "apartments": "40",
        "floor_area": "2500",
        "year_built": "1995",
        "version": str(house.version),
    }
    response = client.submit(f"/houses/{house.id}/edit", form)
    assert response.status_code == 422
    assert 'id="error-name"' in response.text
    session.refresh(house)
    assert house.name.strip()


def test_a_chair_who_moved_out_loses_the_seat_rights(session):
    house = make_house(session)
    chair = make_resident(session, house, ends_on=date.today() - timedelta(days=5))
    make_committee(session, house, [(chair, Position.chair)])
    principal = load_principal(session, chair, date.today())
    assert house.id not in principal.committee_of and house.id not in principal.chair_of
    assert not yte_service.is_sitting_chair(session, chair.id, house.id, date.today())
