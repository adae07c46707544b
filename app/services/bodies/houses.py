"""Houses: finding, adding and changing them, their property manager, and a house's overview."""

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Field, Session, SQLModel, col, select

from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House, HouseCreate
from app.models.meetings import ResidentMeeting
from app.models.people import Person, StaffKind, StaffRole
from app.models.types import utcnow
from app.services.platform import audit, versioning
from app.services.platform import search as text_search

PAGE_SIZE = 50

# SQLite's lower() folds only ASCII letters; these are the capitals of Finnish and Swedish
# names that it leaves alone, folded by hand so that a search works alike on both databases.
# Checked here as well as declared on the models: SQLModel's Field(regex=...) does not reach
# pydantic 2 (which calls it pattern), so the models alone would let any text through.
_CODE_FORMAT = re.compile(r"[A-Za-z0-9_-]+")
_POSTAL_CODE_FORMAT = re.compile(r"[0-9]{5}")

_POSITION_ORDER = {
    Position.chair: 0,
    Position.vice_chair: 1,
    Position.secretary: 2,
    Position.member: 3,
}

# Fields that may never be set to nothing once a house exists.
_REQUIRED_FIELDS = (
    "code",
    "name",
    "street_address",
    "postal_code",
    "city",
    "district",
    "apartments",
    "floor_area",
    "year_built",
)


class HouseInput(HouseCreate):
    """A new house as forms and the API take it, with the formats of code and postal code."""

    code: str = Field(min_length=1, max_length=20, schema_extra={"pattern": r"^[A-Za-z0-9_-]+$"})
    postal_code: str = Field(max_length=5, schema_extra={"pattern": r"^[0-9]{5}$"})


class HouseUpdate(SQLModel):
    """Changes to a house; omitted fields stay, property_manager_id null removes the manager."""

    code: str | None = Field(
        default=None, min_length=1, max_length=20, schema_extra={"pattern": r"^[A-Za-z0-9_-]+$"}
    )
    name: str | None = Field(default=None, min_length=1, max_length=200)
    street_address: str | None = Field(default=None, min_length=1, max_length=200)
    postal_code: str | None = Field(
        default=None, max_length=5, schema_extra={"pattern": r"^[0-9]{5}$"}
    )
    city: str | None = Field(default=None, min_length=1, max_length=100)
    district: str | None = Field(default=None, min_length=1, max_length=100)
    apartments: int | None = Field(default=None, ge=1, le=10000)
    floor_area: Decimal | None = Field(default=None, gt=0, max_digits=10, decimal_places=1)
    year_built: int | None = Field(default=None, ge=1800, le=2100)
    property_manager_id: int | None = None


@dataclass
class HousePage:
    """One page of a house search."""

    houses: list[House]
    total: int
    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages


@dataclass
class Seat:
    """A committee member as a house page shows them."""

    person_id: int
    name: str
    position: Position


@dataclass
class HouseOverview:
    """What everyone may know of a house: committee, chair, manager, meetings."""

    house: House
    committee: ResidentCommittee | None = None
    members: list[Seat] = field(default_factory=list)
    chair: Seat | None = None
    property_manager: Person | None = None
    last_meeting: ResidentMeeting | None = None
    next_meeting: ResidentMeeting | None = None


def get(session: Session, house_id: int) -> House:
    """A house by id, or NotFound."""
    house = session.get(House, house_id)
    if house is None:
        raise NotFound()
    return house


