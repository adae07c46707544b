"""Searching people and houses ignores case, Nordic letters included, on both databases."""

from app.services.bodies import houses as houses_service
from app.services.bodies import people as people_service
from tests.support import make_house, make_person


def test_people_search_ignores_case_of_nordic_letters(session):
    person = make_person(session, name="Åsa Öhman-Äijälä")
    found = people_service.search(session, "åsa öhman-äijälä")
    assert person in found
    assert person in people_service.search(session, "ÄIJÄLÄ")


def test_wildcards_typed_by_the_user_are_literal(session):
    make_person(session, name="Matti Meikäläinen")
    assert people_service.search(session, "%") == []
    assert people_service.search(session, "M_tti") == []


def test_house_search_ignores_case_of_nordic_letters(session):
    house = make_house(session, name="Käpylän Helmi", district="Käpylä")
    assert house in houses_service.search(session, "KÄPYLÄN")
