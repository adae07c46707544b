"""Committee seats by tenure: holders, co-holders and holders' spouses or partners aged 18 or
over may stand, one per apartment; other household members and renters may not."""

from datetime import date

import pytest
from sqlmodel import select

from app import i18n
from app.errors import ValidationFailed
from app.models.committees import CommitteeMember, MemberCreate
from app.models.houses import Tenure
from app.services.bodies import committees as committees_service
from tests.services.bodies.test_committees import TODAY, committee_for
from tests.support import make_house, make_person, make_resident


@pytest.fixture(autouse=True)
def english():
    with i18n.use_language("en"):
        yield


def refusal(session, committee, person) -> str:
    with pytest.raises(ValidationFailed) as caught:
        committees_service.add_member(
            session, committee, MemberCreate(person_id=person.id), None, TODAY
        )
    assert set(caught.value.errors) == {"person_id"}
    return caught.value.errors["person_id"]


def seated(session, committee) -> list[int]:
    return [
        seat.person_id
        for seat in session.exec(
            select(CommitteeMember).where(CommitteeMember.committee_id == committee.id)
        )
    ]


@pytest.mark.parametrize("tenure", [Tenure.co_holder, Tenure.spouse])
def test_a_co_holder_or_spouse_takes_a_seat(session, tenure):
    house = make_house(session)
    committee = committee_for(session, house)
    make_resident(session, house, apartment="A 1")  # the holder, not standing
    person = make_resident(session, house, apartment="A 1", tenure=tenure)
    seat = committees_service.add_member(
        session, committee, MemberCreate(person_id=person.id), None, TODAY
    )
    assert seat.person_id == person.id


def test_a_household_member_is_refused_with_the_reason(session):
    house = make_house(session)
    committee = committee_for(session, house)
    member = make_resident(
        session,
        house,
        make_person(session, name="Eero Perheenjäsen", birth_date=date(2000, 1, 1)),
        tenure=Tenure.household_member,
    )
    assert refusal(session, committee, member) == (
        "Eero Perheenjäsen is a household member, not a right-of-occupancy holder, co-holder "
        "or the holder's spouse or partner: other household members may take part in resident "
        "meetings but can neither vote nor stand for the committee."
    )
    assert seated(session, committee) == []


def test_a_renter_is_refused_with_the_reason(session):
    house = make_house(session)
    committee = committee_for(session, house)
    renter = make_resident(
        session, house, make_person(session, name="Reino Vuokra"), tenure=Tenure.renter
    )
    assert refusal(session, committee, renter) == (
        "Reino Vuokra rents the apartment: renters may take part in resident meetings "
        "but can neither vote nor stand for the committee."
    )


def test_a_spouse_of_17_is_refused_and_of_18_seated(session):
    house = make_house(session)
    committee = committee_for(session, house)
    young = make_resident(
        session,
        house,
        make_person(session, name="Nuori Puoliso", birth_date=date(2009, 4, 2)),
        tenure=Tenure.spouse,
    )
    reason = refusal(session, committee, young)
    assert reason.startswith("Nuori Puoliso is under 18")
    assert "co-holders and holders' spouses or partners aged 18 or over" in reason
    of_age = make_resident(
        session, house, make_person(session, birth_date=date(2009, 4, 1)), tenure=Tenure.spouse
    )
    committees_service.add_member(
        session, committee, MemberCreate(person_id=of_age.id), None, TODAY
    )
    assert seated(session, committee) == [of_age.id]


@pytest.mark.parametrize("second", [Tenure.holder, Tenure.co_holder, Tenure.spouse])
def test_a_second_person_of_an_apartment_is_still_refused(session, second):
    house = make_house(session)
    committee = committee_for(session, house)
    first = make_resident(
        session, house, make_person(session, name="Aino Haltija"), apartment="C 9"
    )
    other = make_resident(session, house, apartment="c9", tenure=second)
    committees_service.add_member(session, committee, MemberCreate(person_id=first.id), None, TODAY)
    assert refusal(session, committee, other) == (
        "Aino Haltija from the same apartment (c9) is already on the committee: "
        "at most one person per apartment."
    )
    assert seated(session, committee) == [first.id]


def test_eligible_people_by_tenure_one_per_free_apartment(session):
    house = make_house(session)
    committee = committee_for(session, house)
    holder = make_resident(session, house, apartment="A 1")
    spouse = make_resident(session, house, apartment="A 1", tenure=Tenure.spouse)
    co_holder = make_resident(session, house, apartment="B 2", tenure=Tenure.co_holder)
    member = make_resident(
        session,
        house,
        make_person(session, birth_date=date(1999, 1, 1)),
        apartment="B 2",
        tenure=Tenure.household_member,
    )
    renter = make_resident(session, house, apartment="C 3", tenure=Tenure.renter)
    minor_spouse = make_resident(
        session,
        house,
        make_person(session, birth_date=date(2010, 1, 1)),
        apartment="D 4",
        tenure=Tenure.spouse,
    )

    def eligible() -> set[int]:
        return {
            p.id for p, _apartment in committees_service.eligible_people(session, committee, TODAY)
        }

    assert eligible() == {holder.id, spouse.id, co_holder.id}
    assert {member.id, renter.id, minor_spouse.id}.isdisjoint(eligible())
    committees_service.add_member(
        session, committee, MemberCreate(person_id=spouse.id), None, TODAY
    )
    assert eligible() == {co_holder.id}  # A 1 is taken: the holder is no longer offered
