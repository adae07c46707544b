"""What a tenure gives by the act: who votes and who may stand, and the roles derived from it."""

from datetime import date

import pytest

from app.models.houses import Tenure
from app.services.access.roles import load_principal
from app.services.access.tenures import (
    age_on,
    is_entitled,
    may_stand,
    standing_tenures,
    votes,
    voting_tenures,
)
from tests.support import make_house, make_person, make_resident

TODAY = date(2027, 4, 1)
ENTITLED = {Tenure.holder, Tenure.co_holder, Tenure.spouse}


@pytest.mark.parametrize("tenure", list(Tenure))
@pytest.mark.parametrize(("age", "adult"), [(None, False), (0, False), (17, False), (18, True)])
def test_holders_co_holders_and_spouses_of_18_vote_and_stand(tenure, age, adult):
    entitled = tenure in ENTITLED
    assert votes(tenure, age) is (entitled and adult)
    assert may_stand(tenure, age) is (entitled and adult)
    assert votes(tenure.value, age) is votes(tenure, age)  # the stored code reads the same
    assert is_entitled(tenure) is entitled


def test_household_members_and_renters_never_vote_or_stand():
    for tenure in (Tenure.household_member, Tenure.renter):
        assert not any(votes(tenure, age) or may_stand(tenure, age) for age in (18, 40, 90))


def test_the_query_sets_follow_the_rules():
    assert voting_tenures() == standing_tenures() == ENTITLED


def test_an_unknown_code_is_an_error_not_a_right():
    with pytest.raises(ValueError):
        votes("owner", 40)


@pytest.mark.parametrize(
    ("born", "age"),
    [
        (date(2009, 4, 1), 18),  # the 18th birthday
        (date(2009, 4, 2), 17),  # the day before it
        (date(2008, 2, 29), 19),
        (None, None),
    ],
)
def test_age_on_a_day(born, age):
    assert age_on(born, TODAY) == age


def test_age_of_someone_born_on_29_february_turns_on_1_march():
    born = date(2008, 2, 29)
    assert age_on(born, date(2026, 2, 28)) == 17
    assert age_on(born, date(2026, 3, 1)) == 18


@pytest.mark.parametrize("tenure", list(Tenure))
def test_voter_of_per_tenure(session, tenure):
    house = make_house(session)
    person = make_resident(session, house, tenure=tenure)
    principal = load_principal(session, person, TODAY)
    assert principal.resident_of == {house.id}  # everyone takes part
    assert principal.voter_of == ({house.id} if tenure in ENTITLED else set())


def test_a_spouse_votes_from_the_18th_birthday(session):
    house = make_house(session)
    holder = make_resident(session, house, apartment="A 1")
    spouse = make_resident(
        session,
        house,
        make_person(session, birth_date=date(2009, 4, 2)),
        apartment="A 1",
        tenure=Tenure.spouse,
    )
    assert load_principal(session, holder, TODAY).voter_of == {house.id}
    assert load_principal(session, spouse, TODAY).voter_of == set()  # 17 today
    assert load_principal(session, spouse, date(2027, 4, 2)).voter_of == {house.id}


def test_co_holders_each_have_their_own_vote(session):
    house = make_house(session)
    first = make_resident(session, house, apartment="B 7")
    second = make_resident(session, house, apartment="B 7", tenure=Tenure.co_holder)
    assert load_principal(session, first, TODAY).voter_of == {house.id}
    assert load_principal(session, second, TODAY).voter_of == {house.id}


def test_a_household_member_of_age_takes_part_without_a_vote(session):
    house = make_house(session)
    grown_up_child = make_resident(
        session,
        house,
        make_person(session, birth_date=date(2000, 1, 1)),
        tenure=Tenure.household_member,
    )
    principal = load_principal(session, grown_up_child, TODAY)
    assert principal.resident_of == {house.id}
    assert principal.voter_of == set()
    assert "resident" in principal.role_names()
