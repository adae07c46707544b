"""Notices to households: which apartments email reaches, which get a letter, and the record
kept of it at sending."""

from datetime import date, timedelta

from sqlmodel import select

from app.models.houses import Apartment, Residency
from app.models.notices import NoticeRecipient
from app.models.people import Language, NoticeChannel
from app.services.bodies import notices
from tests.support import make_house, make_person, make_resident
from tests.support_households import make_paper_person

TODAY = date(2027, 2, 15)


def by_label(found):
    return {h.label: h for h in found}


def test_an_apartment_is_reached_by_email_when_anyone_there_takes_it(session):
    house = make_house(session)
    mailed = make_resident(session, house, apartment="A 1")
    make_resident(session, house, make_paper_person(session), apartment="A 1")
    alone = make_resident(session, house, make_paper_person(session), apartment="A 2")
    chose_paper = make_resident(
        session, house, make_person(session, notice_channel=NoticeChannel.paper), apartment="B 3"
    )
    found = by_label(notices.households(session, house.id, TODAY))
    assert found["A 1"].channel == NoticeChannel.email
    assert found["A 1"].recipients == [mailed]  # the neighbour on paper needs no letter
    assert found["A 2"].channel == NoticeChannel.paper and found["A 2"].recipients == [alone]
    # Someone with an email who asked for paper gets a letter like anyone without one.
    assert found["B 3"].channel == NoticeChannel.paper
    assert found["B 3"].recipients == [chose_paper]
    assert notices.reach(found.values()) == notices.Reach(
        email_apartments=1, email_people=1, paper_apartments=2, paper_people=2
    )


def test_households_are_todays_active_residents_by_apartment_with_rows_made(session):
    house = make_house(session)
    make_resident(session, house, make_paper_person(session), apartment="a  10")
    make_resident(session, house, make_paper_person(session), apartment="A 10")
    make_resident(session, house, apartment="A 2")
    make_resident(session, house, apartment="A 3", ends_on=TODAY - timedelta(days=1))
    make_resident(session, house, make_person(session, is_active=False), apartment="A 4")
    assert notices.preview(session, house.id, TODAY)[0].apartment is None
    assert session.exec(select(Apartment).where(Apartment.house_id == house.id)).all() == []
    found = notices.households(session, house.id, TODAY)
    # "a  10" and "A 10" are one apartment; A 2 comes before A 10, as on the doors.
    assert [(h.apartment.label, len(h.people)) for h in found] == [("A 2", 1), ("A 10", 2)]
    rows = session.exec(select(Apartment).where(Apartment.house_id == house.id)).all()
    assert sorted(a.label for a in rows) == ["A 10", "A 2"]
    again = notices.households(session, house.id, TODAY)
    assert [h.apartment.id for h in again] == [h.apartment.id for h in found]


def test_a_letter_speaks_the_households_language_and_finnish_when_mixed():
    sv = make_person_like(Language.sv)
    en = make_person_like(Language.en)
    assert notices.household_language([sv, sv]) == "sv"
    assert notices.household_language([en]) == "en"
    assert notices.household_language([sv, en]) == "fi"


def make_person_like(language):
    from app.models.people import Person

    return Person(name="X", language=language)


def test_the_postal_address_is_the_houses_with_the_apartment(session):
    house = make_house(session, street_address="Kalasatamankatu 5", postal_code="00580")
    assert notices.postal_address(house, "B 34") == ["Kalasatamankatu 5 B 34", "00580 HELSINKI"]


def test_the_record_stays_as_sent_when_residents_move(session):
    house = make_house(session)
    mailed = make_resident(session, house, apartment="A 1")
    first = make_paper_person(session, name="Saara Salo", language=Language.sv)
    second = make_paper_person(session, name="Sven Salo", language=Language.sv)
    make_resident(session, house, first, apartment="C 7")
    make_resident(session, house, second, apartment="C 7")
    written = notices.record(
        session, "notice:1", house.id, notices.households(session, house.id, TODAY)
    )
    assert {(r.person_id, r.channel, r.language) for r in written} == {
        (mailed.id, NoticeChannel.email, "fi"),
        (first.id, NoticeChannel.paper, "sv"),
        (second.id, NoticeChannel.paper, "sv"),
    }
    before = notices.recorded_reach(session, "notice:1")
    assert before == notices.Reach(1, 1, 1, 2)
    # The Salos move out and someone without email moves in: the sent notice stays as it was.
    for residency in session.exec(select(Residency).where(Residency.apartment == "C 7")):
        residency.ends_on = TODAY
        session.add(residency)
    make_resident(session, house, make_paper_person(session), apartment="D 8", starts_on=TODAY)
    session.flush()
    assert notices.recorded_reach(session, "notice:1") == before
    (letter,) = notices.letters(session, "notice:1")
    assert letter.names == ["Saara Salo", "Sven Salo"] and letter.language == "sv"
    assert letter.address == [f"{house.street_address} C 7", "00100 HELSINKI"]
    # Recorded again for the same day (a run after a crash), nobody is written twice.
    same_day = notices.households(session, house.id, TODAY - timedelta(days=1))
    assert notices.record(session, "notice:1", house.id, same_day) == []
    rows = session.exec(
        select(NoticeRecipient).where(NoticeRecipient.notice_key == "notice:1")
    ).all()
    assert len(rows) == 3


def test_nothing_recorded_gives_no_reach_and_no_letters(session):
    assert notices.recorded_reach(session, "notice:none") is None
    assert notices.letters(session, "notice:none") == []
