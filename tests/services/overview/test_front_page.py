"""The front page's content: tasks with their deadlines (votes and surveys too), what is new,
what is coming by the calendar's own visibility, and management's dashboard."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from app import i18n
from app.jinja import fmt_date
from app.models.ballots import ElectionCreate, ElectionDelegate, ElectionPurpose
from app.models.calendar import Audience, CalendarEvent, EventKind
from app.models.committees import Position, ResidentCommittee
from app.models.finances import BudgetCycle, CycleStep
from app.models.forum import AgendaItem
from app.models.initiatives import State
from app.models.meetings import ResidentMeeting
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.models.people import StaffKind
from app.models.surveys import SurveyCreate, SurveyQuestion
from app.models.types import HELSINKI, local_date, utcnow
from app.services.access.roles import load_principal
from app.services.ballots import elections as elections_service
from app.services.ballots import surveys as surveys_service
from app.services.ballots import voting
from app.services.overview import dashboard, home
from tests.support import (
    make_chair,
    make_committee,
    make_forum_session,
    make_house,
    make_initiative,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)

NOW = utcnow()
TODAY = local_date(NOW)


@pytest.fixture(autouse=True)
def english():
    """Messages and dates in English, whatever catalogues exist."""
    with i18n.use_language("en"):
        yield


def who(session, person, on: date = TODAY):
    return load_principal(session, person, on)


def page(session, person, now: datetime = NOW) -> home.FrontPage:
    return home.front_page(session, who(session, person, local_date(now)), now)


def at(day: date, hour: int = 18) -> datetime:
    """A Helsinki wall-clock time, in UTC."""
    return datetime.combine(day, time(hour), tzinfo=HELSINKI).astimezone(UTC)


# ---- tasks ---------------------------------------------------------------------------------


def test_tasks_come_overdue_first_then_by_deadline_and_undated_last(session):
    house = make_house(session, name="Koivukuja")
    manager = make_manager(session, house)
    chair = make_chair(session, house)
    # This year's meeting is held and recorded; last year's still lacks its minutes.
    session.add(
        ResidentMeeting(
            house_id=house.id, starts_at=NOW, place="Kerho", invitation_on=TODAY, minutes="Ok"
        )
    )
    old = ResidentMeeting(
        house_id=house.id,
        starts_at=at(date(TODAY.year - 1, 5, 20)),
        place="Kerho",
        invitation_on=date(TODAY.year - 1, 5, 1),
    )
    session.add(old)
    late = make_initiative(
        session,
        chair,
        house,
        State.submitted,
        title="Myöhässä",
        receipt_due_on=TODAY - timedelta(days=3),
    )
    later = make_initiative(
        session,
        chair,
        house,
        State.received,
        title="Myöhemmin",
        answer_due_on=TODAY + timedelta(days=30),
    )
    sooner = make_initiative(
        session, chair, house, State.submitted, receipt_due_on=TODAY + timedelta(days=2)
    )
    session.flush()
    shown = page(session, manager).tasks
    assert [t.url for t in shown] == [
        f"/initiatives/{late.id}",
        f"/initiatives/{sooner.id}",
        f"/initiatives/{later.id}",
        f"/meetings/{old.id}/minutes",
    ]
    assert [t.overdue for t in shown] == [True, False, False, False]
    assert [t.due for t in shown] == [
        TODAY - timedelta(days=3),
        TODAY + timedelta(days=2),
        TODAY + timedelta(days=30),
        None,
    ]
    # Each deadline is named in the text as the page's date filter writes it.
    for task in shown[:3]:
        assert task.due is not None and fmt_date(task.due) in task.text


def _election(session, **fields):
    values = dict(
        purpose=ElectionPurpose.yte,
        title="Haso-yte 2031",
        nomination_opens_on=TODAY - timedelta(days=20),
        nomination_closes_on=TODAY - timedelta(days=5),
        voting_opens_on=TODAY - timedelta(days=1),
        voting_closes_on=TODAY + timedelta(days=6),
    )
    values.update(fields)
    election, _key = elections_service.create_election(session, ElectionCreate(**values), None)
    return election


def test_a_house_whose_vote_is_not_cast_awaits_its_chair_and_its_delegate(session):
    house = make_house(session, name="Vaahtera")
    chair = make_resident(session, house)
    delegate = make_resident(session, house)
    resident = make_resident(session, house)
    make_committee(
        session,
        house,
        [(chair, Position.chair), (delegate, Position.member)],
        term_start=TODAY - timedelta(days=100),
    )
    other = make_house(session, name="Kataja")
    other_chair = make_chair(session, other)
    election = _election(session)
    session.add(ElectionDelegate(election_id=election.id, house_id=house.id, person_id=delegate.id))
    _election(session, title="Not voting yet", voting_opens_on=TODAY + timedelta(days=3))
    session.flush()
    closes = fmt_date(election.voting_closes_on)
    text = f"Cast the vote of Vaahtera in the election “Haso-yte 2031” by {closes}"
    for person in (chair, delegate):
        votes = [t for t in page(session, person).tasks if t.url == f"/elections/{election.id}"]
        assert [(t.text, t.due) for t in votes] == [(text, election.voting_closes_on)]
    assert not [t for t in page(session, resident).tasks if "/elections/" in t.url]
    # A candidate stands, the chair votes: the task is gone for both who could cast the vote.
    candidate = elections_service.stand(
        session, election, other_chair.id, other.id, "Ehdolla", election.nomination_opens_on
    )
    voting.cast_vote(session, election, chair.id, house.id, [candidate.id], TODAY)
    for person in (chair, delegate):
        assert not [t for t in page(session, person).tasks if "/elections/" in t.url]
    assert [t.url for t in page(session, other_chair).tasks if "/elections/" in t.url] == [
        f"/elections/{election.id}"
    ]


def _survey(session, creator, **fields):
    values = dict(
        title="Pihakysely",
        audience=Audience.house_residents,
        opens_on=TODAY - timedelta(days=1),
        closes_on=TODAY + timedelta(days=9),
        questions="scale: How do you like the yard?",
    )
    values.update(fields)
    return surveys_service.create_survey(session, SurveyCreate(**values), who(session, creator))


def test_open_surveys_meant_for_the_person_await_until_answered_even_anonymous(session):
    house, elsewhere = make_house(session), make_house(session)
    manager = make_manager(session, house, elsewhere)
    resident = make_resident(session, house)
    director = make_staff(session, StaffKind.management)
    yard = _survey(session, manager, house_id=house.id)
    _survey(session, manager, title="Toinen talo", house_id=elsewhere.id)
    closed = TODAY - timedelta(days=1)
    _survey(session, manager, title="Suljettu", house_id=house.id, closes_on=closed)
    staff_only = _survey(session, director, title="Johdolle", audience=Audience.management)
    assert yard.anonymous
    task = (
        "Answer the survey “Pihakysely”, open until " + fmt_date(yard.closes_on),
        yard.closes_on,
    )
    assert [(t.text, t.due) for t in page(session, resident).tasks] == [task]
    # The manager made it and management may see every survey: neither is its audience.
    assert not [t for t in page(session, manager).tasks if "/surveys/" in t.url]
    other_director = make_staff(session, StaffKind.management)
    assert [t.url for t in page(session, other_director).tasks if "/surveys/" in t.url] == [
        f"/surveys/{staff_only.id}"
    ]
    (question,) = session.exec(select(SurveyQuestion).where(SurveyQuestion.survey_id == yard.id))
    surveys_service.answer(session, yard, who(session, resident), {f"q{question.id}": ["4"]}, TODAY)
    assert page(session, resident).tasks == []


# ---- what is new and what is coming -------------------------------------------------------


def _letter(session, kind, sent_at, house=None, status=NewsletterStatus.sent, title=None):
    row = Newsletter(
        kind=kind,
        house_id=house.id if house else None,
        title=title or f"{kind} {sent_at:%Y-%m-%d}",
        status=status,
        sent_at=sent_at if status == NewsletterStatus.sent else None,
        scheduled_at=sent_at if status == NewsletterStatus.scheduled else None,
    )
    session.add(row)
    session.flush()
    return row


def test_the_newest_newsletters_the_person_may_read(session):
    house, elsewhere = make_house(session), make_house(session)
    resident = make_resident(session, house)
    chair = make_chair(session, house)
    old = _letter(session, NewsletterKind.residents, NOW - timedelta(days=90), title="Vanha")
    spring = _letter(session, NewsletterKind.residents, NOW - timedelta(days=20), title="Kevät")
    bulletin = _letter(session, NewsletterKind.house, NOW - timedelta(days=5), house, title="Oma")
    _letter(session, NewsletterKind.house, NOW - timedelta(days=1), elsewhere, title="Vieras")
    chairs = _letter(session, NewsletterKind.chairs, NOW - timedelta(days=2), title="Pj-posti")
    _letter(session, NewsletterKind.residents, NOW, status=NewsletterStatus.draft, title="Luonnos")
    assert [n.title for n in page(session, resident).newsletters] == ["Oma", "Kevät", "Vanha"]
    assert [n.newsletter_id for n in page(session, chair).newsletters] == [
        chairs.id,
        bulletin.id,
        spring.id,
    ]
    assert old.id not in [n.newsletter_id for n in page(session, chair).newsletters]


def _entry(session, starts_at, kind=EventKind.event, hours=2, **fields):
    values = {
        "kind": kind,
        "title_fi": "Tapahtuma",
        "title_en": "Event",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=hours),
        "audience": Audience.all_residents,
    }
    values.update(fields)
    event = CalendarEvent(**values)
    session.add(event)
    session.flush()
    return event


def test_what_is_coming_follows_the_calendars_visibility_and_the_own_records(session):
    house, elsewhere = make_house(session, name="Oma talo"), make_house(session, name="Muu")
    resident = make_resident(session, house)
    director = make_staff(session, StaffKind.management)
    soon = NOW + timedelta(days=10)
    meeting = ResidentMeeting(house_id=house.id, starts_at=soon, place="Kerho", invitation_on=TODAY)
    session.add(meeting)
    session.flush()
    # The meeting's own calendar entry: shown once, from the meeting.
    linked = _entry(
        session,
        soon,
        EventKind.resident_meeting,
        audience=Audience.house_residents,
        house_id=house.id,
        title_en="Resident meeting",
    )
    meeting.calendar_event_id = linked.id
    evening = _entry(session, NOW + timedelta(days=3), title_en="Residents' evening")
    house_party = _entry(
        session,
        NOW + timedelta(days=5),
        audience=Audience.house_residents,
        house_id=house.id,
        title_en="Yard party",
    )
    _entry(
        session,
        NOW + timedelta(days=5),
        audience=Audience.house_residents,
        house_id=elsewhere.id,
        title_en="Their party",
    )
    _entry(session, NOW + timedelta(days=4), title_en="Cancelled", cancelled_at=NOW)
    _entry(session, NOW + timedelta(weeks=home.COMING_WEEKS, days=1), title_en="Far ahead")
    slot = _entry(
        session,
        NOW + timedelta(days=6),
        EventKind.residents_newsletter,
        hours=1,
        title_en="Residents' newsletter",
    )
    forum = make_forum_session(session, days_ahead=12, title="Forum")
    session.flush()

    coming = page(session, resident).coming
    assert [(c.kind, c.url) for c in coming] == [
        ("event", f"/calendar/events/{evening.id}"),
        ("event", f"/calendar/events/{house_party.id}"),
        ("meeting", f"/meetings/{meeting.id}"),
    ]
    assert [c.title for c in coming] == [
        "Residents' evening",
        "Yard party: Oma talo",
        ("Resident meeting: Oma talo"),
    ]
    # Management: every company-wide entry, its editorial slots and the forum session, but not
    # each house's own events (the houses are on its dashboard, not its calendar of the week).
    # (Company-wide entries other tests left in a shared database are not this test's.)
    ours = {f"/calendar/events/{e.id}" for e in (evening, house_party, slot)}
    ours |= {f"/forum/sessions/{forum.id}", f"/meetings/{meeting.id}"}
    coming = page(session, director).coming
    assert [c.url for c in coming if c.url in ours] == [
        f"/calendar/events/{evening.id}",
        f"/calendar/events/{slot.id}",
        f"/forum/sessions/{forum.id}",
    ]


def test_a_whole_day_entry_is_shown_as_days(session):
    house = make_house(session)
    chair = make_chair(session, house)
    first = TODAY + timedelta(days=3)
    start, end = (
        datetime.combine(day, time(0), tzinfo=HELSINKI).astimezone(UTC)
        for day in (first, first + timedelta(days=3))
    )
    voting = _entry(
        session,
        start,
        EventKind.election,
        audience=Audience.all_chairs,
        title_en="Voting",
        ends_at=end,
    )
    (entry,) = [c for c in page(session, chair).coming if c.url.endswith(f"/{voting.id}")]
    assert entry.days == (first, first + timedelta(days=2))


# ---- management's dashboard ----------------------------------------------------------------

DAY = date(2031, 3, 10)
NOON = at(DAY, 12)


def test_only_management_and_administrators_get_the_dashboard(session):
    house = make_house(session)
    for person in (make_chair(session, house), make_manager(session, house)):
        assert page(session, person).dashboard is None
    for kind in (StaffKind.management, StaffKind.admin):
        assert page(session, make_staff(session, kind)).dashboard is not None


def test_the_dashboard_counts_from_each_record(session):
    director = make_staff(session, StaffKind.management)
    kept = make_house(session, name="Kunnossa")
    lacking = make_house(session, name="Puutteellinen")
    session.add(
        ResidentMeeting(
            house_id=kept.id, starts_at=at(date(2031, 2, 1)), place="K", invitation_on=DAY
        )
    )
    session.add(
        ResidentCommittee(house_id=kept.id, term_start=date(2030, 6, 1), term_end=date(2032, 5, 31))
    )
    # The forum: one session past, the next with two items and its agenda unpublished.
    make_forum_session(session, starts_at=at(date(2031, 2, 1), 17))
    coming = make_forum_session(session, starts_at=at(date(2031, 3, 20), 17))
    make_forum_session(session, starts_at=at(date(2031, 6, 1), 17))
    for n in range(2):
        session.add(AgendaItem(session_id=coming.id, position=n, title=f"Asia {n}"))
    # Newsletters: the chairs' slot of March is met, the residents' one is not yet.
    chairs_slot = _entry(
        session,
        at(DAY - timedelta(days=5), 9),
        EventKind.chairs_newsletter,
        hours=1,
        audience=Audience.all_chairs,
        title_en="Chairs' newsletter",
    )
    residents_slot = _entry(
        session,
        at(date(2031, 3, 25), 9),
        EventKind.residents_newsletter,
        hours=1,
        title_en="Residents' newsletter",
    )
    _entry(session, at(date(2031, 4, 5), 9), EventKind.chairs_newsletter, hours=1)
    _letter(session, NewsletterKind.chairs, at(date(2031, 2, 10), 9))
    _letter(session, NewsletterKind.chairs, at(date(2031, 3, 4), 9))
    # Initiatives: two late (a receipt and an answer), one on time.
    make_initiative(session, None, kept, State.submitted, receipt_due_on=DAY - timedelta(days=1))
    make_initiative(session, None, lacking, State.received, answer_due_on=date(2031, 2, 1))
    make_initiative(session, None, kept, State.submitted, receipt_due_on=DAY + timedelta(days=9))
    # Budget cycles: two proposals await a statement, one of them past its deadline.
    for house, step, statement_due in (
        (kept, CycleStep.proposal, date(2031, 3, 5)),
        (lacking, CycleStep.proposal, date(2031, 3, 20)),
        (None, CycleStep.kickoff, date(2031, 4, 1)),
    ):
        session.add(
            BudgetCycle(
                year=2032,
                house_id=house.id if house else None,
                step=step,
                kickoff_on=date(2031, 1, 15),
                proposal_due=date(2031, 2, 28),
                statement_due=statement_due,
                confirmation_due=date(2031, 5, 1),
                effective_from=date(2032, 3, 1),
                evaluation_due=date(2032, 6, 1),
            )
        )
    session.flush()

    board = dashboard.build(session, who(session, director, DAY), NOON)
    assert board is not None and board.forum is not None
    assert board.forum.forum_session.id == coming.id
    assert (board.forum.items, board.forum.agenda) == (2, dashboard.UNPUBLISHED)
    assert board.forum.publish_by == date(2031, 3, 13) and not board.forum.late
    assert [(s.title, s.due, s.state) for s in board.newsletters] == [
        ("Chairs' newsletter", local_date(chairs_slot.starts_at), dashboard.SENT),
        ("Residents' newsletter", local_date(residents_slot.starts_at), dashboard.DUE),
    ]
    assert board.overdue_initiatives == 2
    assert board.statements is not None
    assert (board.statements.awaited, board.statements.late) == (2, 1)
    assert board.statements.first_due == date(2031, 3, 5)
    assert board.statements.url == "/budget-cycles?year=2032"
    assert board.compliance is not None
    # One house lacks its meeting and committee; January went without a chairs' newsletter.
    assert (board.compliance.houses, board.compliance.residents_behind) == (1, False)
    assert (board.compliance.months_missing, board.compliance.problems) == (1, 2)

    # A week later the notice is missed; a scheduled residents' newsletter counts as on its way,
    # and at the end of the month an unsent one is late.
    later = at(DAY + timedelta(days=5), 12)
    forum = dashboard.forum_panel(session, later)
    assert forum is not None and forum.late
    assert [s.state for s in dashboard.newsletter_slots(session, date(2031, 3, 28))] == [
        dashboard.SENT,
        dashboard.LATE,
    ]
    _letter(
        session,
        NewsletterKind.residents,
        at(date(2031, 3, 26), 9),
        status=NewsletterStatus.scheduled,
    )
    assert [s.state for s in dashboard.newsletter_slots(session, DAY)] == [
        dashboard.SENT,
        dashboard.SCHEDULED,
    ]


def test_a_forum_session_going_on_is_the_next_one_and_a_changed_agenda_is_told(session):
    going_on = make_forum_session(
        session, starts_at=NOON - timedelta(hours=1), agenda_published_at=NOON - timedelta(days=9)
    )
    going_on.updated_at = NOON - timedelta(days=2)  # changed after publication
    session.add(going_on)
    session.flush()
    forum = dashboard.forum_panel(session, NOON)
    assert forum is not None and forum.forum_session.id == going_on.id
    assert (forum.items, forum.agenda, forum.late) == (0, dashboard.CHANGED, False)
    assert dashboard.forum_panel(session, NOON + timedelta(hours=3)) is None


def test_a_person_without_houses_is_shown_no_houses(session):
    adviser = make_staff(session, StaffKind.housing_adviser)
    director = make_staff(session, StaffKind.management)
    for person in (adviser, director, make_person(session)):
        assert page(session, person).houses == []
    assert page(session, director).oversees and not page(session, adviser).oversees
