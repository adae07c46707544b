"""Residents without email: the house's property manager and administrators add them, change
their details (an email added gives a login) and end their residencies; nobody else may."""

from sqlmodel import select

from app.models.audit import AuditEntry
from app.models.houses import Residency
from app.models.people import Language, NoticeChannel, Person, StaffKind
from tests.support import make_house, make_manager, make_person, make_resident, make_staff
from tests.support_households import make_paper_person


def english_manager(session, house):
    manager = make_manager(session, house)
    manager.language = Language.en
    session.add(manager)
    session.commit()
    return manager


def residency_of(session, person):
    return session.exec(select(Residency).where(Residency.person_id == person.id)).one()


def test_the_manager_adds_a_resident_without_email(client, session):
    house = make_house(session)
    manager = english_manager(session, house)
    client.login_as(session, manager)
    page = client.get(f"/houses/{house.id}")
    assert f"/houses/{house.id}/residents/new-without-email" in page.text
    form = client.get(f"/houses/{house.id}/residents/new-without-email")
    assert (
        form.status_code == 200 and 'name="name"' in form.text and 'name="email"' not in form.text
    )
    response = client.submit(
        f"/houses/{house.id}/residents/new-without-email",
        {
            "name": "  Elli Esimerkki ",
            "language": "sv",
            "birth_date": "1941-05-06",
            "apartment": "B 12",
            "tenure": "holder",
            "starts_on": "2020-01-01",
        },
    )
    assert response.status_code == 303
    person = session.exec(select(Person).where(Person.name == "Elli Esimerkki")).one()
    assert person.email is None and person.notice_channel == NoticeChannel.paper
    assert person.language == Language.sv and person.password_hash is None
    residency = residency_of(session, person)
    assert residency.house_id == house.id and residency.apartment == "B 12"
    entries = session.exec(select(AuditEntry).where(AuditEntry.actor_id == manager.id)).all()
    assert {e.entity for e in entries} == {"person", "residency"}
    listing = client.get(f"/houses/{house.id}")
    assert "Elli Esimerkki" in listing.text and "On paper" in listing.text


def test_a_refused_residency_adds_no_person(client, session):
    house = make_house(session)
    client.login_as(session, english_manager(session, house))
    response = client.submit(
        f"/houses/{house.id}/residents/new-without-email",
        {
            "name": "Ville Virhe",
            "apartment": "A 1",
            "starts_on": "2024-01-01",
            "ends_on": "2023-01-01",
        },
    )
    assert response.status_code == 422 and "error-ends_on" in response.text
    assert session.exec(select(Person).where(Person.name == "Ville Virhe")).first() is None


def test_the_manager_changes_the_details_and_an_email_gives_a_login(client, session, smtp):
    house = make_house(session)
    manager = english_manager(session, house)
    person = make_resident(session, house, make_paper_person(session, name="Oiva Ojala"))
    residency = residency_of(session, person)
    session.commit()
    client.login_as(session, manager)
    url = f"/houses/{house.id}/residents/{residency.id}/person"
    form = client.get(url)
    assert form.status_code == 200 and "Oiva Ojala" in form.text
    values = {
        "name": "Oiva Ojala",
        "email": "oiva.ojala@example.com",
        "notice_channel": "email",
        "language": "fi",
        "version": str(person.version),
    }
    assert client.submit(url, values).status_code == 303
    session.refresh(person)
    assert person.email == "oiva.ojala@example.com"
    assert person.notice_channel == NoticeChannel.email
    # Now an account: only administrators change it from here on.
    assert client.get(url).status_code == 403
    client.cookies.clear()
    client.submit("/login/link", {"link_email": "oiva.ojala@example.com"})
    assert len(smtp.to("oiva.ojala@example.com")) == 1


def test_a_stale_form_is_refused(client, session):
    house = make_house(session)
    person = make_resident(session, house, make_paper_person(session, name="Aapo Aalto"))
    residency = residency_of(session, person)
    client.login_as(session, english_manager(session, house))
    url = f"/houses/{house.id}/residents/{residency.id}/person"
    values = {"name": "Aapo Aalto", "notice_channel": "paper", "language": "fi", "version": "0"}
    assert client.submit(url, values).status_code == 409


def test_without_an_email_the_invitations_stay_on_paper(client, session):
    house = make_house(session)
    person = make_resident(session, house, make_paper_person(session, name="Eeva Eskola"))
    residency = residency_of(session, person)
    client.login_as(session, english_manager(session, house))
    url = f"/houses/{house.id}/residents/{residency.id}/person"
    values = {
        "name": "Eeva Eskola",
        "notice_channel": "email",
        "language": "fi",
        "version": str(person.version),
    }
    assert client.submit(url, values).status_code == 303
    session.refresh(person)
    assert person.email is None and person.notice_channel == NoticeChannel.paper


