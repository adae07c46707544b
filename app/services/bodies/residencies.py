"""Residencies: who lives in which apartment of a house, from when to when."""

import re
from dataclasses import dataclass
from datetime import date

from pydantic import EmailStr
from sqlmodel import Field, Session, SQLModel, col, or_, select

from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.models.houses import House, Residency, ResidencyCreate, Tenure
from app.models.people import Language, NoticeChannel, Person, PersonCreate, PersonUpdate
from app.services.accounts.auth import normalise_email
from app.services.bodies import people as people_service
from app.services.platform import audit


class ResidentByEmail(SQLModel):
    """A new residency as an administrator enters it: the person picked by email."""

    email: EmailStr = Field(max_length=320)
    apartment: str = Field(min_length=1, max_length=20)
    tenure: Tenure = Tenure.holder
    starts_on: date
    ends_on: date | None = None


class ResidentOnPaper(SQLModel):
    """A new resident without email, as their property manager or an administrator enters
    them: the person and their residency at once. Their notices go on paper."""

    name: str = Field(min_length=1, max_length=200)
    language: Language = Language.fi
    phone: str | None = Field(default=None, max_length=40)
    birth_date: date | None = None
    apartment: str = Field(min_length=1, max_length=20)
    tenure: Tenure = Tenure.holder
    starts_on: date
    ends_on: date | None = None


class ResidentDetails(SQLModel):
    """A resident's details as their property manager changes them; an email added gives the
    person a login (by a link sent to it)."""

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    language: Language = Language.fi
    birth_date: date | None = None
    notice_channel: NoticeChannel = NoticeChannel.paper
    version: int


class ResidencyEnd(SQLModel):
    """The last day of a residency."""

    ends_on: date


@dataclass
class Resident:
    """A current residency with its person."""

    residency: Residency
    person: Person


def natural_key(text: str) -> list[tuple[int, int | str]]:
    """How apartments are ordered: "A 2" before "A 10", as they are numbered on the doors."""
    return [
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    ]


def current(session: Session, house_id: int, today: date) -> list[Resident]:
    """A house's residencies in force today, with their people, by apartment then name."""
    rows = session.exec(
        select(Residency, Person)
        .join(Person, col(Person.id) == Residency.person_id)
        .where(
            Residency.house_id == house_id,
            Residency.starts_on <= today,
            or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= today),
        )
        .order_by(col(Residency.apartment), col(Person.name), col(Residency.id))
    )
    residents = [Resident(residency=r, person=p) for r, p in rows]
    residents.sort(key=lambda x: (natural_key(x.residency.apartment), x.person.name.casefold()))
    return residents


def get(session: Session, residency_id: int) -> Residency:
    """A residency by id, or NotFound."""
    residency = session.get(Residency, residency_id)
    if residency is None:
        raise NotFound()
    return residency


def get_resident(session: Session, residency_id: int) -> Resident | None:
    """A residency with its person, or None."""
    row = session.exec(
        select(Residency, Person)
        .join(Person, col(Person.id) == Residency.person_id)
        .where(Residency.id == residency_id)
    ).first()
    return Resident(residency=row[0], person=row[1]) if row else None


def _check_period(starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed({"ends_on": _("The end date cannot be before the start date.")})


def _check_no_overlap(
    session: Session,
    person_id: int,
    house_id: int,
    starts_on: date,
    ends_on: date | None,
    field_name: str,
    residency_id: int | None = None,
) -> None:
    query = select(Residency.id).where(
        Residency.person_id == person_id,
        Residency.house_id == house_id,
        or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= starts_on),
    )
    if ends_on is not None:
        query = query.where(Residency.starts_on <= ends_on)
    if residency_id is not None:
        query = query.where(Residency.id != residency_id)
    if session.exec(query).first() is not None:
        raise ValidationFailed(
            {field_name: _("The person already lives in this house during this period.")}
        )


def add(session: Session, data: ResidencyCreate, actor_id: int | None) -> Residency:
    """Record that a person lives in a house; periods of one person in one house never overlap."""
    errors: dict[str, str] = {}
    if session.get(Person, data.person_id) is None:
        errors["person_id"] = _("No such person.")
    if session.get(House, data.house_id) is None:
        errors["house_id"] = _("No such house.")
    if errors:
        raise ValidationFailed(errors)
    _check_period(data.starts_on, data.ends_on)
    _check_no_overlap(
        session, data.person_id, data.house_id, data.starts_on, data.ends_on, "starts_on"
    )
    residency = Residency(**data.model_dump())
    residency.apartment = residency.apartment.strip()
    session.add(residency)
    session.flush()
    audit.record(session, actor_id, "create", residency)
    return residency


def _living_in(
    person_id: int, house_id: int, data: ResidentByEmail | ResidentOnPaper
) -> ResidencyCreate:
    """The residency a resident form describes, for the person it found or made."""
    return ResidencyCreate(
        person_id=person_id,
        house_id=house_id,
        apartment=data.apartment,
        tenure=data.tenure,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )


def add_by_email(
    session: Session, house_id: int, data: ResidentByEmail, actor_id: int | None
) -> Residency:
    """Record a residency for the person with an email address."""
    person = session.exec(select(Person).where(Person.email == normalise_email(data.email))).first()
    if person is None or person.id is None:
        raise ValidationFailed({"email": _("Nobody with this email address is in the portal.")})
    return add(session, _living_in(person.id, house_id, data), actor_id)


def end(session: Session, residency: Residency, ends_on: date, actor_id: int | None) -> Residency:
    """Set the last day of a residency."""
    _check_period(residency.starts_on, ends_on)
    _check_no_overlap(
        session,
        residency.person_id,
        residency.house_id,
        residency.starts_on,
        ends_on,
        "ends_on",
        residency.id,
    )
    before = audit.snapshot(residency)
    residency.ends_on = ends_on
    session.add(residency)
    session.flush()
    audit.record(session, actor_id, "update", residency, before)
    return residency


def add_on_paper(
    session: Session, house_id: int, data: ResidentOnPaper, actor_id: int | None
) -> Residency:
    """Add a resident without email: a new person, on paper, living in an apartment."""
    _check_period(data.starts_on, data.ends_on)
    with session.begin_nested():
        person = people_service.create(
            session,
            PersonCreate(
                name=data.name,
                email=None,
                phone=data.phone,
                language=data.language,
                birth_date=data.birth_date,
                notice_channel=NoticeChannel.paper,
            ),
            actor_id,
        )
        assert person.id is not None
        return add(session, _living_in(person.id, house_id, data), actor_id)


def change_details(
    session: Session, person: Person, data: ResidentDetails, actor_id: int | None
) -> Person:
    """Change a resident's details (every field given; an emptied phone or email is cleared);
    refuses if someone else changed the person since the form was read."""
    changes = PersonUpdate(**data.model_dump(exclude={"version"}))
    return people_service.update(session, person, changes, actor_id, data.version)
