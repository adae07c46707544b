"""The main menu: grouped by what people do, at most seven top-level entries for anyone."""

import pytest

from app.models.people import Person, StaffKind
from app.services.access.roles import Principal
from app.services.overview.menu import site_menu

HOUSE = 1


def principal(**roles: object) -> Principal:
    person = Person(id=100, name="P", email="p@example.com")
    return Principal(person=person, **roles)  # type: ignore[arg-type]


PEOPLE = {
    "resident": principal(resident_of={HOUSE}, voter_of={HOUSE}),
    "chair": principal(resident_of={HOUSE}, committee_of={HOUSE}, chair_of={HOUSE}),
    "property manager": principal(manager_of={HOUSE}, staff={StaffKind.property_manager}),
    "management": principal(staff={StaffKind.management}),
    "admin": principal(staff={StaffKind.admin}),
    "everything": principal(
        resident_of={HOUSE},
        voter_of={HOUSE},
        committee_of={HOUSE},
        chair_of={HOUSE},
        manager_of={HOUSE},
        yte_member=True,
        staff=set(StaffKind),
    ),
}


def hrefs(entries: list) -> set[str]:
    found = set()
    for entry in entries:
        found |= {entry.href} if entry.href else {link.href for link in entry.links}
    return found


@pytest.mark.parametrize("who", list(PEOPLE))
def test_at_most_seven_entries_and_each_page_once(who: str) -> None:
    entries = site_menu(PEOPLE[who], "/")
    assert 3 <= len(entries) <= 7
    every = [e.href for e in entries if e.href] + [link.href for e in entries for link in e.links]
    assert len(every) == len(set(every))
    assert entries[0].href == "/" and entries[0].current


def test_logged_out_has_no_menu() -> None:
    assert site_menu(None, "/login") == []


def test_what_each_role_reaches() -> None:
    resident = hrefs(site_menu(PEOPLE["resident"], "/"))
    assert {"/initiatives", "/newsletters", "/houses", "/yte", "/participation"} <= resident
    assert not resident & {"/admin", "/compliance", "/finances", "/forum"}
    management = hrefs(site_menu(PEOPLE["management"], "/"))
    assert {"/forum", "/finances", "/compliance", "/calendar", "/elections"} <= management
    assert "/admin" not in management
    assert "/admin" in hrefs(site_menu(PEOPLE["admin"], "/"))
    manager = hrefs(site_menu(PEOPLE["property manager"], "/"))
    assert "/budget-cycles" in manager and "/finances" not in manager


def test_the_page_one_is_on_is_marked_in_its_group() -> None:
    entries = site_menu(PEOPLE["management"], "/elections/3")
    take_part = next(e for e in entries if any(link.href == "/elections" for link in e.links))
    assert take_part.current
    assert [link.href for link in take_part.links if link.current] == ["/elections"]
    assert not entries[0].current  # the front page only on "/"


def test_a_group_of_one_is_a_plain_link() -> None:
    # Management has compliance but not administration: one link, not a group of one.
    entries = site_menu(PEOPLE["management"], "/")
    compliance = next(e for e in entries if e.href == "/compliance")
    assert not compliance.is_group
