"""Haso-yte pages: everyone sees the members; management and administrators record terms."""

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.people import Language, StaffKind
from app.models.yte import YteMember, YteTerm
from tests.support import (
    make_committee,
    make_house,
    make_manager,
    make_person,
    make_resident,
    make_staff,
    make_yte_term,
)

EN = {"language": Language.en}


def _chair_of(session, house, name: str):
    person = make_resident(session, house, make_person(session, name=name, **EN))
    make_committee(session, house, [(person, Position.chair)])
    return person


@pytest.fixture()
def world(session) -> dict[str, Any]:
    """Two houses with chairs, a resident, staff, and a current term with house A's chair."""
    house_a = make_house(session, name="Aurinkopiha")
    house_b = make_house(session, name="Bulevardin Helmi")
    chair_a = _chair_of(session, house_a, "Anna Puheenjohtaja")
    chair_b = _chair_of(session, house_b, "Bertta Puheenjohtaja")
    term = make_yte_term(session, [(chair_a, house_a)])
    member = session.exec(select(YteMember).where(YteMember.term_id == term.id)).one()
    member.is_chair = True
    session.add(member)
    people = {
        "chair_a": chair_a,
        "chair_b": chair_b,
        "resident": make_resident(session, house_a, make_person(session, **EN)),
        "manager": make_manager(session, house_a),
        "adviser": make_staff(session, StaffKind.housing_adviser, **EN),
        "management": make_staff(session, StaffKind.management, **EN),
        "admin": make_staff(session, StaffKind.admin, **EN),
    }
    people["manager"].language = Language.en
    session.commit()
    return {"people": people, "term": term, "house_a": house_a, "house_b": house_b}


ALLOWED = ["management", "admin"]
REFUSED = ["chair_a", "chair_b", "resident", "manager", "adviser"]


def test_any_logged_in_person_sees_the_members(client, session, world):
    client.login_as(session, world["people"]["resident"])
    page = client.get("/yte")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert "Anna Puheenjohtaja" in page.text and "Aurinkopiha" in page.text
    assert "Chair of Haso-yte" in page.text
    assert "Bertta Puheenjohtaja" not in page.text
    assert "/yte/terms/new" not in page.text  # the button hides by the same rule


def test_overseer_sees_links_to_manage(client, session, world):
    client.login_as(session, world["people"]["management"])
    page = client.get("/yte")
    assert "/yte/terms/new" in page.text
    assert f"/yte/terms/{world['term'].id}" in page.text


def test_earlier_terms_are_listed(client, session, world):
    session.add(YteTerm(starts_on=date(2020, 1, 15), ends_on=date(2022, 1, 14)))
    session.commit()
    client.login_as(session, world["people"]["chair_b"])
    page = client.get("/yte")
    assert "Earlier terms" in page.text
    assert "2020" in page.text and "2022" in page.text


def test_anonymous_is_sent_to_login(client, world):
    for url in ("/yte", "/yte/terms/new", f"/yte/terms/{world['term'].id}"):
        response = client.get(url)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={url}"
    response = client.submit(f"/yte/terms/{world['term'].id}/members", {"candidate": "1:1"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", ALLOWED)
def test_overseers_open_the_management_pages(client, session, world, role):
    client.login_as(session, world["people"][role])
    assert client.get("/yte/terms/new").status_code == 200
    page = client.get(f"/yte/terms/{world['term'].id}")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    # the chair of house B is sitting and not yet on the term
    assert f'value="{world["people"]["chair_b"].id}:{world["house_b"].id}"' in page.text
    assert "Bertta Puheenjohtaja (Bulevardin Helmi)" in page.text


@pytest.mark.parametrize("role", REFUSED)
def test_others_are_refused_the_management_pages(client, session, world, role):
    client.login_as(session, world["people"][role])
    term_id = world["term"].id
    assert client.get("/yte/terms/new").status_code == 403
    assert client.get(f"/yte/terms/{term_id}").status_code == 403
    chair_b, house_b = world["people"]["chair_b"], world["house_b"]
    response = client.submit(
        f"/yte/terms/{term_id}/members", {"candidate": f"{chair_b.id}:{house_b.id}"}
    )
    assert response.status_code == 403
    assert client.submit("/yte/terms/new", {"starts_on": "2040-01-15"}).status_code == 403
    member = session.exec(select(YteMember).where(YteMember.term_id == term_id)).one()
    assert client.submit(f"/yte/terms/{term_id}/members/{member.id}/remove").status_code == 403
    assert len(list(session.exec(select(YteMember)))) == 1
    assert len(list(session.exec(select(YteTerm)))) == 1


def test_unknown_term_is_404(client, session, world):
    client.login_as(session, world["people"]["admin"])
    assert client.get("/yte/terms/999999").status_code == 404
    assert client.submit("/yte/terms/999999/members", {"candidate": "1:1"}).status_code == 404


def test_create_term(client, session, world):
    manager = world["people"]["management"]
    client.login_as(session, manager)
    response = client.submit("/yte/terms/new", {"starts_on": "2040-01-15", "ends_on": "2042-01-14"})
    assert response.status_code == 303
    term = session.exec(select(YteTerm).where(YteTerm.starts_on == date(2040, 1, 15))).one()
    assert response.headers["location"] == f"/yte/terms/{term.id}"
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "yte_term", AuditEntry.entity_id == str(term.id)
        )
    ).one()
    assert entry.actor_id == manager.id


