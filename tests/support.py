"""Test helpers: a CSRF-aware client, a real SMTP sink, and small factories."""

import re
import socket
from datetime import date, timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from itertools import count
from typing import Any

from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import get_settings
from app.deps import CSRF_COOKIE, SESSION_COOKIE
from app.models.auth import TokenKind
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House, Residency, Tenure
from app.models.people import Person, StaffKind, StaffRole
from app.models.yte import YteMember, YteTerm
from app.services.accounts import auth as auth_service

_seq = count(1)


class PortalClient(TestClient):
    """A TestClient that fetches a CSRF cookie and sends its token with every form."""

    def __init__(self, app: Any) -> None:
        super().__init__(app, base_url="http://testserver", follow_redirects=False)

    def csrf(self) -> str:
        """The CSRF token, fetching the cookie if needed."""
        token = self.cookies.get(CSRF_COOKIE)
        if not token:
            self.get("/healthz")
            token = self.cookies.get(CSRF_COOKIE)
        assert token
        return str(token)

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form as a browser would, with the CSRF token."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf())
        return self.post(url, data=payload, **kwargs)

    def login_as(self, session: Session, person: Person) -> "PortalClient":
        """Start a session for a person without going through the login form."""
        token = auth_service.start_session(session, get_settings(), person, "password")
        session.commit()
        self.cookies.set(SESSION_COOKIE, token)
        return self


def api_headers(
    session: Session, person: Person, scopes: list[str] | None = None
) -> dict[str, str]:
    """Bearer headers for a person (an access token, or a personal token with scopes)."""
    kind = TokenKind.personal if scopes is not None else TokenKind.access
    secret, _ = auth_service.issue_token(session, person, kind, scopes=scopes)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


