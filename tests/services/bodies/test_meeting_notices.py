"""The resident meeting's invitation reaches every household: mail to those with email (over
real SMTP), a printed letter to each apartment no email reaches, a notice-board sheet."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from app import i18n
from app.models.mail import Delivery
from app.models.meetings import MeetingCreate
from app.models.notices import NoticeRecipient
from app.models.people import Language, NoticeChannel
from app.services.bodies import meeting_notices, notices
from app.services.bodies import meetings as meetings_service
from app.services.mail import delivery as mail_service
from tests.support import make_house, make_person, make_resident
from tests.support_households import font_sizes, make_paper_person, pdf_pages

TODAY = date(2027, 2, 15)
NOW = datetime(2027, 2, 15, 8, 0, tzinfo=UTC)
AGENDA = "1. Kokouksen avaus\n2. Asukastoimikunnan valinta\n3. Pihatalkoot"


@pytest.fixture(autouse=True)
def english():
    """The test's own messages in English; each letter speaks its household's language."""
    with i18n.use_language("en"):
        yield


def convene(session, house, **fields):
    values = {
        "starts_at": datetime.combine(date(2027, 3, 10), time(18, 0)),
        "place": "Kerhohuone, Testikatu 1",
        "invitation_on": TODAY,
        "agenda": AGENDA,
    }
    values.update(fields)
    return meetings_service.create(session, house.id, MeetingCreate(**values), None, TODAY, NOW)


@pytest.fixture()
def house_with_both(session):
    """A house with a mailed resident (A 1), a Swedish couple on paper (B 5), a Finnish and
    Swedish couple on paper (C 9) and a paper neighbour of a mailed resident (D 2)."""
    house = make_house(session, street_address="Sörnäisten rantatie 22", postal_code="00540")
    people = {
        "mailed": make_resident(session, house, apartment="A 1"),
        "britt": make_resident(
            session,
            house,
            make_paper_person(session, name="Britt Öhman", language=Language.sv),
            apartment="B 5",
        ),
        "bo": make_resident(
            session,
            house,
            make_paper_person(session, name="Bo Öhman", language=Language.sv),
            apartment="B 5",
        ),
        "kaisa": make_resident(
            session, house, make_paper_person(session, name="Kaisa Kivi"), apartment="C 9"
        ),
        "stig": make_resident(
            session,
            house,
            make_paper_person(session, name="Stig Sten", language=Language.sv),
            apartment="C 9",
        ),
        "neighbour_mailed": make_resident(session, house, apartment="D 2"),
        "neighbour_paper": make_resident(
            session, house, make_paper_person(session, name="Niilo Naapuri"), apartment="D 2"
        ),
    }
    return house, people


def test_mail_to_those_with_email_and_a_letter_to_each_apartment_no_email_reaches(
    session, connection, smtp, house_with_both
):
    house, people = house_with_both
    meeting = convene(session, house)
    assert meeting.invitation_sent_at == NOW
    session.commit()
    mail_service.send_pending(connection)
    mailed = {people["mailed"].email, people["neighbour_mailed"].email}
    assert {to for _sender, tos in smtp.envelopes for to in tos} == mailed
    text = smtp.text_of(smtp.to(people["mailed"].email)[0])
    assert "Kerhohuone, Testikatu 1" in text and "Pihatalkoot" in text
    # Nobody without email is a recipient of any delivery.
    assert session.exec(select(Delivery).where(Delivery.person_id == people["bo"].id)).all() == []

    reach = meeting_notices.reach_sent(session, meeting)
    assert reach == notices.Reach(
        email_apartments=2, email_people=2, paper_apartments=2, paper_people=4
    )
    content = meeting_notices.letters_pdf(session, meeting, TODAY)
    pages = pdf_pages(content)
    assert len(pages) == 2  # one letter per apartment on paper, each on a page of its own
    swedish, mixed = pages
    # B 5: both Swedish, so the letter is Swedish; at the apartment's postal address.
    assert "Britt Öhman" in swedish and "Bo Öhman" in swedish
    assert "Sörnäisten rantatie 22 B 5" in swedish and "00540 HELSINKI" in swedish
    assert "Plats" in swedish and "Kerhohuone, Testikatu 1" in swedish
    assert "10 mars 2027" in swedish and "18:00" in swedish
    assert "Ärenden som ska behandlas" in swedish and "Pihatalkoot" in swedish
    assert "Distansdeltagande" in swedish and "Inte möjligt" in swedish
    # C 9: Finnish and Swedish, so the letter is Finnish.
    assert "Kaisa Kivi" in mixed and "Stig Sten" in mixed and "Sörnäisten rantatie 22 C 9" in mixed
    assert "Paikka" in mixed and "10. maaliskuuta 2027" in mixed and "Käsiteltävät asiat" in mixed
    assert "Ei mahdollista" in mixed
    # D 2 is reached by its mailed resident's email: no letter there.
    assert not any("Niilo Naapuri" in page for page in pages)


def test_remote_participation_is_in_the_letter_too(session, house_with_both):
    house, _people = house_with_both
    meeting = convene(session, house, remote_link="https://meet.example.org/asukaskokous")
    pages = pdf_pages(meeting_notices.letters_pdf(session, meeting, TODAY))
    assert all("https://meet.example.org/asukaskokous" in page for page in pages)
    assert "Möjligt" in pages[0] and "Mahdollista" in pages[1]


def test_the_notice_board_sheet_is_large_print_in_the_asked_language(session, house_with_both):
    house, _people = house_with_both
    meeting = convene(session, house)
    content = meeting_notices.notice_board_pdf(session, meeting, "fi")
    (page,) = pdf_pages(content)
    assert house.name in page and "Kerhohuone, Testikatu 1" in page and "Pihatalkoot" in page
    assert "Käsiteltävät asiat" in page and "Asukaskokous" in page
    assert min(font_sizes(content)) >= 13  # large print: nothing smaller (a letter is 11 pt)
    sv = pdf_pages(meeting_notices.notice_board_pdf(session, meeting, "sv"))[0]
    assert "Boendemöte" in sv and "Plats" in sv


def test_sending_again_duplicates_no_mail_no_record_and_no_letter(
    session, connection, smtp, house_with_both
):
    house, people = house_with_both
    meeting = convene(session, house)
    first = pdf_pages(meeting_notices.letters_pdf(session, meeting, TODAY))
    meeting.invitation_sent_at = None  # as if a crash had lost the mark but not the rest
    session.add(meeting)
    meetings_service.send_due_invitations(session, TODAY, NOW)
    meetings_service.send_due_invitations(session, TODAY, NOW)
    session.commit()
    mail_service.send_pending(connection)
    assert len(smtp.to(people["mailed"].email)) == 1
    assert len(smtp.messages) == 2
    key = meetings_service.invitation_key(meeting)
    rows = session.exec(select(NoticeRecipient).where(NoticeRecipient.notice_key == key)).all()
    assert len(rows) == 2 + 4
    assert pdf_pages(meeting_notices.letters_pdf(session, meeting, TODAY)) == first


def test_a_moved_resident_stays_on_the_sent_letter(session, house_with_both):
    house, people = house_with_both
    meeting = convene(session, house)
    from app.models.houses import Residency

    for residency in session.exec(select(Residency).where(Residency.apartment == "B 5")):
        residency.ends_on = TODAY
        session.add(residency)
    make_resident(session, house, make_paper_person(session, name="Uusi Asukas"), apartment="E 1")
    session.flush()
    pages = pdf_pages(meeting_notices.letters_pdf(session, meeting, TODAY + timedelta(days=3)))
    assert len(pages) == 2 and "Britt Öhman" in pages[0]
    assert not any("Uusi Asukas" in page for page in pages)


def test_no_letters_when_email_reaches_every_apartment(session):
    house = make_house(session)
    make_resident(session, house)
    make_resident(session, house, make_person(session, notice_channel=NoticeChannel.email))
    meeting = convene(session, house)
    assert meeting_notices.letters_pdf(session, meeting, TODAY) is None
    assert meeting_notices.reach_sent(session, meeting).paper_apartments == 0


def test_before_sending_nothing_is_recorded_but_the_reach_is_known(session, house_with_both):
    house, _people = house_with_both
    meeting = convene(session, house, invitation_on=TODAY + timedelta(days=1))
    assert meeting.invitation_sent_at is None
    assert meeting_notices.reach_sent(session, meeting) is None
    assert meeting_notices.letters_pdf(session, meeting, TODAY) is None
    reach, people = meeting_notices.reach_now(session, house.id, TODAY)
    assert (reach.email_apartments, reach.paper_apartments) == (2, 2)
    assert len(people) == 6


def test_letters_longer_than_a_page_each_start_a_sheet_of_their_own(session, house_with_both):
    house, _people = house_with_both
    agenda = "\n".join(f"{n}. Asia numero {n}" for n in range(1, 91))  # three pages
    meeting = convene(session, house, agenda=agenda)
    pages = pdf_pages(meeting_notices.letters_pdf(session, meeting, TODAY))
    # Printed on both sides, no letter starts on the back of another: each on an odd page.
    starts = [n for n, page in enumerate(pages) if "00540 HELSINKI" in page]
    assert starts == [0, 4] and len(pages) == 7 and pages[3] == ""
    assert "Britt Öhman" in pages[0] and "Kaisa Kivi" in pages[4]
    assert all("90. Asia numero 90" in " ".join(pages[n : n + 3]) for n in starts)
