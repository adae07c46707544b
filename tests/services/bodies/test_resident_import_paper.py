"""The residents' CSV import without email: such a row adds a resident on paper, matched on a
later import by house, apartment and name; the optional notice_channel column."""

from datetime import date

import pytest
from sqlmodel import col, select

from app.i18n import use_language
from app.models.houses import Residency
from app.models.people import NoticeChannel, Person, StaffKind
from app.services.bodies import resident_import
from tests.support import make_house, make_resident, make_staff
from tests.support_households import make_paper_person

HEADER = "house_code,apartment,name,email,language,birth_date,tenure,starts_on,notice_channel"


@pytest.fixture(autouse=True)
def english():
    with use_language("en"):
        yield


@pytest.fixture()
def admin(session):
    return make_staff(session, StaffKind.admin)


@pytest.fixture()
def house(session):
    return make_house(session, code="PAP-1")


def csv_bytes(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def paper_people(session) -> list[Person]:
    return list(
        session.exec(select(Person).where(col(Person.email).is_(None)).order_by(col(Person.id)))
    )


FILE = csv_bytes(
    HEADER,
    "PAP-1,a 3,Selma Söderberg,,sv,1939-02-01,holder,2001-05-01,",
    "PAP-1,A 3,Sixten Söderberg,,sv,1937-08-09,spouse,2001-05-01,paperi",
    "PAP-1,B 8,Eino Email,eino@example.com,fi,1960-01-01,holder,2010-01-01,paper",
    "PAP-1,C 1,Cilla Chosen,cilla@example.com,fi,1970-01-01,holder,2012-01-01,",
)


def test_rows_without_email_add_residents_on_paper(session, admin, house):
    report = resident_import.import_residents(session, FILE, admin.id)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    selma, sixten = paper_people(session)
    assert (selma.name, sixten.name) == ("Selma Söderberg", "Sixten Söderberg")
    assert selma.notice_channel == sixten.notice_channel == NoticeChannel.paper
    homes = session.exec(
        select(Residency).where(col(Residency.person_id).in_([selma.id, sixten.id]))
    )
    assert {r.apartment for r in homes} == {"A 3"}
    eino = session.exec(select(Person).where(Person.email == "eino@example.com")).one()
    cilla = session.exec(select(Person).where(Person.email == "cilla@example.com")).one()
    # An email with paper asked for, and an email with nothing said: by email.
    assert eino.notice_channel == NoticeChannel.paper
    assert cilla.notice_channel == NoticeChannel.email
    assert {c.key for c in report.changes if c.entity == "person"} == {
        "Selma Söderberg",
        "Sixten Söderberg",
        "eino@example.com",
        "cilla@example.com",
    }


def test_the_same_file_again_finds_them_by_house_apartment_and_name(session, admin, house):
    resident_import.import_residents(session, FILE, admin.id)
    again = resident_import.import_residents(session, FILE, admin.id)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert len(paper_people(session)) == 2
    # Spacing and case of the name do not make another person; a new birth date updates them.
    changed = csv_bytes(HEADER, "PAP-1,A 3,SELMA   söderberg,,sv,1939-02-02,holder,2001-05-01,")
    report = resident_import.import_residents(session, changed, admin.id)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (0, 1)
    selma = paper_people(session)[0]
    assert selma.birth_date == date(1939, 2, 2) and selma.name == "SELMA   söderberg"


def test_a_known_person_without_email_is_matched_only_in_their_own_apartment(session, admin, house):
    known = make_resident(
        session, house, make_paper_person(session, name="Olli Ovela"), apartment="D 4"
    )
    elsewhere = csv_bytes(HEADER, "PAP-1,D 5,Olli Ovela,,fi,,holder,2020-01-01,")
    report = resident_import.import_residents(session, elsewhere, admin.id)
    assert report.ok and report.count("person", "create") == 1
    same = csv_bytes(HEADER, "PAP-1,d 4,olli ovela,,fi,,holder,2020-01-01,")
    report = resident_import.import_residents(session, same, admin.id)
    assert report.ok and report.count("person", "create") == 0
    stays = session.exec(select(Residency).where(Residency.person_id == known.id)).all()
    assert {r.apartment for r in stays} == {"D 4"}


def test_email_invitations_without_an_email_are_refused(session, admin, house):
    data = csv_bytes(HEADER, "PAP-1,A 1,Ei Postia,,fi,,holder,2020-01-01,email")
    report = resident_import.import_residents(session, data, admin.id)
    assert not report.ok
    (error,) = report.errors
    assert (error.row, error.column) == (2, "notice_channel")
    assert paper_people(session) == []
    wrong = csv_bytes(HEADER, "PAP-1,A 1,Ei Postia,,fi,,holder,2020-01-01,kyyhky")
    (error,) = resident_import.import_residents(session, wrong, admin.id).errors
    assert error.column == "notice_channel" and "paper" in error.reason


def test_the_file_without_the_channel_column_still_works(session, admin, house):
    data = csv_bytes(
        "house_code,apartment,name,email,tenure,starts_on",
        "PAP-1,E 2,Vieno Vanha,,holder,1999-09-09",
    )
    report = resident_import.import_residents(session, data, admin.id)
    assert report.ok, report.errors
    (vieno,) = paper_people(session)
    assert vieno.name == "Vieno Vanha" and vieno.notice_channel == NoticeChannel.paper
