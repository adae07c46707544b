"""A resident without email has no login: no password, link, token or single sign-on matches
them, and nothing is mailed to them; once an email is added, they log in by a link."""

import pytest
from sqlmodel import select

from app.config import get_settings
from app.deps import SESSION_COOKIE
from app.models.auth import LoginAttempt, LoginLink, LoginSession, TokenKind
from app.models.people import NoticeChannel, PersonUpdate
from app.models.sso import SsoIdentity
from app.models.types import utcnow
from app.security import hash_password
from app.services.accounts import auth as auth_service
from app.services.accounts import oidc
from app.services.bodies import people as people_service
from app.services.mail import delivery as mail_service
from tests.support import api_headers, make_person
from tests.support_households import make_paper_person


def test_an_empty_address_matches_nobody(client, session, smtp):
    make_paper_person(session, password_hash=hash_password("salasana-ilman-postia"))
    session.commit()
    response = client.submit("/login", {"email": "", "password": "salasana-ilman-postia"})
    assert SESSION_COOKIE not in response.cookies
    assert client.submit("/login/link", {"link_email": ""}).status_code in (200, 422)
    assert session.exec(select(LoginLink)).all() == []
    assert smtp.messages == []
    assert auth_service.person_by_email(session, "") is None
    assert auth_service.person_by_email(session, "   ") is None


def test_no_session_token_or_link_opens_for_a_person_without_email(session):
    person = make_paper_person(session)
    assert not auth_service.can_log_in(person)
    with pytest.raises(ValueError):
        auth_service.start_session(session, get_settings(), person, "password")
    # Rows made before (or by mistake) open nothing either.
    secret, _token = auth_service.issue_token(session, person, TokenKind.access)
    assert auth_service.person_for_token(session, secret) is None


def test_nothing_is_mailed_to_a_person_without_email(session, connection, smtp):
    person = make_paper_person(session)
    assert mail_service.queue(session, "test:1", person, "login_link", url="x", minutes=15) is None
    session.commit()
    assert mail_service.send_pending(connection) == 0
    assert smtp.messages == []


def test_removing_the_email_ends_every_login(client, session, smtp):
    person = make_person(session)
    headers = api_headers(session, person)
    client.login_as(session, person)
    assert client.get("/").status_code == 200
    client.submit("/login/link", {"link_email": person.email})
    assert len(smtp.to(person.email)) == 1
    link = smtp.links(smtp.to(person.email)[0])[0]
    people_service.update(session, person, PersonUpdate(email=None), None, person.version)
    session.commit()
    assert person.email is None and person.notice_channel == NoticeChannel.paper
    assert client.get("/").status_code == 303  # the session ended
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.cookies.clear()
    assert client.submit("/" + path).status_code == 400  # the link is void
    assert session.exec(select(LoginSession).where(LoginSession.person_id == person.id)).all() == []


def test_once_an_email_is_added_the_person_logs_in_by_a_link(client, session, smtp):
    person = make_paper_person(session)
    people_service.update(
        session, person, PersonUpdate(email="Uusi.Osoite@Example.com"), None, person.version
    )
    session.commit()
    assert person.email == "uusi.osoite@example.com"
    # The invitations stay on paper until that is changed: adding an email is not a choice.
    assert person.notice_channel == NoticeChannel.paper
    client.submit("/login/link", {"link_email": "uusi.osoite@example.com"})
    link = smtp.links(smtp.to("uusi.osoite@example.com")[0])[0]
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.submit("/" + path).status_code == 303
    assert client.get("/").status_code == 200


def test_single_sign_on_never_lands_on_a_person_without_email(session):
    person = make_paper_person(session)
    session.add(
        SsoIdentity(
            person_id=person.id, issuer="https://id.example", subject="s-1", email="x@example.com"
        )
    )
    session.flush()
    with pytest.raises(oidc.SsoError):
        oidc._person(session, "https://id.example", {"sub": "s-1"}, utcnow())
    claims = {"sub": "s-2", "email": "", "email_verified": True}
    with pytest.raises(oidc.SsoError):
        oidc._person(session, "https://id.example", claims, utcnow())


def test_a_staff_member_keeps_their_email_and_a_password_needs_one(session):
    from app.errors import ValidationFailed
    from app.models.people import StaffKind
    from tests.support import make_staff

    staff = make_staff(session, StaffKind.property_manager)
    with pytest.raises(ValidationFailed) as caught:
        people_service.update(session, staff, PersonUpdate(email=None), None, staff.version)
    assert "email" in caught.value.errors
    paper = make_paper_person(session)
    with pytest.raises(ValidationFailed):
        people_service.grant(session, paper, StaffKind.admin, None)
    with pytest.raises(ValidationFailed):
        people_service.change_password(session, paper, "pitkä-salasana-1", "pitkä-salasana-1", None)
    assert paper.password_hash is None
    assert session.exec(select(LoginAttempt)).all() == []
