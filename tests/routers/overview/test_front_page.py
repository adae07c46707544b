"""The front page as each role sees it: what awaits first (management's dashboard after it),
then what is new, then what is coming; roles and houses last. Deadlines are dates."""

import re
from datetime import timedelta

from markupsafe import escape

from app.i18n import ngettext, use_language
from app.models.calendar import Audience, CalendarEvent, EventKind
from app.models.forum import AgendaItem
from app.models.initiatives import Notification, State
from app.models.meetings import ResidentMeeting
from app.models.people import StaffKind
from app.models.types import local_date, utcnow
from tests.support import (
    fi,
    make_chair,
    make_forum_session,
    make_house,
    make_initiative,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)

SECTIONS = ["tasks-title", "new-title", "coming-title", "me-title"]
NOT_LINKED = "You are not linked to any house."


def order_of(html: str, ids: list[str]) -> list[int]:
    """Where each section's heading is on the page (-1 when it is not)."""
    return [html.find(f'id="{i}"') for i in ids]


def assert_well_formed(html: str) -> None:
    """One h1 first; every section is labelled by a heading found on the page."""
    assert html.count("<h1") == 1
    assert html.index("<h1") < html.index("<h2")
    labels = re.findall(r'<section[^>]*aria-labelledby="([^"]+)"', html)
    sections = html.count("<section")
    assert len(labels) == sections
    for label in labels:
        assert re.search(rf'<h[23] id="{label}"', html), label


def test_a_residents_page_starts_with_what_awaits_them(client, session):
    house = make_house(session, name="Kalasataman Helmi")
    resident = make_resident(session, house)
    chair = make_chair(session, house)
    followed = make_initiative(session, chair, house, State.received, title="Pyörävarasto")
    session.add(Notification(person_id=resident.id, initiative_id=followed.id))
    draft = make_initiative(session, resident, house, State.draft, title="Oma luonnos")
    meeting = ResidentMeeting(
        house_id=house.id,
        starts_at=utcnow() + timedelta(days=20),
        place="Kerhohuone",
        invitation_on=local_date(utcnow()),
    )
    session.add(meeting)
    session.commit()
    html = client.login_as(session, resident).get("/").text
    assert_well_formed(html)
    where = order_of(html, SECTIONS)
    assert -1 not in where and where == sorted(where)
    assert order_of(html, ["dashboard-title"]) == [-1]  # no dashboard for a resident
    ends = [*where[1:], len(html)]
    tasks, new, coming, me = (html[a:b] for a, b in zip(where, ends, strict=True))
    assert f'href="/initiatives/{draft.id}"' in tasks
    assert f'href="/initiatives/{followed.id}">Pyörävarasto</a>' in new
    assert f'href="/meetings/{meeting.id}"' in coming
    assert "Kalasataman Helmi" in me and fi("Resident") in me
    assert NOT_LINKED not in html and fi(NOT_LINKED) not in html


def test_deadlines_are_dates_and_overdue_is_said_first(client, session):
    house = make_house(session, name="Koivukuja")
    manager = make_manager(session, house)
    chair = make_chair(session, house)
    today = local_date(utcnow())
    late = make_initiative(
        session, chair, house, State.submitted, receipt_due_on=today - timedelta(days=2)
    )
    due = make_initiative(
        session, chair, house, State.received, answer_due_on=today + timedelta(days=20)
    )
    session.commit()
    html = client.login_as(session, manager).get("/").text
    items = re.findall(r"<li>(.*?)</li>", html[html.index('id="tasks-title"') :], re.S)
    late_item = next(i for i in items if f"/initiatives/{late.id}" in i)
    due_item = next(i for i in items if f"/initiatives/{due.id}" in i)
    assert late_item.index(fi("Overdue")) < late_item.index("<a ")
    assert "hds-status-label" in late_item and fi("Overdue") not in due_item
    late_day = (today - timedelta(days=2)).isoformat()
    assert f'<time datetime="{late_day}">' in late_item
    assert f'<time datetime="{(today + timedelta(days=20)).isoformat()}">' in due_item
    assert html.index(f"/initiatives/{late.id}") < html.index(f"/initiatives/{due.id}")


