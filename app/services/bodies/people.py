"""People: creating, changing and finding them; staff roles; the audit log they leave."""

from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, TypeVar

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _
from app.models.audit import AuditEntry
from app.models.houses import House, Residency
from app.models.people import (
    Language,
    NoticeChannel,
    Person,
    PersonCreate,
    PersonUpdate,
    StaffKind,
    StaffRole,
)
from app.models.types import utcnow
from app.security import verify_password
from app.services.accounts import auth as auth_service
from app.services.accounts.auth import normalise_email
from app.services.platform import audit, versioning
from app.services.platform import search as text_search

T = TypeVar("T")

PASSWORD_MIN_LENGTH = 10


def looks_like_email(value: str) -> bool:
    """Whether a string is a deliverable-looking email address (no DNS lookup)."""
    try:
        validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def get(session: Session, person_id: int) -> Person:
    """A person by id, or NotFound."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound()
    return person


def by_email(session: Session, email: str) -> Person | None:
    """A person by email (case-insensitive), active or not."""
    return session.exec(select(Person).where(Person.email == normalise_email(email))).first()


def _check_email_free(session: Session, email: str, person_id: int | None = None) -> None:
    existing = by_email(session, email)
    if existing is not None and existing.id != person_id:
        raise ValidationFailed({"email": _("This email address is already in use.")})


def notice_channel(email: str | None, wanted: NoticeChannel | None) -> NoticeChannel:
    """The channel of a person's notices: paper whenever there is no email, else as wanted
    (by email unless told otherwise)."""
    if email is None:
        return NoticeChannel.paper
    return wanted or NoticeChannel.email


def create(session: Session, data: PersonCreate, actor_id: int | None) -> Person:
    """Add a person; an email, if given, must be unused. Without one the person is a resident
    whose notices go on paper, and who cannot log in until an email is added."""
    email = normalise_email(data.email) if data.email else None
    if email is not None:
        _check_email_free(session, email)
    person = Person(
        name=data.name.strip(),
        email=email,
        phone=(data.phone or "").strip() or None,
        language=data.language,
        birth_date=data.birth_date,
        notice_channel=notice_channel(email, data.notice_channel),
    )
    session.add(person)
    session.flush()
    audit.record(session, actor_id, "create", person)
    return person


def update(
    session: Session, person: Person, data: PersonUpdate, actor_id: int | None, version: int | None
) -> Person:
    """Change a person; refuses if someone else changed them since version was read."""
    if version is not None and version != person.version:
        raise Conflict()
    before = audit.snapshot(person)
    changes = data.model_dump(exclude_unset=True)
    had_email = person.email is not None
    if changes.get("email") is not None:
        _check_email_free(session, changes["email"], person.id)
        changes["email"] = normalise_email(changes["email"])
    elif "email" in changes and had_email and staff_roles(session, person.id or 0):
        raise ValidationFailed({"email": _("A staff member needs an email address to log in.")})
    for key, value in changes.items():
        if key in ("name", "language", "notice_channel") and value is None:
            continue
        setattr(person, key, value)
    person.notice_channel = notice_channel(person.email, person.notice_channel)
    if had_email and person.email is None:
        # Without an email nobody logs in as the person: their sessions, tokens and links end.
        auth_service.end_logins(session, person)
    versioning.bump(session, person, person.version if version is None else version)
    person.updated_at = utcnow()
    session.add(person)
    session.flush()
    audit.record(session, actor_id, "update", person, before)
    return person


def set_language(session: Session, person: Person, lang: str) -> None:
    """Remember a person's preferred language."""
    if person.language != lang:
        person.language = Language(lang)
        session.add(person)
        session.flush()