class _Handler:
    def __init__(self, sink: "SmtpSink") -> None:
        self.sink = sink

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.startswith("refused"):
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.sink.messages.append(
            message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)  # type: ignore[arg-type]
        )
        self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpSink:
    """An aiosmtpd server on a free loopback port, keeping every message it gets."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        """Messages sent to an address."""
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        """The plain-text part of a message."""
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def links(self, message: EmailMessage) -> list[str]:
        """Every URL in the plain-text part."""
        return re.findall(r"https?://\S+", self.text_of(message))


# Factories: small functions that make one row each, with sensible defaults.


def make_person(session: Session, **fields: Any) -> Person:
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"Testi Henkilö {n}",
        "email": f"person{n}@example.com",
        "birth_date": date(1980, 1, 1),
    }
    values.update(fields)
    if "password" in values:
        from app.security import hash_password

        values["password_hash"] = hash_password(values.pop("password"))
    person = Person(**values)
    session.add(person)
    session.flush()
    return person


def make_house(session: Session, **fields: Any) -> House:
    n = next(_seq)
    values: dict[str, Any] = {
        "code": f"T{n:04d}",
        "name": f"Testitalo {n}",
        "street_address": f"Testikatu {n}",
        "postal_code": "00100",
        "city": "Helsinki",
        "district": "Kallio",
        "apartments": 40,
        "floor_area": Decimal("2500.0"),
        "year_built": 1995,
    }
    values.update(fields)
    house = House(**values)
    session.add(house)
    session.flush()
    return house


def make_resident(
    session: Session, house: House, person: Person | None = None, **fields: Any
) -> Person:
    person = person or make_person(session)
    assert person.id is not None and house.id is not None
    values: dict[str, Any] = {
        "apartment": f"A {next(_seq)}",
        "tenure": Tenure.holder,
        "starts_on": date(2020, 1, 1),
    }
    values.update(fields)
    session.add(Residency(person_id=person.id, house_id=house.id, **values))
    session.flush()
    return person


def make_committee(
    session: Session,
    house: House,
    members: list[tuple[Person, Position]] | None = None,
    term_start: date | None = None,
) -> ResidentCommittee:
    start = term_start or date.today() - timedelta(days=100)
    assert house.id is not None
    committee = ResidentCommittee(
        house_id=house.id, term_start=start, term_end=start + timedelta(days=365)
    )
    session.add(committee)
    session.flush()
    assert committee.id is not None
    for person, position in members or []:
        assert person.id is not None
        session.add(
            CommitteeMember(committee_id=committee.id, person_id=person.id, position=position)
        )
    session.flush()
    return committee


def make_chair(session: Session, house: House) -> Person:
    person = make_resident(session, house)
    make_committee(session, house, [(person, Position.chair)])
    return person


def make_staff(session: Session, kind: StaffKind, **fields: Any) -> Person:
    person = make_person(session, **fields)
    assert person.id is not None
    session.add(StaffRole(person_id=person.id, kind=kind))
    session.flush()
    return person


def make_manager(session: Session, *houses: House) -> Person:
    person = make_staff(session, StaffKind.property_manager)
    for house in houses:
        house.property_manager_id = person.id
        session.add(house)
    session.flush()
    return person


def make_yte_term(session: Session, members: list[tuple[Person, House]]) -> YteTerm:
    start = date.today() - timedelta(days=30)
    term = YteTerm(starts_on=start, ends_on=start + timedelta(days=730))
    session.add(term)
    session.flush()
    assert term.id is not None
    for person, house in members:
        assert person.id is not None and house.id is not None
        session.add(YteMember(term_id=term.id, person_id=person.id, house_id=house.id))
    session.flush()
    return term


def make_initiative(
    session: Session,
    filer: Person | None,
    house: House | None = None,
    state: Any = None,
    **fields: Any,
) -> Any:
    """An initiative in a given state (house scope when a house is given, else company scope),
    with the dates its state implies; written directly, without the lifecycle's checks."""
    from app.models.initiatives import Initiative, Scope, State
    from app.models.types import utcnow

    state = state or State.draft
    now = utcnow()
    values: dict[str, Any] = {
        "scope": Scope.house if house is not None else Scope.company,
        "house_id": house.id if house is not None else None,
        "title": f"Aloite {next(_seq)}",
        "body": "Pihan valaistus on puutteellinen.",
        "state": state,
        "filed_by_id": filer.id if filer is not None else None,
    }
    order = list(State)
    reached = {s for s in order if order.index(s) <= order.index(state)}
    if State.submitted in reached and state not in (State.withdrawn, State.declined):
        values["submitted_at"] = now - timedelta(days=20)
        values["receipt_due_on"] = date.today() - timedelta(days=6)
    if state in (
        State.received,
        State.in_preparation,
        State.answered,
        State.implemented,
        State.evaluated,
    ):
        values["received_at"] = now - timedelta(days=15)
        values["answer_due_on"] = date.today() + timedelta(days=45)
    if state in (State.answered, State.implemented, State.evaluated):
        from app.models.initiatives import Outcome

        values["outcome"] = Outcome.accepted
        values["answer"] = "Valaistus uusitaan."
        values["answered_at"] = now - timedelta(days=5)
    if state in (State.implemented, State.evaluated):
        values["implemented_at"] = now - timedelta(days=2)
    values.update(fields)
    initiative = Initiative(**values)
    session.add(initiative)
    session.flush()
    return initiative


def make_forum_session(session: Session, days_ahead: int = 30, **fields: Any) -> Any:
    """A cooperation forum session some days from now."""
    from app.models.forum import ForumSession
    from app.models.types import utcnow

    values: dict[str, Any] = {
        "title": "Yhteistyöfoorumi",
        "starts_at": utcnow() + timedelta(days=days_ahead),
        "place": "Haso, Sturenkatu",
    }
    values.update(fields)
    forum_session = ForumSession(**values)
    session.add(forum_session)
    session.flush()
    return forum_session


def fi(message: str, **params: Any) -> str:
    """A message as a Finnish-speaking user sees it (the default language)."""
    from app.i18n import gettext, use_language

    with use_language("fi"):
        return gettext(message, **params)
