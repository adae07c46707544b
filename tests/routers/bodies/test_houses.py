"""House pages: list, house page, administrators' editing; per role and per house."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.houses import House, Residency, Tenure
from app.models.meetings import ResidentMeeting
from app.models.people import StaffKind
from app.models.types import utcnow
from tests.support import fi, make_committee, make_house, make_manager, make_person, make_resident
from tests.support import make_staff as make_staff_person


def chair_of(session, house):
    person = make_resident(session, house)
    make_committee(session, house, [(person, Position.chair)])
    return person


def admin(session):
    return make_staff_person(session, StaffKind.admin)


def residency_of(session, person):
    return session.exec(select(Residency).where(Residency.person_id == person.id)).one()


def house_form(**fields):
    values = {
        "code": "UUSI-1",
        "name": "Uusi Kotitalo",
        "street_address": "Mannerheimintie 100",
        "postal_code": "00250",
        "city": "Helsinki",
        "district": "Taka-Töölö",
        "apartments": "30",
        "floor_area": "2\u00a0100,5",
        "year_built": "2010",
        "property_manager_id": "",
    }
    values.update(fields)
    return values


# anonymous


@pytest.mark.parametrize(
    "path",
    [
        "/houses",
        "/houses/{id}",
        "/houses/new",
        "/houses/{id}/edit",
        "/houses/{id}/residents/new",
        "/houses/{id}/residents/{rid}/end",
    ],
)
def test_anonymous_pages_redirect_to_login(client, session, path):
    house = make_house(session)
    resident = make_resident(session, house)
    url = path.format(id=house.id, rid=residency_of(session, resident).id)
    response = client.get(url)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "path",
    [
        "/houses/new",
        "/houses/{id}/edit",
        "/houses/{id}/residents/new",
        "/houses/{id}/residents/{rid}/end",
    ],
)
def test_anonymous_posts_redirect_to_login_and_change_nothing(client, session, path):
    house = make_house(session, name="Koskematon")
    resident = make_resident(session, house)
    url = path.format(id=house.id, rid=residency_of(session, resident).id)
    response = client.submit(url, house_form(name="Muutettu", version="1", ends_on="2025-01-01"))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    session.refresh(house)
    assert house.name == "Koskematon"
    assert residency_of(session, resident).ends_on is None


# the list


def test_resident_sees_the_list_with_search_and_district_select(client, session):
    home = make_house(session, name="Oma Talo", district="Herttoniemi", year_built=1987)
    make_house(session, name="Toinen Talo", district="Vuosaari")
    client.login_as(session, make_resident(session, home))
    page = client.get("/houses")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert '<label class="hds-text-input__label" for="field-q">' in page.text
    assert '<option value="Herttoniemi">Herttoniemi</option>' in page.text
    assert '<caption id="houses-caption">' in page.text and '<th scope="col">' in page.text
    assert 'role="region" tabindex="0" aria-labelledby="houses-caption"' in page.text
    assert f'<a href="/houses/{home.id}">Oma Talo</a>' in page.text
    found = client.get("/houses", params={"q": "oma talo"})
    assert "Oma Talo" in found.text and "Toinen Talo" not in found.text
    by_district = client.get("/houses", params={"district": "Vuosaari"})
    assert "Toinen Talo" in by_district.text and "Oma Talo" not in by_district.text
    assert '<option value="Vuosaari" selected>' in by_district.text
    assert (
        fi("No houses match the search.")
        in client.get("/houses", params={"q": "ei-mitään-tällaista"}).text
    )


def test_list_pages_by_fifty_with_previous_and_next_links(client, session):
    for n in range(51):
        make_house(session, name=f"Sivutettu {n:02d}", district="Sivutettu piiri")
    client.login_as(session, make_person(session))
    first = client.get("/houses", params={"q": "sivutettu"})
    assert first.status_code == 200
    assert "Sivutettu 49" in first.text and "Sivutettu 50" not in first.text
    assert fi("page %(page)s of %(pages)s", page=1, pages=2) in first.text
    assert 'rel="prev"' not in first.text
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first.text)
    assert next_link is not None
    second = client.get(next_link.group(1).replace("&amp;", "&"))
    assert "Sivutettu 50" in second.text and "Sivutettu 49" not in second.text
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert client.get("/houses", params={"page": "0"}).status_code == 422


# the house page


def add_meeting(session, house, days):
    starts_at = utcnow() + timedelta(days=days)
    meeting = ResidentMeeting(
        house_id=house.id,
        starts_at=starts_at,
        place=f"Kerhohuone {days}",
        invitation_on=(starts_at - timedelta(days=14)).date(),
    )
    session.add(meeting)
    session.flush()
    return meeting


def test_house_page_shows_facts_manager_committee_and_meetings(client, session):
    house = make_house(
        session,
        name="Kaikkien Talo",
        district="Kallio",
        apartments=55,
        floor_area=Decimal("3210.5"),
    )
    manager = make_manager(session, house)
    chair = chair_of(session, house)
    last = add_meeting(session, house, -30)
    upcoming = add_meeting(session, house, 30)
    client.login_as(session, make_resident(session, house))
    page = client.get(f"/houses/{house.id}")
    assert page.status_code == 200
    text = page.text
    assert text.count("<h1") == 1 and "<h1>Kaikkien Talo</h1>" in text
    assert "Kallio" in text and house.street_address in text and "55" in text
    assert "3,210.5 m²" in text or "3 210,5 m²" in text or "3\xa0210,5 m²" in text
    assert manager.name in text
    assert chair.name in text and fi("Chair") in text
    assert f'href="/meetings/{last.id}"' in text and f'href="/meetings/{upcoming.id}"' in text
    # a resident of the house sees neither residents nor editing
    assert 'id="residents"' not in text
    assert f"/houses/{house.id}/edit" not in text
    assert f"/houses/{house.id}/meetings/new" not in text


def test_house_page_of_unknown_house_is_404(client, session):
    client.login_as(session, make_person(session))
    assert client.get("/houses/999999").status_code == 404


def test_chair_sees_residents_and_the_new_meeting_link(client, session):
    house = make_house(session)
    chair = chair_of(session, house)
    neighbour = make_resident(
        session, house, make_person(session, name="Naapuri Nelli"), apartment="B 5"
    )
    renter = make_resident(
        session, house, make_person(session, name="Vuokralainen Ville"), tenure=Tenure.renter
    )
    client.login_as(session, chair)
    text = client.get(f"/houses/{house.id}").text
    assert 'id="residents"' in text
    assert neighbour.name in text and "B 5" in text
    assert renter.name in text and fi("Renter") in text
    assert f'href="/houses/{house.id}/meetings/new"' in text
    assert f"/houses/{house.id}/edit" not in text
    assert "/residents/new" not in text and "/end" not in text


def test_chair_of_another_house_sees_the_page_but_not_its_residents(client, session):
    house, other = make_house(session), make_house(session)
    resident = make_resident(session, house, make_person(session, name="Yksityinen Ylva"))
    client.login_as(session, chair_of(session, other))
    page = client.get(f"/houses/{house.id}")
    assert page.status_code == 200
    assert resident.name not in page.text and 'id="residents"' not in page.text
    assert f"/houses/{house.id}/meetings/new" not in page.text


def test_property_manager_sees_residents_of_own_house_only(client, session):
    own, other = make_house(session), make_house(session)
    manager = make_manager(session, own)
    mine = make_resident(session, own)
    theirs = make_resident(session, other)
    client.login_as(session, manager)
    assert mine.name in client.get(f"/houses/{own.id}").text
    assert theirs.name not in client.get(f"/houses/{other.id}").text


def test_admin_sees_edit_add_and_end_links(client, session):
    house = make_house(session)
    resident = make_resident(session, house)
    client.login_as(session, admin(session))
    text = client.get(f"/houses/{house.id}").text
    assert f'href="/houses/{house.id}/edit"' in text
    assert f'href="/houses/{house.id}/residents/new"' in text
    assert f'href="/houses/{house.id}/residents/{residency_of(session, resident).id}/end"' in text
    assert 'href="/houses/new"' in client.get("/houses").text


# adding a house


def test_admin_adds_a_house(client, session):
    manager = make_staff_person(session, StaffKind.property_manager, name="Pirjo Isännöitsijä")
    client.login_as(session, admin(session))
    form = client.get("/houses/new")
    assert form.status_code == 200 and "Pirjo Isännöitsijä" in form.text
    response = client.submit("/houses/new", house_form(property_manager_id=str(manager.id)))
    assert response.status_code == 303
    house = session.exec(select(House).where(House.code == "UUSI-1")).one()
    assert response.headers["location"] == f"/houses/{house.id}"
    assert house.floor_area == Decimal("2100.5")
    assert house.property_manager_id == manager.id
    audit = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "house", AuditEntry.entity_id == str(house.id)
        )
    ).one()
    assert audit.action == "create"


def test_bad_new_house_shows_errors_at_fields_and_keeps_values(client, session):
    client.login_as(session, admin(session))
    response = client.submit(
        "/houses/new", house_form(postal_code="123", name="", year_built="vanha")
    )
    assert response.status_code == 422
    text = response.text
    assert 'id="field-postal_code"' in text and 'aria-describedby="error-postal_code"' in text
    assert 'id="error-name"' in text and 'id="error-year_built"' in text
    assert 'value="Mannerheimintie 100"' in text and 'value="123"' in text
    assert session.exec(select(House).where(House.code == "UUSI-1")).first() is None


def test_new_house_with_a_used_code_is_refused_at_the_code(client, session):
    make_house(session, code="VARATTU")
    client.login_as(session, admin(session))
    response = client.submit("/houses/new", house_form(code="varattu"))
    assert response.status_code == 422
    assert 'id="error-code"' in response.text


def test_new_house_manager_must_be_a_property_manager(client, session):
    resident = make_person(session)
    client.login_as(session, admin(session))
    response = client.submit("/houses/new", house_form(property_manager_id=str(resident.id)))
    assert response.status_code == 422
    assert 'id="error-property_manager_id"' in response.text


@pytest.mark.parametrize("role", ["chair", "manager", "management"])
def test_only_admins_may_add_houses(client, session, role):
    house = make_house(session)
    user = {
        "chair": lambda: chair_of(session, house),
        "manager": lambda: make_manager(session, house),
        "management": lambda: make_staff_person(session, StaffKind.management),
    }[role]()
    client.login_as(session, user)
    assert client.get("/houses/new").status_code == 403
    assert client.submit("/houses/new", house_form()).status_code == 403
    assert session.exec(select(House).where(House.code == "UUSI-1")).first() is None


# editing a house


def test_admin_edits_a_house(client, session):
    house = make_house(session, name="Ennen")
    client.login_as(session, admin(session))
    form = client.get(f"/houses/{house.id}/edit")
    assert form.status_code == 200
    assert 'name="version" value="1"' in form.text and 'value="Ennen"' in form.text
    values = house_form(code=house.code, name="Jälkeen", version="1")
    response = client.submit(f"/houses/{house.id}/edit", values)
    assert response.status_code == 303
    assert response.headers["location"] == f"/houses/{house.id}"
    session.refresh(house)
    assert (house.name, house.version) == ("Jälkeen", 2)


def test_edit_conflict_keeps_input_and_shows_the_saved_values(client, session):
    house = make_house(session, name="Alkuperäinen")
    client.login_as(session, admin(session))
    house.name = "Toisen muutos"
    house.version = 2
    session.add(house)
    session.commit()
    values = house_form(code=house.code, name="Minun muutokseni", version="1")
    response = client.submit(f"/houses/{house.id}/edit", values)
    assert response.status_code == 409
    conflict = fi(
        "Someone else changed this house while you were editing it, so your changes were "
        "not saved. The form keeps what you entered and shows the saved values beside it. "
        "Check them and save again."
    )
    assert conflict in response.text
    assert 'value="Minun muutokseni"' in response.text
    assert "Toisen muutos" in response.text
    assert 'name="version" value="2"' in response.text
    session.refresh(house)
    assert house.name == "Toisen muutos"


def test_bad_edit_shows_errors_and_keeps_values(client, session):
    house = make_house(session)
    client.login_as(session, admin(session))
    values = house_form(code=house.code, apartments="0", version="1")
    response = client.submit(f"/houses/{house.id}/edit", values)
    assert response.status_code == 422
    assert 'id="error-apartments"' in response.text and 'value="0"' in response.text
    session.refresh(house)
    assert house.version == 1


def test_edit_sets_and_removes_the_property_manager(client, session):
    house = make_house(session)
    manager = make_staff_person(session, StaffKind.property_manager)
    client.login_as(session, admin(session))
    values = house_form(code=house.code, version="1", property_manager_id=str(manager.id))
    assert client.submit(f"/houses/{house.id}/edit", values).status_code == 303
    session.refresh(house)
    assert house.property_manager_id == manager.id
    values = house_form(code=house.code, version="2", property_manager_id="")
    assert client.submit(f"/houses/{house.id}/edit", values).status_code == 303
    session.refresh(house)
    assert house.property_manager_id is None


def test_house_manager_may_not_edit_their_house(client, session):
    house = make_house(session, name="Ennallaan")
    client.login_as(session, make_manager(session, house))
    assert client.get(f"/houses/{house.id}/edit").status_code == 403
    values = house_form(code=house.code, name="Muutettu", version="1")
    assert client.submit(f"/houses/{house.id}/edit", values).status_code == 403
    session.refresh(house)
    assert house.name == "Ennallaan"


def test_editing_an_unknown_house_is_404(client, session):
    client.login_as(session, admin(session))
    assert client.get("/houses/999999/edit").status_code == 404
    assert client.submit("/houses/999999/edit", house_form(version="1")).status_code == 404


# residents


def test_admin_adds_a_resident_by_email(client, session):
    house = make_house(session)
    person = make_person(session, name="Uusi Asukas", email="uusi.asukas@example.com")
    client.login_as(session, admin(session))
    form = client.get(f"/houses/{house.id}/residents/new")
    assert form.status_code == 200 and 'for="field-email"' in form.text
    response = client.submit(
        f"/houses/{house.id}/residents/new",
        {
            "email": "Uusi.Asukas@example.com",
            "apartment": "C 12",
            "tenure": "renter",
            "starts_on": "2025-03-01",
        },
    )
    assert response.status_code == 303
    residency = residency_of(session, person)
    assert (residency.house_id, residency.apartment, residency.tenure) == (
        house.id,
        "C 12",
        Tenure.renter,
    )
    assert residency.starts_on == date(2025, 3, 1) and residency.ends_on is None


def test_resident_form_errors_at_fields_with_values_kept(client, session):
    house = make_house(session)
    client.login_as(session, admin(session))
    response = client.submit(
        f"/houses/{house.id}/residents/new",
        {"email": "ei.ketaan@example.com", "apartment": "D 1", "starts_on": "2025-01-01"},
    )
    assert response.status_code == 422
    assert 'id="error-email"' in response.text and 'value="D 1"' in response.text
    person = make_person(session)
    response = client.submit(
        f"/houses/{house.id}/residents/new",
        {
            "email": person.email,
            "apartment": "D 1",
            "starts_on": "2025-01-01",
            "ends_on": "2024-01-01",
        },
    )
    assert response.status_code == 422 and 'id="error-ends_on"' in response.text
    response = client.submit(
        f"/houses/{house.id}/residents/new", {"email": person.email, "apartment": ""}
    )
    assert response.status_code == 422
    assert 'id="error-apartment"' in response.text and 'id="error-starts_on"' in response.text


def test_overlapping_residency_is_refused_at_the_start_date(client, session):
    house = make_house(session)
    person = make_resident(session, house, starts_on=date(2020, 1, 1))
    client.login_as(session, admin(session))
    response = client.submit(
        f"/houses/{house.id}/residents/new",
        {"email": person.email, "apartment": "E 2", "starts_on": "2024-01-01"},
    )
    assert response.status_code == 422 and 'id="error-starts_on"' in response.text


def test_admin_ends_a_residency(client, session):
    house = make_house(session)
    resident = make_resident(session, house, make_person(session, name="Lähtevä Lauri"))
    residency = residency_of(session, resident)
    client.login_as(session, admin(session))
    url = f"/houses/{house.id}/residents/{residency.id}/end"
    form = client.get(url)
    assert form.status_code == 200 and "Lähtevä Lauri" in form.text
    response = client.submit(url, {"ends_on": "2025-06-30"})
    assert response.status_code == 303
    session.refresh(residency)
    assert residency.ends_on == date(2025, 6, 30)


def test_ending_a_residency_with_a_bad_date_shows_the_error_at_the_field(client, session):
    house = make_house(session)
    residency = residency_of(session, make_resident(session, house, starts_on=date(2020, 1, 1)))
    client.login_as(session, admin(session))
    url = f"/houses/{house.id}/residents/{residency.id}/end"
    response = client.submit(url, {"ends_on": "2019-12-31"})
    assert response.status_code == 422
    assert 'id="error-ends_on"' in response.text and 'value="2019-12-31"' in response.text
    response = client.submit(url, {"ends_on": "huomenna"})
    assert response.status_code == 422 and 'id="error-ends_on"' in response.text
    session.refresh(residency)
    assert residency.ends_on is None


def test_residency_of_another_house_is_404(client, session):
    house, other = make_house(session), make_house(session)
    residency = residency_of(session, make_resident(session, other))
    client.login_as(session, admin(session))
    url = f"/houses/{house.id}/residents/{residency.id}/end"
    assert client.get(url).status_code == 404
    assert client.submit(url, {"ends_on": "2025-01-01"}).status_code == 404
    assert client.get("/houses/999999/residents/new").status_code == 404
    session.refresh(residency)
    assert residency.ends_on is None


@pytest.mark.parametrize("role", ["own_chair", "other_manager", "management", "resident"])
def test_only_admins_and_the_manager_may_change_residents(client, session, role):
    # The house's own property manager may (tests/routers/bodies/test_residents_on_paper.py).
    house = make_house(session)
    residency = residency_of(session, make_resident(session, house))
    person = make_person(session)
    user = {
        "own_chair": lambda: chair_of(session, house),
        "other_manager": lambda: make_manager(session, make_house(session)),
        "management": lambda: make_staff_person(session, StaffKind.management),
        "resident": lambda: make_resident(session, house),
    }[role]()
    client.login_as(session, user)
    assert client.get(f"/houses/{house.id}/residents/new").status_code == 403
    response = client.submit(
        f"/houses/{house.id}/residents/new",
        {"email": person.email, "apartment": "F 1", "starts_on": "2025-01-01"},
    )
    assert response.status_code == 403
    end_url = f"/houses/{house.id}/residents/{residency.id}/end"
    assert client.get(end_url).status_code == 403
    assert client.submit(end_url, {"ends_on": "2025-01-01"}).status_code == 403
    session.refresh(residency)
    assert residency.ends_on is None
    assert session.exec(select(Residency).where(Residency.person_id == person.id)).first() is None
