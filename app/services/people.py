"""People: creating, changing and finding them; staff roles."""

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _
from app.models.people import Language, Person, PersonCreate, PersonUpdate, StaffKind, StaffRole
from app.models.types import utcnow
from app.services import audit
from app.services.auth import normalise_email


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


def create(session: Session, data: PersonCreate, actor_id: int | None) -> Person:
    """Add a person; the email must be unused."""
    _check_email_free(session, data.email)
    person = Person(
        name=data.name.strip(),
        email=normalise_email(data.email),
        phone=(data.phone or "").strip() or None,
        language=data.language,
        birth_date=data.birth_date,
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
    if "email" in changes and changes["email"] is not None:
        _check_email_free(session, changes["email"], person.id)
        changes["email"] = normalise_email(changes["email"])
    for key, value in changes.items():
        if key in ("name", "email", "language") and value is None:
            continue
        setattr(person, key, value)
    person.version += 1
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


def search(session: Session, text: str = "", limit: int = 200, offset: int = 0) -> list[Person]:
    """People whose name or email contains text, by name."""
    query = select(Person).order_by(col(Person.name))
    if text.strip():
        pattern = f"%{text.strip().lower()}%"
        query = query.where(
            or_(func.lower(Person.name).like(pattern), col(Person.email).like(pattern))
        )
    return list(session.exec(query.offset(offset).limit(limit)))


def staff_roles(session: Session, person_id: int) -> list[StaffRole]:
    """A person's staff roles."""
    return list(session.exec(select(StaffRole).where(StaffRole.person_id == person_id)))


def grant(session: Session, person: Person, kind: StaffKind, actor_id: int | None) -> StaffRole:
    """Give a person a staff role (idempotent)."""
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
    """Take a staff role away."""
    role = session.exec(
        select(StaffRole).where(StaffRole.person_id == person.id, StaffRole.kind == kind)
    ).first()
    if role is not None:
        audit.record(session, actor_id, "delete", role, audit.snapshot(role))
        session.delete(role)
        session.flush()
