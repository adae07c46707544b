"""Every predicate of app/policies.py, for each kind of person, without a database."""

import inspect

import pytest

from app import policies
from app.models.people import Person, StaffKind
from app.services.roles import Principal

HOUSE, OTHER = 1, 2


def principal(**roles) -> Principal:
    person = Person(id=roles.pop("person_id", 100), name="P", email="p@example.com")
    return Principal(person=person, **roles)


PEOPLE = {
    "anonymous": None,
    "resident": principal(resident_of={HOUSE}),
    "voter": principal(resident_of={HOUSE}, voter_of={HOUSE}),
    "member": principal(resident_of={HOUSE}, committee_of={HOUSE}),
    "chair": principal(resident_of={HOUSE}, committee_of={HOUSE}, chair_of={HOUSE}),
    "yte": principal(resident_of={OTHER}, yte_member=True),
    "manager": principal(manager_of={HOUSE}, staff={StaffKind.property_manager}),
    "other_manager": principal(manager_of={OTHER}, staff={StaffKind.property_manager}),
    "adviser": principal(staff={StaffKind.housing_adviser}),
    "management": principal(staff={StaffKind.management}),
    "admin": principal(staff={StaffKind.admin}),
}
ALL = set(PEOPLE)
LOGGED_IN = ALL - {"anonymous"}

# predicate → (who may, for HOUSE where the predicate takes a house)
EXPECTED = {
    "is_staff_overseer": {"management", "admin"},
    "can_administer": {"admin"},
    "can_view_houses": LOGGED_IN,
    "can_manage_house": {"manager", "management", "admin"},
    "can_view_residents": {"member", "chair", "manager", "management", "admin"},
    "can_view_meetings": {"resident", "voter", "member", "chair", "manager", "management", "admin"},
    "can_organise_meeting": {"member", "chair", "manager", "management", "admin"},
    "can_manage_committee": {"manager", "management", "admin"},
    "can_view_yte": LOGGED_IN,
    "can_manage_yte": {"management", "admin"},
    "can_view_audit": {"admin"},
    "can_vote_in": {"voter"},
    "can_view_committee": {
        "resident",
        "voter",
        "member",
        "chair",
        "manager",
        "management",
        "admin",
    },
}


def _call(name: str, user):
    predicate = getattr(policies, name)
    params = list(inspect.signature(predicate).parameters)
    if params == ["user"]:
        return predicate(user)
    if params == ["user", "house_id"]:
        return predicate(user, HOUSE)
    raise AssertionError(f"{name}: unexpected parameters {params}")


def test_every_predicate_has_expectations():
    predicates = {
        name
        for name, fn in inspect.getmembers(policies, inspect.isfunction)
        if fn.__module__ == policies.__name__
    }
    special = {"has_scope", "can_read_person", "can_read_outbox"}
    assert predicates - set(EXPECTED) - special == set()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_predicate(name):
    allowed = {who for who, user in PEOPLE.items() if _call(name, user)}
    assert allowed == EXPECTED[name]


def test_house_predicates_do_not_leak_to_other_houses():
    for name in EXPECTED:
        params = list(inspect.signature(getattr(policies, name)).parameters)
        if params == ["user", "house_id"]:
            for who in ("resident", "voter", "member", "chair", "manager"):
                assert not getattr(policies, name)(PEOPLE[who], OTHER), (name, who)


def test_has_scope():
    browser = PEOPLE["resident"]
    assert policies.has_scope(browser, "write")
    token = principal(scopes=frozenset({"read"}))
    assert policies.has_scope(token, "read") and not policies.has_scope(token, "write")
    assert not policies.has_scope(None, "read")


def test_can_read_outbox():
    assert policies.can_read_outbox(True, "127.0.0.1")
    assert policies.can_read_outbox(True, "::1")
    assert not policies.can_read_outbox(False, "127.0.0.1")
    assert not policies.can_read_outbox(True, "203.0.113.9")
    assert not policies.can_read_outbox(True, None)


def test_can_read_person():
    me = principal(person_id=7)
    assert policies.can_read_person(me, 7)
    assert not policies.can_read_person(me, 8)
    assert policies.can_read_person(PEOPLE["admin"], 8)
    assert not policies.can_read_person(PEOPLE["management"], 8)
    assert not policies.can_read_person(None, 7)
