"""Resident committee pages, per role and per house."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from app.deps import today
from app.models.audit import AuditEntry
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House, Residency, Tenure
from app.models.meetings import ResidentMeeting
from app.models.people import Language, Person, StaffKind
from app.models.types import utcnow
from tests.support import (
    PortalClient,
    make_committee,
    make_house,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)


@dataclass
class World:
    """Two houses; house A has a held meeting and a committee in office."""

    house_a: House
    house_b: House
    resident_a: Person
    chair_a: Person
    renter_a: Person
    manager_a: Person
    resident_b: Person
    manager_b: Person
    management: Person
    meeting_a: ResidentMeeting
    committee_a: ResidentCommittee


def english_person(session, **fields) -> Person:
    return make_person(session, language=Language.en, **fields)


@pytest.fixture()
def world(session) -> World:
    house_a = make_house(session, name="Koivukuja")
    house_b = make_house(session, name="Vaahterakuja")
    resident_a = make_resident(session, house_a, english_person(session, name="Aino Aalto"))
    chair_a = make_resident(session, house_a, english_person(session, name="Ville Virtanen"))
    renter_a = make_resident(
        session, house_a, english_person(session, name="Reino Renter"), tenure=Tenure.renter
    )
    committee_a = make_committee(session, house_a, [(chair_a, Position.chair)])
    resident_b = make_resident(session, house_b, english_person(session))
    manager_a = make_manager(session, house_a)
    manager_b = make_manager(session, house_b)
    for manager in (manager_a, manager_b):
        manager.language = Language.en
        session.add(manager)
    management = make_staff(session, StaffKind.management, language=Language.en)
    meeting_a = ResidentMeeting(
        house_id=house_a.id,
        starts_at=utcnow() - timedelta(days=120),
        place="Kerhohuone",
        invitation_on=today() - timedelta(days=140),
    )
    session.add(meeting_a)
    session.flush()
    committee_a.elected_at_meeting_id = meeting_a.id
    session.add(committee_a)
    session.commit()
    return World(
        house_a,
        house_b,
        resident_a,
        chair_a,
        renter_a,
        manager_a,
        resident_b,
        manager_b,
        management,
        meeting_a,
        committee_a,
    )


def as_user(client: PortalClient, session, person: Person) -> PortalClient:
    return client.login_as(session, person)


def refused_login(response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def next_term(world: World, years: int = 2) -> tuple[date, date]:
    """A term right after house A's current committee."""
    start = world.committee_a.term_end + timedelta(days=1)
    return start, start.replace(year=start.year + years) - timedelta(days=1)


def committee_form(world: World, start: date, end: date) -> dict[str, str]:
    return {
        "elected_at_meeting_id": str(world.meeting_a.id),
        "term_start": start.isoformat(),
        "term_end": end.isoformat(),
    }


def committees_of(session, house: House) -> list[ResidentCommittee]:
    return list(
        session.exec(select(ResidentCommittee).where(ResidentCommittee.house_id == house.id))
    )


# Recording a committee


@pytest.mark.parametrize("who", ["manager_a", "management"])
def test_new_committee_form_offers_the_houses_held_meetings(client, session, world, who):
    coming = ResidentMeeting(
        house_id=world.house_a.id,
        starts_at=utcnow() + timedelta(days=30),
        place="Tulevaisuus",
        invitation_on=today() + timedelta(days=5),
    )
    session.add(coming)
    session.commit()
    response = as_user(client, session, getattr(world, who)).get(
        f"/houses/{world.house_a.id}/committees/new"
    )
    assert response.status_code == 200
    assert f'<option value="{world.meeting_a.id}"' in response.text
    assert "Tulevaisuus" not in response.text


def test_committee_of_two_years_is_recorded(client, session, world):
    start, end = next_term(world)
    as_user(client, session, world.manager_a)
    response = client.submit(
        f"/houses/{world.house_a.id}/committees/new", committee_form(world, start, end)
    )
    assert response.status_code == 303
    created = [c for c in committees_of(session, world.house_a) if c.id != world.committee_a.id]
    assert len(created) == 1
    assert response.headers["location"] == f"/committees/{created[0].id}"
    page = client.get(response.headers["location"])
    assert f'href="/meetings/{world.meeting_a.id}"' in page.text
    assert session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "resident_committee", AuditEntry.actor_id == world.manager_a.id
        )
    ).one()


def test_term_over_two_years_is_refused_at_the_field(client, session, world):
    start, _end = next_term(world)
    too_long = start + timedelta(days=732)
    as_user(client, session, world.manager_a)
    response = client.submit(
        f"/houses/{world.house_a.id}/committees/new", committee_form(world, start, too_long)
    )
    assert response.status_code == 422
    assert "A committee&#39;s term is at most two years" in response.text
    assert 'aria-describedby="error-term_end' in response.text
    assert too_long.isoformat() in response.text
    assert len(committees_of(session, world.house_a)) == 1


def test_overlapping_term_is_refused(client, session, world):
    as_user(client, session, world.manager_a)
    start = world.committee_a.term_end
    response = client.submit(
        f"/houses/{world.house_a.id}/committees/new",
        committee_form(world, start, start + timedelta(days=300)),
    )
    assert response.status_code == 422
    assert "overlaps" in response.text
    assert 'aria-describedby="error-term_start' in response.text


@pytest.mark.parametrize("who", ["chair_a", "resident_a", "manager_b"])
def test_new_committee_refused_to_others(client, session, world, who):
    url = f"/houses/{world.house_a.id}/committees/new"
    as_user(client, session, getattr(world, who))
    assert client.get(url).status_code == 403
    start, end = next_term(world)
    assert client.submit(url, committee_form(world, start, end)).status_code == 403
    assert len(committees_of(session, world.house_a)) == 1