def _conditions(text: str, district: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if text.strip():
        conditions.append(
            text_search.contains(
                text,
                col(House.name),
                col(House.code),
                col(House.street_address),
                col(House.district),
            )
        )
    if district.strip():
        conditions.append(text_search.folded(col(House.district)) == district.strip().lower())
    return conditions


def search(
    session: Session, text: str = "", district: str = "", limit: int = PAGE_SIZE, offset: int = 0
) -> list[House]:
    """Houses whose name, code, address or district contains text, in a district, by name."""
    query = (
        select(House)
        .where(*_conditions(text, district))
        .order_by(col(House.name), col(House.id))
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    return list(session.exec(query))


def count(session: Session, text: str = "", district: str = "") -> int:
    """How many houses a search finds."""
    query = select(func.count()).select_from(House).where(*_conditions(text, district))
    return int(session.exec(query).one())


def browse(
    session: Session, text: str = "", district: str = "", page: int = 1, per_page: int = PAGE_SIZE
) -> HousePage:
    """One page of a search; a page past the end shows the last one."""
    total = count(session, text, district)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    houses = search(session, text, district, limit=per_page, offset=(page - 1) * per_page)
    return HousePage(houses=houses, total=total, page=page, pages=pages)


def districts(session: Session) -> list[str]:
    """Every district that has a house, alphabetically."""
    return list(session.exec(select(House.district).distinct().order_by(col(House.district))))


def property_managers(session: Session) -> list[Person]:
    """Active people who hold the property manager staff role, by name."""
    return list(
        session.exec(
            select(Person)
            .join(StaffRole, col(StaffRole.person_id) == Person.id)
            .where(StaffRole.kind == StaffKind.property_manager, col(Person.is_active))
            .order_by(col(Person.name), col(Person.id))
        )
    )


def _check_property_manager(session: Session, person_id: int | None) -> None:
    if person_id is None:
        return
    held = session.exec(
        select(StaffRole.id).where(
            StaffRole.person_id == person_id, StaffRole.kind == StaffKind.property_manager
        )
    ).first()
    if held is None:
        raise ValidationFailed(
            {"property_manager_id": _("Choose a person who is a property manager.")}
        )


def _check_formats(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    for key in ("code", "name", "street_address", "postal_code", "city", "district"):
        # Checked after trimming: a field of spaces is as empty as a blank one.
        if key in values and values[key] is not None and not str(values[key]).strip():
            errors[key] = _("This field is required.")
    code = values.get("code")
    if code is not None and not _CODE_FORMAT.fullmatch(code):
        errors["code"] = _("Use only letters A–Z, digits, hyphens and underscores.")
    postal_code = values.get("postal_code")
    if postal_code is not None and not _POSTAL_CODE_FORMAT.fullmatch(postal_code):
        errors["postal_code"] = _("Enter a postal code of five digits.")
    if errors:
        raise ValidationFailed(errors)


def _check_code_free(session: Session, code: str, house_id: int | None = None) -> None:
    # Codes differing only in case would be told apart by nobody reading them aloud.
    existing = session.exec(
        select(House.id).where(func.lower(House.code) == code.strip().lower())
    ).first()
    if existing is not None and existing != house_id:
        raise ValidationFailed({"code": _("Another house already has this code.")})


def create(session: Session, data: HouseCreate, actor_id: int | None) -> House:
    """Add a house; its code must be unused and its manager a property manager."""
    values = data.model_dump()
    for key in ("code", "name", "street_address", "postal_code", "city", "district"):
        values[key] = values[key].strip()
    _check_formats(values)
    _check_code_free(session, values["code"])
    _check_property_manager(session, data.property_manager_id)
    house = House(**values)
    session.add(house)
    session.flush()
    audit.record(session, actor_id, "create", house)
    return house


def _changes(data: HouseCreate | HouseUpdate) -> dict[str, Any]:
    # A HouseCreate is a whole house (the edit form); a HouseUpdate only what it sets (PATCH).
    return data.model_dump(exclude_unset=isinstance(data, HouseUpdate))


def update(
    session: Session,
    house: House,
    data: HouseCreate | HouseUpdate,
    actor_id: int | None,
    version: int,
) -> House:
    """Change a house (all fields, or only those set); Conflict if it changed since version."""
    if version != house.version:
        raise Conflict()
    changes = _changes(data)
    missing = {k: _("This field is required.") for k in _REQUIRED_FIELDS if k in changes}
    missing = {k: v for k, v in missing.items() if changes[k] is None}
    if missing:
        raise ValidationFailed(missing)
    for key in ("code", "name", "street_address", "postal_code", "city", "district"):
        if key in changes:
            changes[key] = changes[key].strip()
    _check_formats(changes)
    if "code" in changes:
        _check_code_free(session, changes["code"], house.id)
    if "property_manager_id" in changes:
        _check_property_manager(session, changes["property_manager_id"])
    before = audit.snapshot(house)
    for key, value in changes.items():
        setattr(house, key, value)
    versioning.bump(session, house, version)
    house.updated_at = utcnow()
    session.add(house)
    session.flush()
    audit.record(session, actor_id, "update", house, before)
    return house


def differences(house: House, data: HouseCreate | HouseUpdate) -> dict[str, Any]:
    """Field → saved value, where what was saved differs from data (to show after a conflict)."""
    saved = house.model_dump()
    return {key: saved.get(key) for key, value in _changes(data).items() if saved.get(key) != value}


def set_property_manager(
    session: Session, house: House, person_id: int | None, actor_id: int | None
) -> House:
    """Make a property manager responsible for a house, or none (None)."""
    _check_property_manager(session, person_id)
    if house.property_manager_id == person_id:
        return house
    before = audit.snapshot(house)
    house.property_manager_id = person_id
    house.version += 1
    house.updated_at = utcnow()
    session.add(house)
    session.flush()
    audit.record(session, actor_id, "update", house, before)
    return house


def current_committee(session: Session, house_id: int, today: date) -> ResidentCommittee | None:
    """The committee whose term contains today (the newest, should terms ever overlap)."""
    return session.exec(
        select(ResidentCommittee)
        .where(
            ResidentCommittee.house_id == house_id,
            ResidentCommittee.term_start <= today,
            ResidentCommittee.term_end >= today,
        )
        .order_by(col(ResidentCommittee.term_start).desc(), col(ResidentCommittee.id).desc())
    ).first()


def committee_seats(session: Session, committee_id: int) -> list[Seat]:
    """A committee's members: chair, vice chair, secretary, members; by name within each."""
    rows = session.exec(
        select(CommitteeMember.person_id, Person.name, CommitteeMember.position)
        .join(Person, col(Person.id) == CommitteeMember.person_id)
        .where(CommitteeMember.committee_id == committee_id)
    )
    seats = [Seat(person_id=pid, name=name, position=Position(pos)) for pid, name, pos in rows]
    seats.sort(key=lambda s: (_POSITION_ORDER[s.position], s.name.casefold(), s.person_id))
    return seats


def house_overview(
    session: Session, house: House, today: date, now: datetime | None = None
) -> HouseOverview:
    """The committee in office today, its chair, the manager, the last and next meetings."""
    assert house.id is not None
    now = now or utcnow()
    overview = HouseOverview(house=house)
    overview.committee = current_committee(session, house.id, today)
    if overview.committee is not None and overview.committee.id is not None:
        overview.members = committee_seats(session, overview.committee.id)
        overview.chair = next((s for s in overview.members if s.position == Position.chair), None)
    if house.property_manager_id is not None:
        overview.property_manager = session.get(Person, house.property_manager_id)
    overview.last_meeting = session.exec(
        select(ResidentMeeting)
        .where(ResidentMeeting.house_id == house.id, ResidentMeeting.starts_at < now)
        .order_by(col(ResidentMeeting.starts_at).desc())
    ).first()
    overview.next_meeting = session.exec(
        select(ResidentMeeting)
        .where(ResidentMeeting.house_id == house.id, ResidentMeeting.starts_at >= now)
        .order_by(col(ResidentMeeting.starts_at))
    ).first()
    return overview