def test_overlapping_term_shows_error_at_field_and_keeps_values(client, session, world):
    client.login_as(session, world["people"]["admin"])
    start = date.today().isoformat()
    end = (date.today() + timedelta(days=300)).isoformat()
    response = client.submit("/yte/terms/new", {"starts_on": start, "ends_on": end})
    assert response.status_code == 422
    assert 'id="field-starts_on"' in response.text
    assert 'aria-invalid="true"' in response.text and 'id="error-starts_on"' in response.text
    assert f'value="{start}"' in response.text and f'value="{end}"' in response.text
    assert len(list(session.exec(select(YteTerm)))) == 1


def test_missing_dates_are_errors_at_their_fields(client, session, world):
    client.login_as(session, world["people"]["admin"])
    response = client.submit("/yte/terms/new", {"starts_on": "2040-01-15", "ends_on": ""})
    assert response.status_code == 422
    assert 'id="error-ends_on"' in response.text
    assert 'value="2040-01-15"' in response.text


def test_add_member_then_make_chair_then_remove(client, session, world):
    client.login_as(session, world["people"]["admin"])
    term_id = world["term"].id
    chair_b, house_b = world["people"]["chair_b"], world["house_b"]
    response = client.submit(
        f"/yte/terms/{term_id}/members", {"candidate": f"{chair_b.id}:{house_b.id}"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/yte/terms/{term_id}"
    added = session.exec(select(YteMember).where(YteMember.person_id == chair_b.id)).one()
    page = client.get(f"/yte/terms/{term_id}")
    assert "Bertta Puheenjohtaja" in page.text
    assert "No other chair is sitting" in page.text

    assert client.submit(f"/yte/terms/{term_id}/members/{added.id}/chair").status_code == 303
    session.refresh(added)
    assert added.is_chair
    previous = session.exec(
        select(YteMember).where(YteMember.person_id == world["people"]["chair_a"].id)
    ).one()
    assert previous.is_chair is False

    assert client.submit(f"/yte/terms/{term_id}/members/{added.id}/remove").status_code == 303
    assert session.get(YteMember, added.id) is None
    assert client.submit(f"/yte/terms/{term_id}/members/{added.id}/remove").status_code == 404


def test_resident_who_is_not_a_chair_cannot_be_added(client, session, world):
    client.login_as(session, world["people"]["management"])
    resident, house_b = world["people"]["resident"], world["house_b"]
    response = client.submit(
        f"/yte/terms/{world['term'].id}/members", {"candidate": f"{resident.id}:{house_b.id}"}
    )
    assert response.status_code == 422
    assert 'id="error-candidate"' in response.text
    assert "Only sitting chairs can be members" in response.text
    assert session.exec(select(YteMember).where(YteMember.person_id == resident.id)).first() is None


def test_garbled_candidate_is_an_error_at_the_field(client, session, world):
    client.login_as(session, world["people"]["management"])
    response = client.submit(f"/yte/terms/{world['term'].id}/members", {"candidate": "x"})
    assert response.status_code == 422
    assert 'id="error-candidate"' in response.text


def test_eleventh_member_is_refused_with_a_message(client, session, world):
    term = world["term"]
    for n in range(9):
        house = make_house(session)
        chair = _chair_of(session, house, f"Jäsen {n}")
        session.add(YteMember(term_id=term.id, person_id=chair.id, house_id=house.id))
    session.commit()
    client.login_as(session, world["people"]["admin"])
    page = client.get(f"/yte/terms/{term.id}")
    assert "All seats of this term are taken" in page.text
    chair_b, house_b = world["people"]["chair_b"], world["house_b"]
    response = client.submit(
        f"/yte/terms/{term.id}/members", {"candidate": f"{chair_b.id}:{house_b.id}"}
    )
    assert response.status_code == 422
    assert "already has all its 10 members" in response.text
    assert len(list(session.exec(select(YteMember).where(YteMember.term_id == term.id)))) == 10