def test_new_committee_anonymous_goes_to_login(client, session, world):
    url = f"/houses/{world.house_a.id}/committees/new"
    assert refused_login(client.get(url))
    start, end = next_term(world)
    assert refused_login(client.submit(url, committee_form(world, start, end)))
    assert client.get("/houses/999999/committees/new").status_code == 303


def test_new_committee_for_unknown_house_is_404(client, session, world):
    as_user(client, session, world.management)
    assert client.get("/houses/999999/committees/new").status_code == 404


# The committee page


def test_committee_page_for_a_resident(client, session, world):
    response = as_user(client, session, world.resident_a).get(f"/committees/{world.committee_a.id}")
    assert response.status_code == 200
    assert response.text.count("<h1>") == 1
    assert "Ville Virtanen" in response.text
    assert f'href="/meetings/{world.meeting_a.id}"' in response.text
    assert "Add a member" not in response.text and "Remove" not in response.text


def test_committee_page_refused_to_another_house_and_anonymous(client, session, world):
    url = f"/committees/{world.committee_a.id}"
    assert refused_login(client.get(url))
    assert as_user(client, session, world.resident_b).get(url).status_code == 403
    assert client.get("/committees/999999").status_code == 404


def test_manager_sees_only_eligible_residents_to_add(client, session, world):
    response = as_user(client, session, world.manager_a).get(f"/committees/{world.committee_a.id}")
    assert "Add a member" in response.text
    options = response.text.split('id="field-person_id"')[1].split("</select>")[0]
    assert "Aino Aalto" in options
    assert "Reino Renter" not in options  # renters may not stand
    assert "Ville Virtanen" not in options  # already the chair


# Members


def test_manager_adds_and_removes_a_member(client, session, world):
    url = f"/committees/{world.committee_a.id}"
    as_user(client, session, world.manager_a)
    response = client.submit(
        f"{url}/members", {"person_id": str(world.resident_a.id), "position": "secretary"}
    )
    assert response.status_code == 303
    seat = session.exec(
        select(CommitteeMember).where(CommitteeMember.person_id == world.resident_a.id)
    ).one()
    assert seat.position == Position.secretary
    assert "Secretary" in client.get(url).text
    response = client.submit(f"{url}/members/{seat.id}/remove")
    assert response.status_code == 303
    assert session.get(CommitteeMember, seat.id) is None
    actions = session.exec(
        select(AuditEntry.action)
        .where(AuditEntry.entity == "committee_member")
        .order_by(col(AuditEntry.id))
    ).all()
    assert actions == ["create", "delete"]


def test_second_chair_is_refused_with_a_clear_message(client, session, world):
    as_user(client, session, world.manager_a)
    response = client.submit(
        f"/committees/{world.committee_a.id}/members",
        {"person_id": str(world.resident_a.id), "position": "chair"},
    )
    assert response.status_code == 422
    assert "The committee already has a chair (Ville Virtanen)" in response.text
    assert 'aria-describedby="error-position' in response.text


def test_renter_is_refused_at_the_person_field(client, session, world):
    as_user(client, session, world.manager_a)
    response = client.submit(
        f"/committees/{world.committee_a.id}/members",
        {"person_id": str(world.renter_a.id), "position": "member"},
    )
    assert response.status_code == 422
    assert "Reino Renter rents the apartment" in response.text
    assert 'aria-describedby="error-person_id' in response.text


def test_minor_and_second_person_of_an_apartment_are_refused(client, session, world):
    minor = make_resident(
        session, world.house_a, english_person(session, birth_date=date(2015, 1, 1))
    )
    flatmate = english_person(session, name="Kaisa Kämppis")
    chair_residency = session.exec(
        select(Residency).where(Residency.person_id == world.chair_a.id)
    ).one()
    make_resident(session, world.house_a, flatmate, apartment=chair_residency.apartment)
    session.commit()
    as_user(client, session, world.manager_a)
    url = f"/committees/{world.committee_a.id}/members"
    response = client.submit(url, {"person_id": str(minor.id), "position": "member"})
    assert response.status_code == 422 and "under 18" in response.text
    response = client.submit(url, {"person_id": str(flatmate.id), "position": "member"})
    assert response.status_code == 422
    assert "Ville Virtanen from the same apartment" in response.text


@pytest.mark.parametrize("who", ["chair_a", "resident_a", "manager_b"])
def test_member_changes_refused_to_others(client, session, world, who):
    seat = session.exec(
        select(CommitteeMember).where(CommitteeMember.person_id == world.chair_a.id)
    ).one()
    as_user(client, session, getattr(world, who))
    url = f"/committees/{world.committee_a.id}/members"
    response = client.submit(url, {"person_id": str(world.resident_a.id), "position": "member"})
    assert response.status_code == 403
    assert client.submit(f"{url}/{seat.id}/remove").status_code == 403
    assert session.get(CommitteeMember, seat.id) is not None
    assert len(session.exec(select(CommitteeMember)).all()) == 1


def test_member_changes_anonymous_go_to_login(client, session, world):
    url = f"/committees/{world.committee_a.id}/members"
    assert refused_login(client.submit(url, {"person_id": "1", "position": "member"}))
    assert refused_login(client.submit(f"{url}/1/remove"))


def test_removing_a_seat_of_another_committee_is_404(client, session, world):
    other = make_committee(
        session, world.house_b, [(make_resident(session, world.house_b), Position.member)]
    )
    seat = session.exec(
        select(CommitteeMember).where(CommitteeMember.committee_id == other.id)
    ).one()
    session.commit()
    as_user(client, session, world.manager_a)
    response = client.submit(f"/committees/{world.committee_a.id}/members/{seat.id}/remove")
    assert response.status_code == 404
    assert session.get(CommitteeMember, seat.id) is not None
