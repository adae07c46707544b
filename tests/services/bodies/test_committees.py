"""Resident committees: two-year terms elected by a meeting, who may sit and in which seat."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from app import i18n
from app.errors import NotFound, ValidationFailed
from app.models.audit import AuditEntry
from app.models.committees import CommitteeCreate, CommitteeMember, MemberCreate, Position
from app.models.houses import Tenure
from app.models.meetings import ResidentMeeting
from app.services.bodies import committees as committees_service
from tests.support import make_house, make_person, make_resident

TODAY = date(2027, 4, 1)
NOW = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english():
    """Messages and dates in English, whatever catalogues exist."""
    with i18n.use_language("en"):
        yield


def make_meeting(session, house, starts_at: datetime) -> ResidentMeeting:
    meeting = ResidentMeeting(
        house_id=house.id,
        starts_at=starts_at,
        place="Kerhohuone",
        invitation_on=(starts_at - timedelta(days=20)).date(),
    )
    session.add(meeting)
    session.flush()
    return meeting


def held_meeting(session, house) -> ResidentMeeting:
    return make_meeting(session, house, NOW - timedelta(days=10))


def term(meeting, start: date, end: date) -> CommitteeCreate:
    return CommitteeCreate(term_start=start, term_end=end, elected_at_meeting_id=meeting.id)


def committee_for(session, house):
    meeting = held_meeting(session, house)
    return committees_service.create(
        session, house.id, term(meeting, date(2027, 4, 1), date(2028, 3, 31)), None, NOW
    )


def test_two_year_term_is_accepted_and_audited(session):
    house = make_house(session)
    meeting = held_meeting(session, house)
    actor = make_person(session)
    committee = committees_service.create(
        session, house.id, term(meeting, date(2027, 4, 1), date(2029, 4, 1)), actor.id, NOW
    )
    assert (committee.term_end - committee.term_start).days == 731
    assert committee.elected_at_meeting_id == meeting.id
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "resident_committee")).one()
    assert entry.action == "create" and entry.actor_id == actor.id


def test_term_longer_than_two_years_is_refused(session):
    house = make_house(session)
    meeting = held_meeting(session, house)
    with pytest.raises(ValidationFailed) as caught:
        committees_service.create(
            session, house.id, term(meeting, date(2027, 4, 1), date(2029, 4, 2)), None, NOW
        )
    assert caught.value.errors["term_end"] == (
        "A committee's term is at most two years: this term must end by 1 April 2029 at the latest."
    )


def test_term_must_end_after_it_starts(session):
    house = make_house(session)
    meeting = held_meeting(session, house)
    with pytest.raises(ValidationFailed) as caught:
        committees_service.create(
            session, house.id, term(meeting, date(2027, 4, 1), date(2027, 4, 1)), None, NOW
        )
    assert caught.value.errors["term_end"] == "The term must end after it starts."


def test_overlapping_terms_in_a_house_are_refused_but_other_houses_are_free(session):
    house = make_house(session)
    committee_for(session, house)
    meeting = held_meeting(session, house)
    with pytest.raises(ValidationFailed) as caught:
        committees_service.create(
            session, house.id, term(meeting, date(2028, 3, 31), date(2029, 3, 1)), None, NOW
        )
    assert "overlaps" in caught.value.errors["term_start"]
    following = committees_service.create(
        session, house.id, term(meeting, date(2028, 4, 1), date(2029, 3, 31)), None, NOW
    )
    assert following.id is not None
    committee_for(session, make_house(session))


def test_electing_meeting_must_be_of_the_same_house_and_held(session):
    house = make_house(session)
    foreign = held_meeting(session, make_house(session))
    future = make_meeting(session, house, NOW + timedelta(days=5))
    for meeting, reason in (
        (foreign, "Choose a resident meeting of this house."),
        (future, "The committee can be recorded once the electing meeting has been held."),
    ):
        with pytest.raises(ValidationFailed) as caught:
            committees_service.create(
                session, house.id, term(meeting, date(2027, 4, 1), date(2028, 4, 1)), None, NOW
            )
        assert caught.value.errors == {"elected_at_meeting_id": reason}
    missing = CommitteeCreate(term_start=date(2027, 4, 1), term_end=date(2028, 4, 1))
    with pytest.raises(ValidationFailed) as caught:
        committees_service.create(session, house.id, missing, None, NOW)
    assert "elected_at_meeting_id" in caught.value.errors


def test_one_chair_per_committee(session):
    house = make_house(session)
    committee = committee_for(session, house)
    first = make_resident(session, house)
    second = make_resident(session, house)
    committees_service.add_member(
        session, committee, MemberCreate(person_id=first.id, position=Position.chair), None, TODAY
    )
    with pytest.raises(ValidationFailed) as caught:
        committees_service.add_member(
            session,
            committee,
            MemberCreate(person_id=second.id, position=Position.chair),
            None,
            TODAY,
        )
    assert first.name in caught.value.errors["position"]
    seat = committees_service.add_member(
        session,
        committee,
        MemberCreate(person_id=second.id, position=Position.vice_chair),
        None,
        TODAY,
    )
    assert seat.position == Position.vice_chair


def test_one_person_per_apartment(session):
    house = make_house(session)
    committee = committee_for(session, house)
    first = make_resident(session, house, apartment="B 12")
    spouse = make_resident(session, house, apartment="b12")
    committees_service.add_member(session, committee, MemberCreate(person_id=first.id), None, TODAY)
    with pytest.raises(ValidationFailed) as caught:
        committees_service.add_member(
            session, committee, MemberCreate(person_id=spouse.id), None, TODAY
        )
    assert caught.value.errors["person_id"] == (
        f"{first.name} from the same apartment (b12) is already on the committee: "
        "at most one person per apartment."
    )


def test_renter_minor_outsider_and_member_twice_are_refused_at_the_person(session):
    house = make_house(session)
    committee = committee_for(session, house)
    renter = make_resident(session, house, tenure=Tenure.renter)
    minor = make_resident(session, house, make_person(session, birth_date=date(2010, 1, 1)))
    unknown_age = make_resident(session, house, make_person(session, birth_date=None))
    moved_out = make_resident(session, house, ends_on=TODAY - timedelta(days=1))
    outsider = make_resident(session, make_house(session))
    member = make_resident(session, house)
    committees_service.add_member(
        session, committee, MemberCreate(person_id=member.id), None, TODAY
    )
    expected = {
        renter.id: "renters may take part in resident meetings but can neither vote nor stand",
        minor.id: "under 18",
        unknown_age.id: "under 18",
        moved_out.id: "does not live in this house",
        outsider.id: "does not live in this house",
        member.id: "is already on the committee",
        999999: "Choose a person.",
    }
    for person_id, reason in expected.items():
        with pytest.raises(ValidationFailed) as caught:
            committees_service.add_member(
                session, committee, MemberCreate(person_id=person_id), None, TODAY
            )
        assert reason in caught.value.errors["person_id"]
    seats = session.exec(
        select(CommitteeMember).where(CommitteeMember.committee_id == committee.id)
    )
    assert [s.person_id for s in seats] == [member.id]


def test_adult_on_the_day_counts(session):
    house = make_house(session)
    committee = committee_for(session, house)
    turns_18_today = make_resident(
        session, house, make_person(session, birth_date=date(2009, 4, 1))
    )
    seat = committees_service.add_member(
        session, committee, MemberCreate(person_id=turns_18_today.id), None, TODAY
    )
    assert seat.id is not None


def test_eligible_people_leave_out_the_ineligible_and_taken_apartments(session):
    house = make_house(session)
    committee = committee_for(session, house)
    seated = make_resident(session, house, apartment="A 1")
    same_apartment = make_resident(session, house, apartment="A 1")
    renter = make_resident(session, house, tenure=Tenure.renter)
    minor = make_resident(session, house, make_person(session, birth_date=date(2012, 5, 5)))
    free = make_resident(session, house, apartment="C 3")
    committees_service.add_member(
        session, committee, MemberCreate(person_id=seated.id), None, TODAY
    )
    eligible = committees_service.eligible_people(session, committee, TODAY)
    ids = [person.id for person, _apartment in eligible]
    assert ids == [free.id]
    assert {seated.id, same_apartment.id, renter.id, minor.id}.isdisjoint(ids)


def test_remove_member_is_audited_and_only_for_its_committee(session):
    house = make_house(session)
    committee = committee_for(session, house)
    other = committee_for(session, make_house(session))
    person = make_resident(session, house)
    seat = committees_service.add_member(
        session, committee, MemberCreate(person_id=person.id), None, TODAY
    )
    with pytest.raises(NotFound):
        committees_service.remove_member(session, other, seat.id, None)
    committees_service.remove_member(session, committee, seat.id, None)
    assert session.get(CommitteeMember, seat.id) is None
    actions = session.exec(
        select(AuditEntry.action)
        .where(AuditEntry.entity == "committee_member")
        .order_by(col(AuditEntry.id))
    ).all()
    assert actions == ["create", "delete"]


def test_public_lists_the_chair_first(session):
    house = make_house(session)
    committee = committee_for(session, house)
    member = make_resident(session, house, make_person(session, name="Aino Aalto"))
    chair = make_resident(session, house, make_person(session, name="Ville Virtanen"))
    committees_service.add_member(
        session, committee, MemberCreate(person_id=member.id), None, TODAY
    )
    committees_service.add_member(
        session, committee, MemberCreate(person_id=chair.id, position=Position.chair), None, TODAY
    )
    public = committees_service.public(session, committee)
    assert [(m.name, m.position) for m in public.members] == [
        ("Ville Virtanen", Position.chair),
        ("Aino Aalto", Position.member),
    ]
    assert committees_service.current(session, house.id, TODAY).id == committee.id
    assert committees_service.current(session, house.id, date(2030, 1, 1)) is None


def test_a_term_cannot_begin_before_its_election(session):
    house = make_house(session)
    meeting = ResidentMeeting(
        house_id=house.id,
        starts_at=datetime(2026, 4, 14, 15, tzinfo=UTC),
        place="Kerhohuone",
        invitation_on=date(2026, 3, 25),
    )
    session.add(meeting)
    session.flush()
    early = CommitteeCreate(
        term_start=date(2026, 1, 1), term_end=date(2027, 4, 13), elected_at_meeting_id=meeting.id
    )
    with pytest.raises(ValidationFailed) as refused:
        committees_service.create(session, house.id, early, None, datetime(2026, 5, 1, tzinfo=UTC))
    assert set(refused.value.errors) == {"term_start"}
