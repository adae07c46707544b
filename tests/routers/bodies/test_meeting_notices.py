"""The invitation's channels on the meeting page, and its letters and notice-board sheet to
download: per role and per house, with the mail in a real SMTP server."""

from datetime import timedelta

import pytest

from app.deps import today
from app.models.committees import Position
from app.models.people import Language, StaffKind
from app.services.mail import delivery as mail_service
from tests.support import (
    make_committee,
    make_house,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)
from tests.support_households import make_paper_person, pdf_pages


def english(session, **fields):
    return make_person(session, language=Language.en, **fields)


@pytest.fixture()
def world(session):
    """House A: two mailed apartments, three on paper; its chair, member and manager. House B
    with its own chair and manager; management, an administrator, an adviser."""
    house = make_house(session, name="Koivukuja", street_address="Koivukuja 3", postal_code="00950")
    other = make_house(session, name="Vaahterakuja")
    people = {
        "resident": make_resident(session, house, english(session), apartment="A 1"),
        "chair": make_resident(session, house, english(session), apartment="A 2"),
        "member": make_resident(session, house, english(session), apartment="A 3"),
        "manager": make_manager(session, house),
        "other_chair": make_resident(session, other, english(session)),
        "other_manager": make_manager(session, other),
        "management": make_staff(session, StaffKind.management, language=Language.en),
        "admin": make_staff(session, StaffKind.admin, language=Language.en),
        "adviser": make_staff(session, StaffKind.housing_adviser, language=Language.en),
    }
    make_committee(
        session, house, [(people["chair"], Position.chair), (people["member"], Position.member)]
    )
    make_committee(session, other, [(people["other_chair"], Position.chair)])
    for name, apartment in (
        ("Paula Paperi", "B 1"),
        ("Pekka Paperi", "B 1"),
        ("Liisa Lehti", "C 4"),
    ):
        make_resident(session, house, make_paper_person(session, name=name), apartment=apartment)
    make_resident(
        session,
        house,
        make_paper_person(session, name="Lars Lund", language=Language.sv),
        apartment="D 7",
    )
    for person in (people["manager"], people["other_manager"]):
        person.language = Language.en
        session.add(person)
    session.commit()
    return house, other, people


def convene(client, house):
    """The chair convenes a meeting whose invitation goes today, confirming the reach."""
    values = {
        "starts_on": (today() + timedelta(days=20)).isoformat(),
        "starts_time": "18:00",
        "place": "Kerhohuone",
        "invitation_on": today().isoformat(),
        "agenda": "1. Avaus\n2. Talousarvio",
    }
    confirm = client.submit(f"/houses/{house.id}/meetings/new", values)
    assert confirm.status_code == 200
    done = client.submit(f"/houses/{house.id}/meetings/new", {**values, "confirmed": "1"})
    assert done.status_code == 303
    return confirm, done.headers["location"]


def test_the_confirmation_tells_the_channels_and_the_page_the_counts(
    client, session, connection, smtp, world
):
    house, _other, people = world
    client.login_as(session, people["chair"])
    confirm, location = convene(client, house)
    # 3 mailed people in 3 apartments; letters to B 1, C 4 and D 7.
    assert "By email at once: 3 people in 3 apartments." in confirm.text
    assert "a letter to each of 3 apartments" in confirm.text
    assert "Send the invitation to 7 people" in confirm.text

    page = client.get(location)
    assert page.status_code == 200
    assert "How the invitation reaches the apartments" in page.text
    assert "3 apartments / 3 people" in page.text  # by email
    assert "Download all 3 letters to print (PDF)" in page.text
    meeting_id = location.rsplit("/", 1)[1]
    assert f"/meetings/{meeting_id}/invitation-letters.pdf" in page.text
    assert f"/meetings/{meeting_id}/notice-board.pdf?language=sv" in page.text

    mail_service.send_pending(connection)
    assert len(smtp.messages) == 3
    assert not any("Paperi" in str(m["To"]) for m in smtp.messages)


def test_the_letters_come_as_one_pdf_one_letter_a_page(client, session, world):
    house, _other, people = world
    client.login_as(session, people["manager"])
    _confirm, location = convene(client, house)
    response = client.get(f"{location}/invitation-letters.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert "attachment" in response.headers["content-disposition"]
    assert ".pdf" in response.headers["content-disposition"]
    pages = pdf_pages(response.content)
    assert len(pages) == 3
    assert "Paula Paperi" in pages[0] and "Pekka Paperi" in pages[0]
    assert "Koivukuja 3 B 1" in pages[0] and "00950 HELSINKI" in pages[0]
    assert "Liisa Lehti" in pages[1] and "Koivukuja 3 C 4" in pages[1]
    assert "Lars Lund" in pages[2] and "Plats" in pages[2]  # his letter is in Swedish
    assert all("Talousarvio" in page and "Kerhohuone" in page for page in pages)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("chair", True),
        ("member", True),
        ("manager", True),
        ("management", True),
        ("admin", True),
        ("resident", False),
        ("other_chair", False),
        ("other_manager", False),
        ("adviser", False),
    ],
)
def test_downloads_per_role_and_house(client, session, world, role, allowed):
    house, _other, people = world
    client.login_as(session, people["chair"])
    _confirm, location = convene(client, house)
    client.cookies.clear()
    client.login_as(session, people[role])
    letters = client.get(f"{location}/invitation-letters.pdf")
    sheet = client.get(f"{location}/notice-board.pdf?language=fi")
    if allowed:
        assert letters.status_code == 200 and len(pdf_pages(letters.content)) == 3
        assert sheet.status_code == 200 and "Asukaskokous" in pdf_pages(sheet.content)[0]
    else:
        assert letters.status_code == 403 and sheet.status_code == 403
        assert b"%PDF" not in letters.content
    page = client.get(location)
    shown = "invitation-letters.pdf" in page.text
    assert shown == (allowed and page.status_code == 200)


def test_anonymous_downloads_go_to_the_login(client, session, world):
    house, _other, people = world
    client.login_as(session, people["chair"])
    _confirm, location = convene(client, house)
    client.cookies.clear()
    response = client.get(f"{location}/invitation-letters.pdf")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_before_the_invitation_goes_there_are_no_letters_but_a_sheet(client, session, world):
    house, _other, people = world
    client.login_as(session, people["chair"])
    values = {
        "starts_on": (today() + timedelta(days=30)).isoformat(),
        "starts_time": "18:00",
        "place": "Kerhohuone",
        "invitation_on": (today() + timedelta(days=3)).isoformat(),
        "agenda": "1. Avaus",
    }
    location = client.submit(f"/houses/{house.id}/meetings/new", values).headers["location"]
    page = client.get(location)
    assert "the letters to print for the other apartments appear here" in page.text
    assert "invitation-letters.pdf" not in page.text
    assert client.get(f"{location}/invitation-letters.pdf").status_code == 404
    sheet = client.get(f"{location}/notice-board.pdf?language=en")
    assert sheet.status_code == 200 and "Resident meeting" in pdf_pages(sheet.content)[0]
    assert client.get(f"{location}/notice-board.pdf?language=xx").status_code == 422
