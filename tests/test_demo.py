"""The demo data: complete and plausible, loaded twice without duplicates, its logins work."""

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from app.db import metadata
from app.demo import load as demo
from app.demo import plan as demo_plan
from app.deps import today
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House, Residency, Tenure
from app.models.meetings import ResidentMeeting
from app.models.people import Language, Person
from app.models.yte import YteMember, YteTerm
from app.security import verify_password
from app.services.access.roles import is_adult, load_principal
from app.services.access.tenures import age_on, may_stand
from app.services.bodies.yte import is_sitting_chair

ROLE_OF_LOGIN = {
    "Administrator": "admin",
    "Management": "management",
    "Housing adviser": "housing_adviser",
    "Property manager": "property_manager",
    "Committee chair and Haso-yte member": "chair",
    "Committee member": "committee",
    "Resident (renter)": "resident",
}


def row_counts(session: Session) -> dict[str, int]:
    """Rows in every table of the schema."""
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in metadata.sorted_tables
    }


def demo_houses(session: Session) -> list[House]:
    return list(session.exec(sm_select(House).where(col(House.code).like("HASO-%"))))


def test_loading_twice_leaves_the_same_rows(session):
    assert demo.is_empty(session)
    first = demo.load(session)
    assert first.startswith("Demo data loaded")
    assert not demo.is_empty(session)
    counts = row_counts(session)
    assert counts["house"] == 30
    assert counts["person"] > 150
    second = demo.load(session)
    assert "nothing was added" in second
    assert row_counts(session) == counts


def test_houses_are_plausible_and_managed(session):
    demo.load(session)
    houses = demo_houses(session)
    assert len(houses) == 30
    for house in houses:
        assert re.fullmatch(r"HASO-\d{3}", house.code)
        assert house.district and house.street_address and house.city == "Helsinki"
        assert re.fullmatch(r"00\d{3}", house.postal_code)  # Helsinki's postal codes
        assert 20 <= house.apartments <= 150
        assert Decimal(60) <= house.floor_area / house.apartments <= Decimal(70)
        assert 1990 <= house.year_built <= 2024
        assert house.property_manager_id is not None
    per_manager = Counter(house.property_manager_id for house in houses)
    assert 4 <= len(per_manager) <= 5
    assert all(6 <= n <= 8 for n in per_manager.values())
    assert {"Kalasatama", "Jätkäsaari", "Kivikko", "Pikku Huopalahti"} <= {
        h.district for h in houses
    }


def test_residents_committees_and_meetings(session):
    demo.load(session)
    day = today()
    houses = demo_houses(session)
    people = {p.id: p for p in session.exec(sm_select(Person))}
    # Some residents have no email: they are invited on paper (test_some_households_are_on_paper).
    assert all(p.email is None or p.email.endswith("@demo.example") for p in people.values())
    assert {Language.fi, Language.sv, Language.en} <= {p.language for p in people.values()}
    residencies = list(session.exec(sm_select(Residency)))
    per_house = Counter(r.house_id for r in residencies)
    assert all(5 <= per_house[h.id] <= 15 for h in houses)
    assert set(Tenure) == {r.tenure for r in residencies}  # every tenure is shown somewhere
    minors = [p for p in people.values() if p.birth_date and not is_adult(p, day)]
    assert 1 <= len(minors) < len(people) / 4

    apartment_of = {(r.person_id, r.house_id): r for r in residencies}
    current = list(
        session.exec(
            sm_select(ResidentCommittee).where(
                ResidentCommittee.term_start <= day, ResidentCommittee.term_end >= day
            )
        )
    )
    assert len(houses) * 2 // 3 <= len(current) < len(houses)  # most houses, not all
    for committee in current:
        assert (committee.term_end - committee.term_start).days <= 731
        seats = list(
            session.exec(
                sm_select(CommitteeMember).where(CommitteeMember.committee_id == committee.id)
            )
        )
        assert 3 <= len(seats) <= 6
        assert [s.position for s in seats].count(Position.chair) == 1
        homes = [apartment_of[(s.person_id, committee.house_id)] for s in seats]
        assert all(may_stand(r.tenure, age_on(people[r.person_id].birth_date, day)) for r in homes)
        assert len({r.apartment for r in homes}) == len(homes)  # one person per apartment
        assert all(is_adult(people[s.person_id], day) for s in seats)
        assert committee.elected_at_meeting_id is not None

    meetings = list(session.exec(sm_select(ResidentMeeting)))
    held = {m.house_id for m in meetings if m.starts_at.date() < day and m.minutes}
    assert len(held) >= len(houses) * 2 // 3
    upcoming = [m for m in meetings if m.starts_at.date() > day]
    assert upcoming
    for meeting in upcoming:
        assert day <= meeting.invitation_on <= meeting.starts_at.date() - timedelta(days=14)
        assert meeting.invitation_sent_at is None


