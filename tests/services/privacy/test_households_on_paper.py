"""Data protection for residents without email: their export shows the invitations recorded
for them, and erasure (confirmed by their name) leaves the sent letters with the pseudonym."""

from datetime import UTC, date, datetime, time

from app import i18n
from app.models.meetings import MeetingCreate
from app.models.people import Language, NoticeChannel, Person, StaffKind
from app.services.bodies import meeting_notices
from app.services.bodies import meetings as meetings_service
from app.services.privacy import data_protection
from tests.support import make_house, make_resident, make_staff
from tests.support_households import make_paper_person, pdf_pages

TODAY = date(2027, 2, 15)
NOW = datetime(2027, 2, 15, 8, 0, tzinfo=UTC)


def invited(session):
    house = make_house(session)
    make_resident(session, house, apartment="A 1")
    person = make_resident(
        session, house, make_paper_person(session, name="Hilja Hiljainen"), apartment="B 2"
    )
    data = MeetingCreate(
        starts_at=datetime.combine(date(2027, 3, 10), time(18)),
        place="Kerhohuone",
        invitation_on=TODAY,
        agenda="1. Avaus",
    )
    meeting = meetings_service.create(session, house.id, data, None, TODAY, NOW)
    return person, meeting


def test_the_export_holds_the_recorded_invitation(session):
    person, meeting = invited(session)
    exported = data_protection.export(session, person)
    assert exported["person"]["email"] is None
    assert exported["person"]["notice_channel"] == "paper"
    (row,) = exported["records"]["notice_recipient"]["person_id"]
    assert row["notice_key"] == meetings_service.invitation_key(meeting)
    assert row["channel"] == "paper"


def test_erasure_is_confirmed_by_the_name_and_the_letter_keeps_the_pseudonym(client, session):
    person, meeting = invited(session)
    admin = make_staff(session, StaffKind.admin, language=Language.en)
    session.commit()
    client.login_as(session, admin)
    url = f"/admin/people/{person.id}/erase"
    form = client.get(url)
    assert "Type the person's name to confirm" in form.text
    assert client.submit(url, {"confirm_email": "Joku Muu"}).status_code == 422
    assert client.submit(url, {"confirm_email": " hilja  HILJAINEN "}).status_code == 303
    session.expire_all()
    erased = session.get(Person, person.id)
    assert erased.erased_at is not None and erased.email is None
    assert erased.notice_channel == NoticeChannel.paper
    with i18n.use_language("en"):
        (page,) = pdf_pages(meeting_notices.letters_pdf(session, meeting, TODAY))
    assert f"Erased person #{person.id}" in page and "Hilja" not in page


def test_erasing_someone_with_email_leaves_no_address(session):
    house = make_house(session)
    person = make_resident(session, house)
    address = person.email
    data_protection.erase(session, person, None)
    assert person.email is None and person.notice_channel == NoticeChannel.paper
    assert address