def test_others_may_not_add_or_change_residents_without_email(client, session):
    house = make_house(session)
    person = make_resident(session, house, make_paper_person(session, name="Sulo Suoja"))
    residency = residency_of(session, person)
    other_manager = make_manager(session, make_house(session))
    chair_like = make_resident(session, house)
    management = make_staff(session, StaffKind.management)
    for user in (other_manager, chair_like, management):
        client.cookies.clear()
        client.login_as(session, user)
        new = f"/houses/{house.id}/residents/new-without-email"
        assert client.get(new).status_code == 403
        added = client.submit(
            new, {"name": "Ei Kukaan", "apartment": "A 1", "starts_on": "2024-01-01"}
        )
        assert added.status_code == 403
        url = f"/houses/{house.id}/residents/{residency.id}/person"
        assert client.get(url).status_code == 403
        changed = client.submit(url, {"name": "Muutettu", "version": str(person.version)})
        assert changed.status_code == 403
    session.refresh(person)
    assert person.name == "Sulo Suoja"
    assert session.exec(select(Person).where(Person.name == "Ei Kukaan")).first() is None


def test_the_manager_may_not_change_a_resident_with_an_email(client, session):
    house = make_house(session)
    person = make_resident(session, house)
    residency = residency_of(session, person)
    client.login_as(session, english_manager(session, house))
    url = f"/houses/{house.id}/residents/{residency.id}/person"
    assert client.get(url).status_code == 403
    assert (
        client.submit(url, {"name": "X", "email": "me@example.com", "version": "1"}).status_code
        == 403
    )
    page = client.get(f"/houses/{house.id}").text
    assert (
        f"/residents/{residency.id}/end" in page and f"/residents/{residency.id}/person" not in page
    )


def test_the_manager_ends_a_residency_of_their_house(client, session):
    house = make_house(session)
    person = make_resident(session, house, make_paper_person(session))
    residency = residency_of(session, person)
    client.login_as(session, english_manager(session, house))
    url = f"/houses/{house.id}/residents/{residency.id}/end"
    assert client.submit(url, {"ends_on": "2026-01-31"}).status_code == 303
    session.refresh(residency)
    assert residency.ends_on is not None


def test_an_administrator_adds_a_person_without_email_in_the_person_form(client, session):
    admin = make_staff(session, StaffKind.admin, language=Language.en)
    client.login_as(session, admin)
    form = client.get("/admin/people/new")
    assert 'name="notice_channel"' in form.text
    response = client.submit(
        "/admin/people/new", {"name": "Tyyne Tuominen", "language": "fi", "notice_channel": "email"}
    )
    assert response.status_code == 303
    person = session.exec(select(Person).where(Person.name == "Tyyne Tuominen")).one()
    assert person.email is None and person.notice_channel == NoticeChannel.paper
    page = client.get(f"/admin/people/{person.id}")
    assert "None: cannot log in" in page.text and "/password" not in page.text
    # Two people without email do not collide.
    second = client.submit("/admin/people/new", {"name": "Toinen Tuominen", "language": "fi"})
    assert second.status_code == 303
    # An email added later, then removed again: back on paper.
    edit = f"/admin/people/{person.id}/edit"
    values = {"name": "Tyyne Tuominen", "email": "tyyne@example.com", "language": "fi"}
    values |= {"notice_channel": "email", "version": str(person.version)}
    assert client.submit(edit, values).status_code == 303
    session.refresh(person)
    assert person.email == "tyyne@example.com" and person.notice_channel == NoticeChannel.email
    values |= {"email": "", "version": str(person.version)}
    assert client.submit(edit, values).status_code == 303
    session.refresh(person)
    assert person.email is None and person.notice_channel == NoticeChannel.paper
    listing = client.get("/admin/people?q=Tuominen")
    assert "None" not in listing.text.split("people-caption")[1].split("</table>")[0]


def test_an_email_in_use_is_refused_when_added(client, session):
    house = make_house(session)
    taken = make_person(session, email="varattu@example.com")
    person = make_resident(session, house, make_paper_person(session, name="Uljas Uusi"))
    residency = residency_of(session, person)
    client.login_as(session, english_manager(session, house))
    url = f"/houses/{house.id}/residents/{residency.id}/person"
    values = {
        "name": "Uljas Uusi",
        "email": "VARATTU@example.com",
        "notice_channel": "email",
        "language": "fi",
        "version": str(person.version),
    }
    response = client.submit(url, values)
    assert response.status_code == 422 and "error-email" in response.text
    session.refresh(person)
    assert person.email is None and taken.email == "varattu@example.com"