def test_haso_yte_has_ten_sitting_chairs(session):
    demo.load(session)
    day = today()
    term = session.exec(
        sm_select(YteTerm).where(YteTerm.starts_on <= day, YteTerm.ends_on >= day)
    ).one()
    members = list(session.exec(sm_select(YteMember).where(YteMember.term_id == term.id)))
    assert len(members) == 10
    assert len({m.house_id for m in members}) == 10
    assert sum(m.is_chair for m in members) == 1
    for member in members:
        person = session.get(Person, member.person_id)
        assert person is not None
        assert member.house_id in load_principal(session, person, day).chair_of


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 1),  # the first day of a term
        date(2026, 11, 22),
        date(2027, 5, 1),  # the committees elected before the term have been re-elected
        date(2028, 1, 15),  # the last weeks of a term
        date(2028, 1, 31),
        date(2028, 3, 1),
    ],
)
def test_haso_yte_members_chaired_when_the_term_began_whatever_the_load_day(session, day):
    first = demo.load(session, today=day)
    assert first.startswith("Demo data loaded")
    term = session.exec(
        sm_select(YteTerm).where(YteTerm.starts_on <= day, YteTerm.ends_on >= day)
    ).one()
    assert (term.starts_on, term.ends_on) == demo_plan.yte_term_dates(day)
    members = list(session.exec(sm_select(YteMember).where(YteMember.term_id == term.id)))
    assert len(members) == 10
    assert len({m.house_id for m in members}) == 10
    assert sum(m.is_chair for m in members) == 1
    for member in members:
        assert is_sitting_chair(session, member.person_id, member.house_id, term.starts_on)
        assert is_sitting_chair(session, member.person_id, member.house_id, day)

    committees = sorted(
        session.exec(sm_select(ResidentCommittee)), key=lambda c: (c.house_id, c.term_start)
    )
    for before, after in zip(committees, committees[1:], strict=False):
        if before.house_id == after.house_id:
            assert before.term_end < after.term_start
    for committee in committees:
        assert committee.term_start <= committee.term_end
        assert (committee.term_end - committee.term_start).days <= 731
        assert committee.elected_at_meeting_id is not None

    counts = row_counts(session)
    assert "nothing was added" in demo.load(session, today=day)
    assert row_counts(session) == counts
    assert demo_plan.build_plan(day) == demo_plan.build_plan(day)


def test_every_demo_login_has_the_password_and_its_role(session):
    demo.load(session)
    logins = demo.demo_logins()
    assert [role for role, _email in logins] == list(ROLE_OF_LOGIN)
    text = demo.logins_text()
    assert "/dev/outbox" in text
    for role, email in logins:
        assert email in text
        person = session.exec(sm_select(Person).where(Person.email == email)).one()
        assert verify_password(person.password_hash, demo.PASSWORD)
        principal = load_principal(session, person, today())
        assert ROLE_OF_LOGIN[role] in principal.role_names()
    chair = session.exec(sm_select(Person).where(Person.email == logins[4][1])).one()
    assert load_principal(session, chair, today()).yte_member
    member = session.exec(sm_select(Person).where(Person.email == logins[5][1])).one()
    assert not load_principal(session, member, today()).chair_of
    renter = session.exec(sm_select(Person).where(Person.email == logins[6][1])).one()
    assert not load_principal(session, renter, today()).voter_of


def test_demo_house_shows_every_tenure_and_who_votes(session):
    """HASO-001, the demo logins' house, has a holder's spouse, a co-holder and a household
    member beside its holders and renters; the spouse and the co-holder vote, the others not."""
    demo.load(session)
    day = today()
    house = session.exec(sm_select(House).where(House.code == "HASO-001")).one()
    rows = session.exec(
        sm_select(Residency, Person)
        .join(Person, col(Person.id) == Residency.person_id)
        .where(Residency.house_id == house.id)
    ).all()
    by_tenure: dict[Tenure, list[Person]] = {}
    for residency, person in rows:
        by_tenure.setdefault(residency.tenure, []).append(person)
    assert set(by_tenure) == set(Tenure)
    for tenure, people in by_tenure.items():
        for person in people:
            votes = house.id in load_principal(session, person, day).voter_of
            assert votes == (
                tenure in {Tenure.holder, Tenure.co_holder, Tenure.spouse} and is_adult(person, day)
            ), (tenure, person.name)


def test_demo_login_through_the_login_page(client, session):
    demo.load(session)
    session.commit()
    email = dict(demo.demo_logins())["Committee chair and Haso-yte member"]
    response = client.submit("/login", {"email": email, "password": "asukasdemo"})
    assert response.status_code == 303, response.text
    page = client.get("/")
    assert page.status_code == 200
    assert "Aino Virtanen" in page.text
    assert "Kalasataman Majakka" in page.text


