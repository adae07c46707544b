"""Resident meeting pages, per role and per house, with the invitation in a real SMTP server."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.deps import today
from app.models.audit import AuditEntry
from app.models.committees import Position, ResidentCommittee
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
    """Two houses, their people and meetings."""

    house_a: object
    house_b: object
    resident_a: Person
    chair_a: Person
    manager_a: Person
    resident_b: Person
    manager_b: Person
    management: Person
    held: ResidentMeeting
    coming: ResidentMeeting


def english_person(session, **fields) -> Person:
    return make_person(session, language=Language.en, **fields)


@pytest.fixture()
def world(session) -> World:
    house_a = make_house(session, name="Koivukuja")
    house_b = make_house(session, name="Vaahterakuja")
    resident_a = make_resident(session, house_a, english_person(session))
    chair_a = make_resident(session, house_a, english_person(session))
    make_committee(session, house_a, [(chair_a, Position.chair)])
    resident_b = make_resident(session, house_b, english_person(session))
    manager_a = make_manager(session, house_a)
    manager_b = make_manager(session, house_b)
    for manager in (manager_a, manager_b):
        manager.language = Language.en
        session.add(manager)
    management = make_staff(session, StaffKind.management, language=Language.en)
    now = utcnow()
    held = ResidentMeeting(
        house_id=house_a.id,
        starts_at=now - timedelta(days=30),
        place="Kerhohuone",
        invitation_on=(now - timedelta(days=50)).date(),
        invitation_sent_at=now - timedelta(days=50),
        agenda="1. Electing the committee",
    )
    coming = ResidentMeeting(
        house_id=house_a.id,
        starts_at=now + timedelta(days=30),
        place="Saunatupa",
        invitation_on=today() + timedelta(days=5),
        agenda="1. Budget proposal",
    )
    session.add_all([held, coming])
    session.commit()
    return World(
        house_a,
        house_b,
        resident_a,
        chair_a,
        manager_a,
        resident_b,
        manager_b,
        management,
        held,
        coming,
    )


def meeting_form(meeting_day: date, invitation_on: date, **fields) -> dict[str, str]:
    values = {
        "starts_on": meeting_day.isoformat(),
        "starts_time": "18:00",
        "place": "Kerhohuone, Koivukuja 3",
        "remote_link": "https://meet.example.com/koivukuja",
        "invitation_on": invitation_on.isoformat(),
        "agenda": "1. Opening\n2. Electing the resident committee",
    }
    values.update(fields)
    return values


def as_user(client: PortalClient, session, person: Person) -> PortalClient:
    return client.login_as(session, person)


def refused_login(response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login?next=")


# The list of a house's meetings


def test_house_meetings_are_listed_newest_first_for_a_resident(client, session, world):
    response = as_user(client, session, world.resident_a).get(
        f"/houses/{world.house_a.id}/meetings"
    )
    assert response.status_code == 200
    assert response.text.count("<h1>") == 1
    assert response.text.index("Saunatupa") < response.text.index("Kerhohuone")
    assert "New resident meeting" not in response.text


def test_house_meetings_list_offers_a_new_meeting_to_organisers(client, session, world):
    response = as_user(client, session, world.chair_a).get(f"/houses/{world.house_a.id}/meetings")
    assert response.status_code == 200
    assert f'href="/houses/{world.house_a.id}/meetings/new"' in response.text


def test_house_meetings_refused_to_another_house_and_anonymous(client, session, world):
    url = f"/houses/{world.house_a.id}/meetings"
    assert refused_login(client.get(url))
    assert as_user(client, session, world.resident_b).get(url).status_code == 403
    assert client.get("/houses/999999/meetings").status_code == 404


# Convening a meeting


@pytest.mark.parametrize("who", ["chair_a", "manager_a", "management"])
def test_new_meeting_form_for_organisers(client, session, world, who):
    response = as_user(client, session, getattr(world, who)).get(
        f"/houses/{world.house_a.id}/meetings/new"
    )
    assert response.status_code == 200
    assert 'id="field-invitation_on"' in response.text
    assert f'value="{today().isoformat()}"' in response.text


@pytest.mark.parametrize("who", ["resident_a", "manager_b", "resident_b"])
def test_new_meeting_refused_to_others(client, session, world, who):
    url = f"/houses/{world.house_a.id}/meetings/new"
    as_user(client, session, getattr(world, who))
    assert client.get(url).status_code == 403
    form = meeting_form(today() + timedelta(days=30), today())
    assert client.submit(url, form).status_code == 403
    assert len(session.exec(select(ResidentMeeting)).all()) == 2


def test_new_meeting_anonymous_goes_to_login(client, session, world):
    url = f"/houses/{world.house_a.id}/meetings/new"
    assert refused_login(client.get(url))
    assert refused_login(client.submit(url, meeting_form(today() + timedelta(days=30), today())))


def test_thirteen_days_notice_is_refused_at_the_field_and_input_is_kept(client, session, world):
    meeting_day = today() + timedelta(days=20)
    form = meeting_form(meeting_day, meeting_day - timedelta(days=13))
    as_user(client, session, world.chair_a)
    response = client.submit(f"/houses/{world.house_a.id}/meetings/new", form)
    assert response.status_code == 422
    deadline = meeting_day - timedelta(days=14)
    expected = (
        "The invitation must be sent at least 14 days before the meeting "
        f"(by {deadline.day} {deadline.strftime('%B %Y')} at the latest)."
    )
    assert expected in response.text
    assert 'aria-describedby="error-invitation_on' in response.text
    assert 'href="#field-invitation_on"' in response.text
    assert "Kerhohuone, Koivukuja 3" in response.text
    assert "Electing the resident committee" in response.text
    assert len(session.exec(select(ResidentMeeting)).all()) == 2


def test_fourteen_days_notice_is_accepted(client, session, world, smtp):
    meeting_day = today() + timedelta(days=20)
    form = meeting_form(meeting_day, meeting_day - timedelta(days=14))
    as_user(client, session, world.chair_a)
    response = client.submit(f"/houses/{world.house_a.id}/meetings/new", form)
    assert response.status_code == 303
    meeting = session.exec(
        select(ResidentMeeting).where(ResidentMeeting.place == "Kerhohuone, Koivukuja 3")
    ).one()
    assert response.headers["location"] == f"/meetings/{meeting.id}"
    assert meeting.invitation_sent_at is None  # its day has not come
    assert meeting.created_by_id == world.chair_a.id
    assert smtp.messages == []
    page = client.get(response.headers["location"])
    assert "Will be sent to the residents on" in page.text


def test_meeting_with_the_invitation_due_today_mails_every_resident_once(
    client, session, world, smtp
):
    form = meeting_form(today() + timedelta(days=14), today())
    as_user(client, session, world.manager_a)
    # The invitation would go at once: first the page says whom it reaches.
    asked = client.submit(f"/houses/{world.house_a.id}/meetings/new", form)
    assert asked.status_code == 200
    assert 'name="confirmed"' in asked.text and world.resident_a.name in asked.text
    meetings = len(session.exec(select(ResidentMeeting)).all())
    assert smtp.messages == [] and meetings == 2  # the world's two, none new
    response = client.submit(f"/houses/{world.house_a.id}/meetings/new", form | {"confirmed": "2"})
    assert response.status_code == 303
    assert len(session.exec(select(ResidentMeeting)).all()) == meetings + 1
    for person in (world.resident_a, world.chair_a):
        messages = smtp.to(person.email)
        assert len(messages) == 1
        text = smtp.text_of(messages[0])
        assert "Kerhohuone, Koivukuja 3" in text
        assert "https://meet.example.com/koivukuja" in text
        assert "Electing the resident committee" in text
    assert smtp.to(world.resident_b.email) == []
    assert "Invitation to the resident meeting of Koivukuja" in str(
        smtp.to(world.resident_a.email)[0]["Subject"]
    )


def test_missing_fields_are_shown_at_their_fields(client, session, world):
    as_user(client, session, world.chair_a)
    response = client.submit(
        f"/houses/{world.house_a.id}/meetings/new",
        {"starts_on": "", "starts_time": "18:00", "place": "", "invitation_on": "x"},
    )
    assert response.status_code == 422
    for field in ("starts_on", "place", "invitation_on"):
        assert f'aria-describedby="error-{field}' in response.text


# The meeting page and the invitation


def test_meeting_page_for_a_resident(client, session, world):
    response = as_user(client, session, world.resident_a).get(f"/meetings/{world.coming.id}")
    assert response.status_code == 200
    assert response.text.count("<h1>") == 1
    assert "Saunatupa" in response.text
    assert "Budget proposal" in response.text
    assert "participation-tag--decision" in response.text
    assert "Send invitation now" not in response.text


def test_meeting_page_refused_to_another_house_and_anonymous(client, session, world):
    url = f"/meetings/{world.coming.id}"
    assert refused_login(client.get(url))
    assert as_user(client, session, world.resident_b).get(url).status_code == 403
    assert client.get("/meetings/999999").status_code == 404


def test_send_invitation_now_mails_the_residents(client, session, world, smtp):
    url = f"/meetings/{world.coming.id}"
    as_user(client, session, world.chair_a)
    assert "Send invitation now" in client.get(url).text
    asked = client.submit(f"{url}/send-invitation")
    assert asked.status_code == 200 and 'name="confirmed"' in asked.text
    assert smtp.messages == []
    response = client.submit(f"{url}/send-invitation", {"confirmed": "2"})
    assert response.status_code == 303
    session.refresh(world.coming)
    assert world.coming.invitation_sent_at is not None
    assert world.coming.invitation_on == today()
    assert len(smtp.to(world.resident_a.email)) == 1
    assert len(smtp.to(world.chair_a.email)) == 1
    for form in ({}, {"confirmed": "2"}):
        again = client.submit(f"{url}/send-invitation", form)
        assert again.status_code == 422
        assert "already sent" in again.text
    assert len(smtp.to(world.resident_a.email)) == 1
    audit = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "resident_meeting", AuditEntry.entity_id == str(world.coming.id)
        )
    ).all()
    assert [(a.action, a.actor_id) for a in audit] == [("update", world.chair_a.id)]


def test_send_invitation_too_late_is_refused(client, session, world, smtp):
    world.coming.starts_at = utcnow() + timedelta(days=10)
    session.add(world.coming)
    session.commit()
    as_user(client, session, world.chair_a)
    page = client.get(f"/meetings/{world.coming.id}")
    assert "Send invitation now" not in page.text
    response = client.submit(f"/meetings/{world.coming.id}/send-invitation")
    assert response.status_code == 422
    assert "too late" in response.text
    assert smtp.messages == []


@pytest.mark.parametrize("who", ["resident_a", "manager_b"])
def test_send_invitation_refused_to_others(client, session, world, who, smtp):
    as_user(client, session, getattr(world, who))
    response = client.submit(f"/meetings/{world.coming.id}/send-invitation")
    assert response.status_code == 403
    assert smtp.messages == []


def test_send_invitation_anonymous_goes_to_login(client, session, world):
    assert refused_login(client.submit(f"/meetings/{world.coming.id}/send-invitation"))


# Minutes


def test_minutes_are_recorded_by_an_organiser(client, session, world):
    url = f"/meetings/{world.held.id}/minutes"
    as_user(client, session, world.chair_a)
    form = client.get(url)
    assert form.status_code == 200
    assert f'name="version" value="{world.held.version}"' in form.text
    response = client.submit(
        url,
        {"minutes": "Present: 14 residents.", "decisions": "Committee elected.", "version": "1"},
    )
    assert response.status_code == 303
    page = client.get(f"/meetings/{world.held.id}")
    assert "Present: 14 residents." in page.text and "Committee elected." in page.text
    session.refresh(world.held)
    assert world.held.version == 2


def test_minutes_with_a_stale_version_keep_the_text_and_show_the_conflict(client, session, world):
    url = f"/meetings/{world.held.id}/minutes"
    as_user(client, session, world.chair_a)
    client.submit(url, {"minutes": "Saved first.", "decisions": "", "version": "1"})
    as_user(client, session, world.manager_a)
    response = client.submit(url, {"minutes": "My own notes.", "decisions": "", "version": "1"})
    assert response.status_code == 409
    assert "Someone else saved the minutes in the meantime" in response.text
    assert "My own notes." in response.text and "Saved first." in response.text
    assert 'name="version" value="2"' in response.text
    session.refresh(world.held)
    assert world.held.minutes == "Saved first."


def test_minutes_before_the_meeting_are_refused_at_the_field(client, session, world):
    as_user(client, session, world.chair_a)
    page = client.get(f"/meetings/{world.coming.id}")
    assert "Record the minutes" not in page.text
    response = client.submit(
        f"/meetings/{world.coming.id}/minutes", {"minutes": "Early", "version": "1"}
    )
    assert response.status_code == 422
    assert 'aria-describedby="error-minutes' in response.text


@pytest.mark.parametrize("who", ["resident_a", "manager_b"])
def test_minutes_refused_to_others(client, session, world, who):
    url = f"/meetings/{world.held.id}/minutes"
    as_user(client, session, getattr(world, who))
    assert client.get(url).status_code == 403
    assert client.submit(url, {"minutes": "x", "version": "1"}).status_code == 403
    session.refresh(world.held)
    assert world.held.minutes == ""


def test_minutes_anonymous_goes_to_login(client, session, world):
    url = f"/meetings/{world.held.id}/minutes"
    assert refused_login(client.get(url))
    assert refused_login(client.submit(url, {"minutes": "x", "version": "1"}))


def test_meeting_page_lists_the_committee_it_elected(client, session, world):
    committee = ResidentCommittee(
        house_id=world.house_a.id,
        term_start=today() + timedelta(days=400),
        term_end=today() + timedelta(days=700),
        elected_at_meeting_id=world.held.id,
    )
    session.add(committee)
    session.commit()
    page = as_user(client, session, world.resident_a).get(f"/meetings/{world.held.id}")
    assert f'href="/committees/{committee.id}"' in page.text


# The front page's tasks


def test_front_page_tasks_for_organisers_and_managers(client, session, world):
    lonely = make_house(session, name="Yksinäinen talo")
    lonely.property_manager_id = world.manager_a.id
    session.add(lonely)
    session.commit()
    page = as_user(client, session, world.manager_a).get("/")
    assert page.status_code == 200
    assert f'href="/meetings/{world.held.id}/minutes"' in page.text
    assert "Record the minutes of the resident meeting of Koivukuja" in page.text
    assert "No resident meeting yet this year: Yksinäinen talo" in page.text
    resident_page = as_user(client, session, world.resident_a).get("/")
    assert "Record the minutes" not in resident_page.text
