"""People: unique emails, optimistic locking, search and paging, roles, passwords, the audit log."""

from datetime import date

import pytest
from sqlmodel import col, select

from app import policies
from app.errors import Conflict, ValidationFailed
from app.models.audit import AuditEntry
from app.models.people import Language, PersonCreate, PersonUpdate, StaffKind, StaffRole
from app.security import verify_password
from app.services.access.roles import load_principal
from app.services.bodies import people as people_service
from tests.support import make_house, make_person, make_resident, make_staff


def test_create_stores_email_lower_case_and_audits(session):
    actor = make_person(session)
    person = people_service.create(
        session,
        PersonCreate(name=" Aino Aalto ", email="Aino.Aalto@Example.com", phone=" "),
        actor.id,
    )
    assert (person.name, person.email, person.phone) == (
        "Aino Aalto",
        "aino.aalto@example.com",
        None,
    )
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "person", AuditEntry.entity_id == str(person.id)
        )
    ).one()
    assert (entry.action, entry.actor_id) == ("create", actor.id)
    assert "password_hash" not in (entry.after or {})


def test_duplicate_email_is_refused_whatever_the_case(session):
    make_person(session, email="sama@example.com")
    with pytest.raises(ValidationFailed) as exc:
        people_service.create(session, PersonCreate(name="Toinen", email="SAMA@example.com"), None)
    assert set(exc.value.errors) == {"email"}


def test_update_checks_the_version_and_increments_it(session):
    person = make_person(session, name="Vanha Nimi")
    people_service.update(session, person, PersonUpdate(name="Uusi Nimi"), None, person.version)
    assert (person.name, person.version) == ("Uusi Nimi", 2)
    with pytest.raises(Conflict):
        people_service.update(session, person, PersonUpdate(name="Kolmas"), None, 1)
    assert person.name == "Uusi Nimi"


def test_update_to_someone_elses_email_is_refused(session):
    make_person(session, email="varattu@example.com")
    person = make_person(session)
    with pytest.raises(ValidationFailed) as exc:
        people_service.update(
            session, person, PersonUpdate(email="Varattu@Example.com"), None, person.version
        )
    assert set(exc.value.errors) == {"email"}


def test_update_can_clear_phone_and_birth_date(session):
    person = make_person(session, phone="040 123 4567", birth_date=date(1970, 5, 5))
    changes = PersonUpdate(
        name=person.name,
        email=person.email,
        phone=None,
        language=Language.sv,
        birth_date=None,
    )
    people_service.update(session, person, changes, None, person.version)
    assert (person.phone, person.birth_date, person.language) == (None, None, Language.sv)


def test_search_page_counts_and_pages(session):
    for n in range(5):
        make_person(session, name=f"Hakutesti {n}", email=f"hakutesti{n}@example.com")
    make_person(session, name="Muu Ihminen", email="muu.hakutesti_x@example.com")
    first = people_service.search_page(session, "hakutesti ", page=1, per_page=2)
    assert first.total == 6 and first.pages == 3
    assert [p.name for p in first.items] == ["Hakutesti 0", "Hakutesti 1"]
    assert first.has_next and not first.has_previous
    last = people_service.search_page(session, "HAKUTESTI", page=3, per_page=2)
    assert [p.name for p in last.items] == ["Hakutesti 4", "Muu Ihminen"]  # by email
    assert last.has_previous and not last.has_next


def test_search_treats_wildcards_literally(session):
    make_person(session, name="Alaviiva", email="ala_viiva@example.com")
    make_person(session, name="Ilman", email="alaxviiva@example.com")
    assert [p.name for p in people_service.search(session, "ala_")] == ["Alaviiva"]
    assert people_service.count(session, "100%") == 0


def test_residencies_lists_houses(session):
    house = make_house(session, name="Merikotka")
    person = make_resident(session, house, apartment="B 12")
    rows = people_service.residencies(session, person.id)
    assert [(r.apartment, h.name) for r, h in rows] == [("B 12", "Merikotka")]


def test_change_password_rules(session):
    person = make_person(session)
    with pytest.raises(ValidationFailed) as exc:
        people_service.change_password(session, person, "lyhyt", "lyhyt", None)
    assert set(exc.value.errors) == {"password"}
    with pytest.raises(ValidationFailed) as exc:
        people_service.change_password(
            session, person, "pitkä-salasana-1", "pitkä-salasana-2", None
        )
    assert set(exc.value.errors) == {"password_confirm"}
    assert person.password_hash is None
    people_service.change_password(session, person, "pitkä-salasana-1", "pitkä-salasana-1", None)
    assert verify_password(person.password_hash, "pitkä-salasana-1")


def test_grant_and_revoke_are_audited(session):
    person = make_person(session)
    actor = make_person(session)
    people_service.grant(session, person, StaffKind.management, actor.id)
    people_service.grant(session, person, StaffKind.management, actor.id)  # idempotent
    assert [r.kind for r in people_service.staff_roles(session, person.id)] == [
        StaffKind.management
    ]
    people_service.revoke(session, person, StaffKind.management, actor.id)
    assert people_service.staff_roles(session, person.id) == []
    actions = [
        e.action
        for e in session.exec(
            select(AuditEntry).where(AuditEntry.entity == "staff_role").order_by(col(AuditEntry.id))
        )
    ]
    assert actions == ["create", "delete"]


def test_last_administrator_keeps_the_role(session):
    for role in session.exec(select(StaffRole).where(StaffRole.kind == StaffKind.admin)):
        session.delete(role)
    session.flush()
    admin = make_staff(session, StaffKind.admin)
    with pytest.raises(ValidationFailed) as exc:
        people_service.revoke(session, admin, StaffKind.admin, admin.id)
    assert set(exc.value.errors) == {"kind"}
    second = make_staff(session, StaffKind.admin)
    people_service.revoke(session, admin, StaffKind.admin, second.id)
    assert people_service.staff_roles(session, admin.id) == []


def test_audit_log_is_newest_first_and_filters_by_entity(session):
    actor = make_person(session, name="Ylläpitäjä Ulla")
    person = people_service.create(
        session, PersonCreate(name="Loki Testi", email="loki@example.com"), actor.id
    )
    people_service.grant(session, person, StaffKind.housing_adviser, actor.id)
    people_service.update(session, person, PersonUpdate(phone="050 1"), actor.id, person.version)
    log = people_service.audit_log(session, per_page=2)
    assert [(r.entry.entity, r.entry.action) for r in log.items] == [
        ("person", "update"),
        ("staff_role", "create"),
    ]
    assert log.items[0].actor_name == "Ylläpitäjä Ulla"
    changes = {field: (before, after) for field, before, after in log.items[0].changes()}
    assert changes["phone"] == (None, "050 1")
    only_people = people_service.audit_log(session, entity="person", entity_id=str(person.id))
    assert [r.entry.action for r in only_people.items] == ["update", "create"]
    assert {"person", "staff_role"} <= set(people_service.audit_entities(session))


def test_only_the_person_or_an_admin_may_read_private_details(session):
    house = make_house(session)
    person = make_resident(session, house)
    neighbour = make_resident(session, house)
    admin = make_staff(session, StaffKind.admin)
    management = make_staff(session, StaffKind.management)
    today = date.today()

    def may(who):
        return policies.can_read_person(load_principal(session, who, today), person.id)

    assert may(person) and may(admin)
    assert not may(neighbour) and not may(management)
    assert not policies.can_read_person(None, person.id)