def test_initiatives_in_several_states_with_their_history(session):
    from app.models.forum import AgendaItem, ForumSession
    from app.models.initiatives import Initiative, InitiativeEvent, Scope, State
    from app.services.initiatives import lists as initiative_lists
    from app.services.initiatives import records as initiatives_service

    demo.load(session)
    day = today()
    initiatives = list(session.exec(sm_select(Initiative)))
    states = {i.state for i in initiatives}
    assert {
        State.suggested,
        State.draft,
        State.submitted,
        State.in_preparation,
        State.answered,
        State.implemented,
        State.evaluated,
        State.withdrawn,
    } <= states
    assert {i.scope for i in initiatives} == {Scope.house, Scope.company}
    assert any(initiative_lists.is_overdue(i, day) for i in initiatives)
    awaiting = [i for i in initiatives if i.state == State.implemented]
    assert awaiting and all(i.answered_at and i.implemented_at for i in awaiting)
    for initiative in initiatives:
        events = initiatives_service.history(session, initiative.id)
        assert events[0].kind.value == "created"
        moves = [e for e in events if e.kind.value == "state"]
        assert moves == [] or moves[-1].to_state == initiative.state
        assert all(e.at.date() < day + timedelta(days=1) for e in events)
    assert session.exec(sm_select(InitiativeEvent)).first() is not None

    sessions = list(session.exec(sm_select(ForumSession).order_by(col(ForumSession.starts_at))))
    assert len(sessions) == 2
    past, upcoming = sessions
    assert past.starts_at.date() < day < upcoming.starts_at.date()
    assert past.minutes_published_at is not None and past.agenda_published_at is not None
    assert upcoming.agenda_published_at is None
    past_items = list(session.exec(sm_select(AgendaItem).where(AgendaItem.session_id == past.id)))
    assert all(item.recorded_at for item in past_items)
    assert any(item.initiative_id for item in past_items)
    coming_items = session.exec(sm_select(AgendaItem).where(AgendaItem.session_id == upcoming.id))
    assert list(coming_items)


def test_the_forum_minutes_and_the_initiative_answer_agree(session):
    from app.models.forum import AgendaItem, ForumSession
    from app.models.initiatives import Initiative
    from app.services.forum import sessions as forum_service

    demo.load(session)
    past = session.exec(sm_select(ForumSession).order_by(col(ForumSession.starts_at))).first()
    items = session.exec(
        sm_select(AgendaItem).where(
            AgendaItem.session_id == past.id, col(AgendaItem.initiative_id).is_not(None)
        )
    ).all()
    assert items
    for item in items:
        initiative = session.get(Initiative, item.initiative_id)
        assert initiative.answer == item.decision
        assert initiative.outcome == item.outcome
        day = forum_service.local_date(past.starts_at)
        assert forum_service.local_date(initiative.answered_at) == day
        assert forum_service.local_date(item.recorded_at) == day
        assert initiative.answered_at >= forum_service.ends_at(past)


def test_some_households_are_on_paper(session):
    """Some demo households have no email (whole apartments: their invitations come as a
    letter), none of them with a login or a seat; the demo logins' house has some, and its last
    sent invitation shows both channels, as every house's does where it reached both."""
    from app.models.notices import NoticeRecipient
    from app.models.people import NoticeChannel
    from app.services.bodies import meeting_notices

    demo.load(session)
    paper = list(session.exec(sm_select(Person).where(col(Person.email).is_(None))))
    assert 10 <= len(paper) < len(list(session.exec(sm_select(Person)))) / 4
    assert all(p.notice_channel == NoticeChannel.paper and p.password_hash is None for p in paper)
    seated = set(session.exec(sm_select(CommitteeMember.person_id)))
    assert not {p.id for p in paper} & seated
    logins = {email for _role, email in demo.demo_logins()}
    assert all(session.exec(sm_select(Person).where(Person.email == e)).one() for e in logins)

    house = session.exec(sm_select(House).where(House.code == "HASO-001")).one()
    meeting = session.exec(
        sm_select(ResidentMeeting)
        .where(
            ResidentMeeting.house_id == house.id,
            col(ResidentMeeting.invitation_sent_at).is_not(None),
        )
        .order_by(col(ResidentMeeting.starts_at).desc())
    ).first()
    reach = meeting_notices.reach_sent(session, meeting)
    assert reach is not None and reach.email_apartments >= 1 and reach.paper_apartments >= 2
    recorded = session.exec(
        sm_select(NoticeRecipient).where(NoticeRecipient.house_id == house.id)
    ).all()
    assert {r.channel for r in recorded} == {NoticeChannel.email, NoticeChannel.paper}