def _slot(session, days_ahead: int) -> CalendarEvent:
    starts = utcnow() + timedelta(days=days_ahead)
    slot = CalendarEvent(
        kind=EventKind.residents_newsletter,
        title_fi="Asukkaiden uutiskirje",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        audience=Audience.all_residents,
    )
    session.add(slot)
    session.flush()
    return slot


def test_managements_front_page_is_a_dashboard_of_the_company(client, session):
    director = make_staff(session, StaffKind.management)
    house = make_house(session)
    today = local_date(utcnow())
    for n in range(3):
        make_initiative(
            session, None, house, State.submitted, receipt_due_on=today - timedelta(days=n + 1)
        )
    forum = make_forum_session(session, days_ahead=20, title="Kevään foorumi")
    for n in range(4):
        session.add(AgendaItem(session_id=forum.id, position=n, title=f"Asia {n}"))
    slot = _slot(session, days_ahead=10)
    session.commit()
    html = client.login_as(session, director).get("/").text
    assert_well_formed(html)
    where = order_of(html, ["tasks-title", "dashboard-title", *SECTIONS[1:]])
    assert -1 not in where and where == sorted(where)
    board = html[where[1] : where[2]]
    with use_language("fi"):
        late = ngettext("%(num)s initiative is overdue", "%(num)s initiatives are overdue", 3)
        items = ngettext("%(num)s item on the agenda", "%(num)s items on the agenda", 4)
    assert f'<a href="/initiatives?overdue=1">{escape(late)}</a>' in board
    assert f'href="/forum/sessions/{forum.id}">Kevään foorumi</a>' in board
    assert str(escape(items)) in board
    assert 'href="/compliance"' in board
    # What is coming within weeks is on the page: the forum session and the newsletter's day.
    coming = html[where[3] : where[4]]
    assert f'href="/forum/sessions/{forum.id}"' in coming
    assert f'href="/calendar/events/{slot.id}"' in coming
    # Management lives in no house: no sentence about houses it is not linked to.
    me = html[where[4] :]
    assert NOT_LINKED not in html and fi(NOT_LINKED) not in html
    assert fi("Management") in me and 'href="/houses"' in me


def test_people_without_houses_never_read_that_they_are_not_linked_to_one(client, session):
    for person in (
        make_staff(session, StaffKind.housing_adviser),
        make_staff(session, StaffKind.admin),
        make_person(session),
    ):
        html = client.login_as(session, person).get("/").text
        assert NOT_LINKED not in html and fi(NOT_LINKED) not in html
        assert html.count('class="house-list"') == 0
    assert fi("No roles yet.") in html  # the last one holds no role at all


def test_a_chair_is_asked_to_cast_the_houses_vote(client, session):
    from app.models.ballots import ElectionCreate
    from app.services.ballots import elections as elections_service

    house = make_house(session, name="Vaahtera")
    chair = make_chair(session, house)
    today = local_date(utcnow())
    election, _key = elections_service.create_election(
        session,
        ElectionCreate(
            title="Haso-yte",
            nomination_opens_on=today - timedelta(days=20),
            nomination_closes_on=today - timedelta(days=10),
            voting_opens_on=today - timedelta(days=1),
            voting_closes_on=today + timedelta(days=4),
        ),
        None,
    )
    session.commit()
    html = client.login_as(session, chair).get("/").text
    tasks = html[html.index('id="tasks-title"') : html.index('id="new-title"')]
    assert f'href="/elections/{election.id}"' in tasks
    closes = (today + timedelta(days=4)).isoformat()
    assert f'<time datetime="{closes}">' in tasks