@dataclass
class Page(Generic[T]):
    """One page of a longer list."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(ceil(self.total / self.per_page), 1)

    @property
    def has_previous(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages


def _matching(text: str) -> Any:
    """The condition "name or email contains text" (case-insensitive, wildcards literal)."""
    return text_search.contains(text, col(Person.name), col(Person.email))


def search(session: Session, text: str = "", limit: int = 200, offset: int = 0) -> list[Person]:
    """People whose name or email contains text, by name."""
    query = select(Person).order_by(col(Person.name), col(Person.id))
    if text.strip():
        query = query.where(_matching(text))
    return list(session.exec(query.offset(offset).limit(limit)))


def count(session: Session, text: str = "") -> int:
    """How many people search(text) finds in all."""
    query = select(func.count()).select_from(Person)
    if text.strip():
        query = query.where(_matching(text))
    return session.exec(query).one()


def search_page(
    session: Session, text: str = "", page: int = 1, per_page: int = 50
) -> Page[Person]:
    """One page of the people search(text) finds."""
    page = max(page, 1)
    items = search(session, text, limit=per_page, offset=(page - 1) * per_page)
    return Page(items=items, total=count(session, text), page=page, per_page=per_page)


def residencies(session: Session, person_id: int) -> list[tuple[Residency, House]]:
    """Where a person lives and has lived, newest first."""
    return [
        (residency, house)
        for residency, house in session.exec(
            select(Residency, House)
            .join(House, col(House.id) == Residency.house_id)
            .where(Residency.person_id == person_id)
            .order_by(col(Residency.starts_on).desc(), col(Residency.id).desc())
        )
    ]


def change_password(
    session: Session,
    person: Person,
    password: str,
    confirm: str,
    actor_id: int | None,
    keep_session: str | None = None,
) -> None:
    """Set a password: long enough, typed the same twice; the person's other logins end. A
    person without email has no login to set one for."""
    if person.email is None:
        raise ValidationFailed(
            {"password": _("Add an email address first: the person logs in with it.")}
        )
    errors: dict[str, str] = {}
    if len(password) < PASSWORD_MIN_LENGTH:
        errors["password"] = _("Enter at least %(n)s characters.", n=PASSWORD_MIN_LENGTH)
    elif password != confirm:
        errors["password_confirm"] = _("The passwords do not match.")
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(person)
    auth_service.set_password(session, person, password, keep_session)
    # The hash never enters the log; the row still shows who set a password and when.
    audit.record(session, actor_id, "update", person, before)


def change_own_password(
    session: Session,
    person: Person,
    current: str,
    password: str,
    confirm: str,
    this_session: str | None,
) -> None:
    """A person changes their own password (the current one asked); this session stays."""
    if person.password_hash and not verify_password(person.password_hash, current):
        raise ValidationFailed({"current_password": _("The current password is wrong.")})
    change_password(session, person, password, confirm, person.id, this_session)


def staff_roles(session: Session, person_id: int) -> list[StaffRole]:
    """A person's staff roles."""
    return list(session.exec(select(StaffRole).where(StaffRole.person_id == person_id)))


def grant(session: Session, person: Person, kind: StaffKind, actor_id: int | None) -> StaffRole:
    """Give a person a staff role (idempotent); staff log in, so they need an email."""
    if person.email is None:
        raise ValidationFailed({"kind": _("Add an email address first: staff log in with it.")})
    existing = session.exec(
        select(StaffRole).where(StaffRole.person_id == person.id, StaffRole.kind == kind)
    ).first()
    if existing is not None:
        return existing
    assert person.id is not None
    role = StaffRole(person_id=person.id, kind=kind)
    session.add(role)
    session.flush()
    audit.record(session, actor_id, "create", role)
    return role


def revoke(session: Session, person: Person, kind: StaffKind, actor_id: int | None) -> None:
    """Take a staff role away; the last administrator keeps theirs."""
    role = session.exec(
        select(StaffRole).where(StaffRole.person_id == person.id, StaffRole.kind == kind)
    ).first()
    if role is not None and kind == StaffKind.admin:
        admins = session.exec(
            select(func.count()).select_from(StaffRole).where(StaffRole.kind == StaffKind.admin)
        ).one()
        if admins <= 1:
            raise ValidationFailed(
                {
                    "kind": _(
                        "The last administrator cannot lose the role. "
                        "Grant it to someone else first."
                    )
                }
            )
    if role is not None:
        if kind == StaffKind.property_manager:
            # Without the role nobody may act as the houses' manager: release them visibly.
            for house in session.exec(select(House).where(House.property_manager_id == person.id)):
                before = audit.snapshot(house)
                house.property_manager_id = None
                house.version += 1
                house.updated_at = utcnow()
                session.add(house)
                session.flush()
                audit.record(session, actor_id, "update", house, before)
        audit.record(session, actor_id, "delete", role, audit.snapshot(role))
        session.delete(role)
        session.flush()


@dataclass
class AuditRow:
    """An audit entry with the name of whoever made the change."""

    entry: AuditEntry
    actor_name: str | None

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field the entry mentions."""
        before = self.entry.before or {}
        after = self.entry.after or {}
        return [(key, before.get(key), after.get(key)) for key in sorted(set(before) | set(after))]


def audit_entities(session: Session) -> list[str]:
    """The kinds of record the audit log mentions, for filtering."""
    return sorted(session.exec(select(AuditEntry.entity).distinct()))


def audit_log(
    session: Session, entity: str = "", entity_id: str = "", page: int = 1, per_page: int = 50
) -> Page[AuditRow]:
    """The audit log, newest first, optionally of one kind of record or one record."""
    page = max(page, 1)
    conditions = []
    if entity:
        conditions.append(col(AuditEntry.entity) == entity)
        if entity_id:
            conditions.append(col(AuditEntry.entity_id) == entity_id)
    total = session.exec(select(func.count()).select_from(AuditEntry).where(*conditions)).one()
    rows = session.exec(
        select(AuditEntry, Person.name)
        .outerjoin(Person, col(Person.id) == AuditEntry.actor_id)
        .where(*conditions)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    items = [AuditRow(entry=entry, actor_name=name) for entry, name in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)
