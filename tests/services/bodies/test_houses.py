"""Houses and residencies services: search, rules, optimistic locking, audit, overview."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from app.errors import Conflict, NotFound, ValidationFailed
from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.houses import HouseCreate, Residency, ResidencyCreate, Tenure
from app.models.meetings import ResidentMeeting
from app.models.people import StaffKind
from app.models.types import utcnow
from app.services.bodies import houses as houses_service
from app.services.bodies import residencies as residencies_service
from tests.support import (
    make_committee,
    make_house,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)

TODAY = date.today()


def house_input(**fields):
    values = {
        "code": "HASO-1",
        "name": "Käpylän Helmi",
        "street_address": "Koskelantie 1",
        "postal_code": "00610",
        "district": "Käpylä",
        "apartments": 24,
        "floor_area": Decimal("1800.5"),
        "year_built": 2004,
    }
    values.update(fields)
    return HouseCreate.model_construct(**values)  # unvalidated: the service checks again


def audit_rows(session, entity, entity_id):
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
            .order_by(col(AuditEntry.id))  # in the order written
        )
    )


def add_meeting(session, house, starts_at):
    meeting = ResidentMeeting(
        house_id=house.id,
        starts_at=starts_at,
        place="Kerhohuone",
        invitation_on=(starts_at - timedelta(days=14)).date(),
    )
    session.add(meeting)
    session.flush()
    return meeting


# houses: get and search


def test_get_unknown_house_is_not_found(session):
    with pytest.raises(NotFound):
        houses_service.get(session, 999999)


def test_search_matches_name_code_address_and_district_case_insensitively(session):
    helmi = make_house(session, name="Äijälän Helmi", code="ZZ-HELMI", district="Vallila")
    kivi = make_house(session, name="Kivitasku", street_address="Öljytie 5", district="Pasila")
    kallio = make_house(session, name="Kalliolan koti", district="Kallio")
    assert [h.id for h in houses_service.search(session, "äijälä")] == [helmi.id]
    assert [h.id for h in houses_service.search(session, "ÄIJÄLÄN")] == [helmi.id]
    assert [h.id for h in houses_service.search(session, "zz-helmi")] == [helmi.id]
    assert [h.id for h in houses_service.search(session, "ÖLJYTIE")] == [kivi.id]
    assert [h.id for h in houses_service.search(session, "pasila")] == [kivi.id]
    assert kallio.id in [h.id for h in houses_service.search(session, "KALLIO")]


def test_search_treats_percent_underscore_and_the_escape_character_literally(session):
    make_house(session, name="Tavallinen talo")
    underscored = make_house(session, name="Talo_1")
    assert houses_service.search(session, "%") == []
    assert [h.id for h in houses_service.search(session, "o_1")] == [underscored.id]
    exclaimed = make_house(session, name="Huuto!talo")
    assert [h.id for h in houses_service.search(session, "o!t")] == [exclaimed.id]


def test_search_filters_by_district_and_pages_by_name(session):
    names = ["Cc", "Aa", "Bb"]
    for name in names:
        make_house(session, name=f"Piiritalo {name}", district="Testipiiri")
    make_house(session, name="Piiritalo Dd", district="Muu piiri")
    found = houses_service.search(session, "piiritalo", "testipiiri")
    assert [h.name for h in found] == ["Piiritalo Aa", "Piiritalo Bb", "Piiritalo Cc"]
    second = houses_service.search(session, "piiritalo", "Testipiiri", limit=1, offset=1)
    assert [h.name for h in second] == ["Piiritalo Bb"]
    assert houses_service.count(session, "piiritalo", "Testipiiri") == 3


def test_browse_counts_pages_and_keeps_the_page_in_range(session):
    for n in range(5):
        make_house(session, name=f"Sivutalo {n}", district="Sivupiiri")
    page = houses_service.browse(session, "", "Sivupiiri", page=2, per_page=2)
    assert (page.total, page.pages, page.page) == (5, 3, 2)
    assert page.has_previous and page.has_next
    assert [h.name for h in page.houses] == ["Sivutalo 2", "Sivutalo 3"]
    last = houses_service.browse(session, "", "Sivupiiri", page=99, per_page=2)
    assert last.page == 3 and not last.has_next
    assert [h.name for h in last.houses] == ["Sivutalo 4"]


def test_districts_are_distinct_and_sorted(session):
    make_house(session, district="Vuosaari")
    make_house(session, district="Arabianranta")
    make_house(session, district="Vuosaari")
    districts = houses_service.districts(session)
    assert districts.count("Vuosaari") == 1
    assert districts == sorted(districts)
    assert "Arabianranta" in districts


# houses: create, update, property manager


def test_create_house_writes_an_audit_row(session):
    admin = make_staff(session, StaffKind.admin)
    house = houses_service.create(session, house_input(), admin.id)
    assert house.id is not None and house.version == 1
    rows = audit_rows(session, "house", house.id)
    assert [(r.action, r.actor_id) for r in rows] == [("create", admin.id)]
    assert rows[0].after is not None and rows[0].after["name"] == "Käpylän Helmi"


def test_create_house_refuses_a_used_code_even_in_another_case(session):
    make_house(session, code="HASO-7")
    with pytest.raises(ValidationFailed) as caught:
        houses_service.create(session, house_input(code="haso-7"), None)
    assert set(caught.value.errors) == {"code"}


def test_create_and_update_check_the_formats_of_code_and_postal_code(session):
    with pytest.raises(ValidationFailed) as caught:
        houses_service.create(session, house_input(code="A B", postal_code="1234"), None)
    assert set(caught.value.errors) == {"code", "postal_code"}
    house = make_house(session)
    with pytest.raises(ValidationFailed) as caught:
        houses_service.update(session, house, house_input(postal_code="００１００"), None, 1)
    assert set(caught.value.errors) == {"postal_code"}
    assert house.version == 1 and house.postal_code == "00100"


def test_create_house_requires_a_property_manager_to_hold_the_role(session):
    resident = make_person(session)
    with pytest.raises(ValidationFailed) as caught:
        houses_service.create(session, house_input(property_manager_id=resident.id), None)
    assert set(caught.value.errors) == {"property_manager_id"}
    manager = make_staff(session, StaffKind.property_manager)
    house = houses_service.create(session, house_input(property_manager_id=manager.id), None)
    assert house.property_manager_id == manager.id


def test_update_house_checks_the_version_and_audits_before_and_after(session):
    admin = make_staff(session, StaffKind.admin)
    house = make_house(session, name="Vanha nimi")
    data = houses_service.HouseUpdate(name="Uusi nimi", apartments=41)
    houses_service.update(session, house, data, admin.id, version=1)
    assert (house.name, house.apartments, house.version) == ("Uusi nimi", 41, 2)
    row = audit_rows(session, "house", house.id)[-1]
    assert row.action == "update"
    assert row.before is not None
    assert {k: row.before[k] for k in ("name", "apartments", "version")} == {
        "name": "Vanha nimi",
        "apartments": 40,
        "version": 1,
    }
    assert row.after is not None and row.after["name"] == "Uusi nimi"
    with pytest.raises(Conflict):
        houses_service.update(session, house, houses_service.HouseUpdate(name="X"), None, 1)
    assert house.name == "Uusi nimi"


def test_update_house_refuses_another_house_code_and_empty_required_fields(session):
    make_house(session, code="TAKEN-1")
    house = make_house(session)
    with pytest.raises(ValidationFailed) as caught:
        houses_service.update(session, house, houses_service.HouseUpdate(code="taken-1"), None, 1)
    assert set(caught.value.errors) == {"code"}
    with pytest.raises(ValidationFailed) as caught:
        houses_service.update(session, house, houses_service.HouseUpdate(name=None), None, 1)
    assert set(caught.value.errors) == {"name"}
    same_code = houses_service.HouseUpdate(code=house.code.lower())
    houses_service.update(session, house, same_code, None, 1)
    assert house.version == 2


def test_set_property_manager_needs_the_role_and_is_audited(session):
    house = make_house(session)
    manager = make_staff(session, StaffKind.property_manager)
    resident = make_person(session)
    with pytest.raises(ValidationFailed) as caught:
        houses_service.set_property_manager(session, house, resident.id, None)
    assert set(caught.value.errors) == {"property_manager_id"}
    houses_service.set_property_manager(session, house, manager.id, None)
    assert house.property_manager_id == manager.id and house.version == 2
    houses_service.set_property_manager(session, house, None, None)
    assert house.property_manager_id is None
    changes = [r.after for r in audit_rows(session, "house", house.id)]
    assert [c["property_manager_id"] for c in changes if c] == [manager.id, None]


def test_property_managers_lists_only_role_holders(session):
    manager = make_staff(session, StaffKind.property_manager, name="Aino Isännöitsijä")
    admin = make_staff(session, StaffKind.admin)
    ids = [p.id for p in houses_service.property_managers(session)]
    assert manager.id in ids and admin.id not in ids


# houses: overview


def test_house_overview_shows_committee_in_order_manager_and_meetings(session):
    house = make_house(session)
    manager = make_manager(session, house)
    old_chair = make_person(session, name="Entinen Puheenjohtaja")
    make_committee(session, house, [(old_chair, Position.chair)], TODAY - timedelta(days=800))
    member = make_person(session, name="Aaro Jäsen")
    secretary = make_person(session, name="Sihteeri Seppo")
    chair = make_person(session, name="Puheenjohtaja Pia")
    vice = make_person(session, name="Varapuheenjohtaja Veli")
    committee = make_committee(
        session,
        house,
        [
            (member, Position.member),
            (secretary, Position.secretary),
            (chair, Position.chair),
            (vice, Position.vice_chair),
        ],
    )
    now = utcnow()
    old = add_meeting(session, house, now - timedelta(days=400))
    last = add_meeting(session, house, now - timedelta(days=10))
    upcoming = add_meeting(session, house, now + timedelta(days=20))
    add_meeting(session, house, now + timedelta(days=200))
    other = make_house(session)
    add_meeting(session, other, now + timedelta(days=1))

    view = houses_service.house_overview(session, house, TODAY, now)
    assert view.committee is not None and view.committee.id == committee.id
    assert [s.name for s in view.members] == [
        "Puheenjohtaja Pia",
        "Varapuheenjohtaja Veli",
        "Sihteeri Seppo",
        "Aaro Jäsen",
    ]
    assert view.chair is not None and view.chair.person_id == chair.id
    assert view.property_manager is not None and view.property_manager.id == manager.id
    assert view.last_meeting is not None and view.last_meeting.id == last.id != old.id
    assert view.next_meeting is not None and view.next_meeting.id == upcoming.id


def test_house_overview_of_a_house_without_anything(session):
    house = make_house(session)
    view = houses_service.house_overview(session, house, TODAY)
    assert view.committee is None and view.members == [] and view.chair is None
    assert view.property_manager is None
    assert view.last_meeting is None and view.next_meeting is None


def test_house_overview_queries_do_not_grow_with_members(session, connection):
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    def queries_for(member_count):
        house = make_house(session)
        make_manager(session, house)
        seats = [(make_person(session), Position.member) for _ in range(member_count)]
        make_committee(session, house, seats)
        session.expire_all()
        house = houses_service.get(session, house.id)
        statements.clear()
        event.listen(connection, "before_cursor_execute", count)
        try:
            houses_service.house_overview(session, house, TODAY)
        finally:
            event.remove(connection, "before_cursor_execute", count)
        return len(statements)

    one_member = queries_for(1)
    assert one_member >= 4  # committee, members, manager, meetings: the listener sees them
    assert queries_for(8) == one_member


# residencies


def test_current_residents_by_apartment_then_name_without_past_or_future(session):
    house = make_house(session)
    make_resident(session, house, make_person(session, name="Bertta"), apartment="A 10")
    make_resident(session, house, make_person(session, name="Aapo"), apartment="A 2")
    make_resident(session, house, make_person(session, name="Cecilia"), apartment="A 2")
    make_resident(
        session,
        house,
        make_person(session, name="Muuttanut"),
        apartment="A 1",
        ends_on=TODAY - timedelta(days=1),
    )
    make_resident(
        session,
        house,
        make_person(session, name="Tuleva"),
        apartment="A 1",
        starts_on=TODAY + timedelta(days=1),
    )
    make_resident(session, make_house(session), make_person(session, name="Naapuri"))
    rows = residencies_service.current(session, house.id, TODAY)
    assert [(r.residency.apartment, r.person.name) for r in rows] == [
        ("A 2", "Aapo"),
        ("A 2", "Cecilia"),
        ("A 10", "Bertta"),
    ]


def residency_input(person, house, **fields):
    values = {
        "person_id": person.id,
        "house_id": house.id,
        "apartment": "B 7",
        "tenure": Tenure.renter,
        "starts_on": date(2024, 1, 1),
    }
    values.update(fields)
    return ResidencyCreate(**values)


def test_add_residency_is_audited(session):
    admin = make_staff(session, StaffKind.admin)
    house, person = make_house(session), make_person(session)
    residency = residencies_service.add(session, residency_input(person, house), admin.id)
    assert residency.id is not None and residency.tenure == Tenure.renter
    rows = audit_rows(session, "residency", residency.id)
    assert [(r.action, r.actor_id) for r in rows] == [("create", admin.id)]


def test_add_residency_needs_an_existing_person_and_house(session):
    house, person = make_house(session), make_person(session)
    with pytest.raises(ValidationFailed) as caught:
        residencies_service.add(session, residency_input(person, house, person_id=999999), None)
    assert set(caught.value.errors) == {"person_id"}
    with pytest.raises(ValidationFailed) as caught:
        residencies_service.add(session, residency_input(person, house, house_id=999999), None)
    assert set(caught.value.errors) == {"house_id"}


def test_add_residency_refuses_an_end_before_the_start(session):
    house, person = make_house(session), make_person(session)
    data = residency_input(person, house, ends_on=date(2023, 12, 31))
    with pytest.raises(ValidationFailed) as caught:
        residencies_service.add(session, data, None)
    assert set(caught.value.errors) == {"ends_on"}


def test_add_residency_refuses_overlap_in_the_same_house_only(session):
    house, person = make_house(session), make_person(session)
    residencies_service.add(
        session, residency_input(person, house, ends_on=date(2024, 12, 31)), None
    )
    overlapping = residency_input(person, house, starts_on=date(2024, 6, 1))
    with pytest.raises(ValidationFailed) as caught:
        residencies_service.add(session, overlapping, None)
    assert set(caught.value.errors) == {"starts_on"}
    before = residency_input(person, house, starts_on=date(2023, 1, 1), ends_on=date(2024, 1, 1))
    with pytest.raises(ValidationFailed):
        residencies_service.add(session, before, None)
    residencies_service.add(
        session, residency_input(person, house, starts_on=date(2025, 1, 1)), None
    )
    other_house = make_house(session)
    residencies_service.add(
        session, residency_input(person, other_house, starts_on=date(2024, 6, 1)), None
    )
    count = len(list(session.exec(select(Residency).where(Residency.person_id == person.id))))
    assert count == 3


def test_add_by_email_finds_the_person_case_insensitively(session):
    house, person = make_house(session), make_person(session, email="maija@example.com")
    data = residencies_service.ResidentByEmail(
        email="Maija@Example.com", apartment="C 3", starts_on=date(2024, 2, 1)
    )
    residency = residencies_service.add_by_email(session, house.id, data, None)
    assert residency.person_id == person.id and residency.tenure == Tenure.holder
    unknown = data.model_copy(update={"email": "nobody@example.com"})
    with pytest.raises(ValidationFailed) as caught:
        residencies_service.add_by_email(session, house.id, unknown, None)
    assert set(caught.value.errors) == {"email"}


def test_end_residency_sets_the_last_day_and_is_audited(session):
    admin = make_staff(session, StaffKind.admin)
    house, person = make_house(session), make_person(session)
    residency = residencies_service.add(session, residency_input(person, house), admin.id)
    residencies_service.end(session, residency, date(2024, 5, 31), admin.id)
    assert residency.ends_on == date(2024, 5, 31)
    row = audit_rows(session, "residency", residency.id)[-1]
    assert (row.action, row.before, row.after) == (
        "update",
        {"ends_on": None},
        {"ends_on": "2024-05-31"},
    )


def test_end_residency_refuses_a_day_before_the_start_or_into_a_later_residency(session):
    house, person = make_house(session), make_person(session)
    first = residencies_service.add(
        session, residency_input(person, house, ends_on=date(2024, 3, 31)), None
    )
    residencies_service.add(
        session, residency_input(person, house, starts_on=date(2024, 4, 1)), None
    )
    with pytest.raises(ValidationFailed) as caught:
        residencies_service.end(session, first, date(2023, 12, 31), None)
    assert set(caught.value.errors) == {"ends_on"}
    with pytest.raises(ValidationFailed) as caught:
        residencies_service.end(session, first, date(2024, 4, 15), None)
    assert set(caught.value.errors) == {"ends_on"}
    assert first.ends_on == date(2024, 3, 31)


def test_get_resident_and_get_residency(session):
    house = make_house(session)
    person = make_resident(session, house)
    residency = session.exec(select(Residency).where(Residency.person_id == person.id)).one()
    found = residencies_service.get_resident(session, residency.id)
    assert found is not None and found.person.id == person.id
    assert residencies_service.get_resident(session, 999999) is None
    assert residencies_service.get(session, residency.id).id == residency.id
    with pytest.raises(NotFound):
        residencies_service.get(session, 999999)
