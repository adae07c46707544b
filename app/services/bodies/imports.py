"""CSV import of houses and residents: every row validated first, then all stored or none.

The two formats, their checks against the database and the report; reading the file itself
(encodings, delimiters, limits, Finnish numbers and dates) is in csv_reading.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from app.config import ROOT
from app.errors import NotFound
from app.i18n import _
from app.jinja import fmt_number
from app.models.houses import House, Tenure
from app.models.people import Language, NoticeChannel, Person, StaffKind, StaffRole
from app.models.types import utcnow
from app.services.bodies import people as people_service
from app.services.platform import audit
from app.services.platform.csv_reading import (
    MAX_BYTES,  # noqa: F401 (the router reads an upload up to this size)
    MAX_ROWS,
    BadCell,
    Column,
    RowError,
    integer_parser,
    parse_date,
    parse_decimal,
    parse_row,
    read_rows,
    text_parser,
)

EXAMPLES_DIR = ROOT / "seeds" / "import-examples"
EXAMPLES = ("houses.csv", "residents.csv")
# Keys per IN (...) list: far below the bound-parameter limits of SQLite and PostgreSQL.
_CHUNK = 500
DEFAULT_CITY = "Helsinki"
# No apartment is this large: a bigger number is a typo (e.g. a lost decimal comma).
MAX_APARTMENT_AREA = Decimal(1000)

# The tenure column: the codes, and the words in Finnish and Swedish, lower case, underscores
# read as spaces ("co_holder" and "co holder" alike). What a tenure gives: access/tenures.
TENURES = {
    "holder": Tenure.holder,
    "haltija": Tenure.holder,
    "asumisoikeuden haltija": Tenure.holder,
    "asumisoikeudenhaltija": Tenure.holder,
    "innehavare": Tenure.holder,
    "boenderättsinnehavare": Tenure.holder,
    "co holder": Tenure.co_holder,
    "co-holder": Tenure.co_holder,
    "kanssahaltija": Tenure.co_holder,
    "medinnehavare": Tenure.co_holder,
    "spouse": Tenure.spouse,
    "partner": Tenure.spouse,
    "puoliso": Tenure.spouse,
    "avopuoliso": Tenure.spouse,
    "haltijan puoliso": Tenure.spouse,
    "haltijan puoliso tai avopuoliso": Tenure.spouse,
    "make": Tenure.spouse,
    "maka": Tenure.spouse,
    "make/maka": Tenure.spouse,
    "sambo": Tenure.spouse,
    "make/maka eller sambo": Tenure.spouse,
    "innehavarens make/maka eller sambo": Tenure.spouse,
    "household member": Tenure.household_member,
    "perheenjäsen": Tenure.household_member,
    "muu perheenjäsen": Tenure.household_member,
    "familjemedlem": Tenure.household_member,
    "annan familjemedlem": Tenure.household_member,
    "renter": Tenure.renter,
    "vuokralainen": Tenure.renter,
    "hyresgäst": Tenure.renter,
}


@dataclass
class Change:
    """One record the import creates or updates; fields are the file's column names."""

    row: int
    entity: str  # house, person, residency
    key: str
    action: str  # create, update
    fields: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import found and did: per-row counts, changes, or errors (then nothing stored)."""

    kind: str
    filename: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stored: bool = False
    errors: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file passed validation."""
        return not self.errors

    def count(self, entity: str, action: str) -> int:
        """How many records of a kind were (or would be) created or updated."""
        return sum(1 for c in self.changes if c.entity == entity and c.action == action)


def _code(raw: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,20}", raw):
        raise BadCell(_("Use at most 20 letters A-Z, digits, hyphens or underscores."))
    return raw


def apartment_key(text: str) -> str:
    """An apartment as the import compares and stores it: "a  12 " and "A 12" are the same."""
    return " ".join(text.split()).upper()


def _apartment(raw: str) -> str:
    return text_parser(20)(apartment_key(raw))


def _postal_code(raw: str) -> str:
    if not re.fullmatch(r"[0-9]{5}", raw):
        raise BadCell(
            _(
                "Enter a postal code of 5 digits, e.g. 00530"
                " (a spreadsheet may have dropped the leading zeros)."
            )
        )
    return raw


def _floor_area(raw: str) -> Decimal:
    value = parse_decimal(raw)
    if value <= 0:
        raise BadCell(_("Enter a number greater than zero."))
    if value >= Decimal("1000000000"):
        raise BadCell(_("The number has too many digits."))
    try:
        rounded = value.quantize(Decimal("0.1"))
    except InvalidOperation:  # more digits than the decimal context holds
        raise BadCell(_("The number has too many digits.")) from None
    if value != rounded:
        raise BadCell(_("Enter the floor area with at most one decimal."))
    return rounded


def _apartment_area(raw: str) -> Decimal:
    """An apartment's floor area: above zero, at most one decimal, below MAX_APARTMENT_AREA."""
    value = _floor_area(raw)
    if value >= MAX_APARTMENT_AREA:
        raise BadCell(
            _(
                "An apartment's floor area is less than %(most)s m². Check the value.",
                most=fmt_number(MAX_APARTMENT_AREA),
            )
        )
    return value


def _email(raw: str) -> str:
    if len(raw) > 320 or not people_service.looks_like_email(raw):
        raise BadCell(_("Enter a valid email address."))
    return raw.strip().lower()


def _language(raw: str) -> Language:
    try:
        return Language(raw.lower())
    except ValueError:
        raise BadCell(_("Enter fi, sv or en.")) from None


def _tenure(raw: str) -> Tenure:
    tenure = TENURES.get(" ".join(raw.lower().replace("_", " ").split()))
    if tenure is None:
        raise BadCell(
            _(
                "Unknown tenure. Enter holder, co_holder, spouse, household_member or renter, "
                "or the same in Finnish (haltija, kanssahaltija, puoliso, perheenjäsen, "
                "vuokralainen) or Swedish."
            )
        )
    return tenure


# The notice_channel column: how the resident meeting's invitations reach the person.
NOTICE_CHANNELS = {
    "email": NoticeChannel.email,
    "sähköposti": NoticeChannel.email,
    "e-post": NoticeChannel.email,
    "paper": NoticeChannel.paper,
    "paperi": NoticeChannel.paper,
    "kirje": NoticeChannel.paper,
    "papper": NoticeChannel.paper,
    "brev": NoticeChannel.paper,
}


def _notice_channel(raw: str) -> NoticeChannel:
    channel = NOTICE_CHANNELS.get(" ".join(raw.lower().split()))
    if channel is None:
        raise BadCell(_("Enter email or paper (sähköposti or paperi)."))
    return channel


HOUSE_COLUMNS = (
    Column("code", True, _code),
    Column("name", True, text_parser(200)),
    Column("street_address", True, text_parser(200)),
    Column("postal_code", True, _postal_code),
    Column("city", False, text_parser(100)),
    Column("district", True, text_parser(100)),
    Column("apartments", True, integer_parser(1, 10000)),
    Column("floor_area", True, _floor_area),
    Column("year_built", True, integer_parser(1800, 2100)),
    Column("property_manager_email", False, _email),
)
RESIDENT_COLUMNS = (
    Column("house_code", True, text_parser(20)),
    Column("apartment", True, _apartment),
    Column("name", True, text_parser(200)),
    # Optional: a resident without email is invited on paper (notice_channel), matched on a
    # later import by house, apartment and name (resident_import._person_key).
    Column("email", False, _email),
    Column("phone", False, text_parser(40)),
    Column("language", False, _language),
    Column("birth_date", False, parse_date),
    Column("tenure", True, _tenure),
    Column("starts_on", True, parse_date),
    Column("ends_on", False, parse_date),
    Column("floor_area_m2", False, _apartment_area),
    Column("notice_channel", False, _notice_channel),
)
_HOUSE_FIELDS = (
    "name",
    "street_address",
    "postal_code",
    "city",
    "district",
    "apartments",
    "floor_area",
    "year_built",
    "property_manager_id",
)
PERSON_FIELDS = ("name", "phone", "language", "birth_date", "notice_channel")


def example(name: str) -> bytes:
    """The downloadable example file of a format."""
    if name not in EXAMPLES:
        raise NotFound()
    return (EXAMPLES_DIR / name).read_bytes()


def select_in(
    session: Session, model: type[Any], column: Any, keys: Iterable[Any], *, lower: bool = False
) -> list[Any]:
    """Rows whose column is among keys; lower: the column lower-cased (keys given lower-cased)."""
    wanted = sorted(set(keys))
    expression = func.lower(col(column)) if lower else col(column)
    found: list[Any] = []
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.extend(session.exec(select(model).where(expression.in_(chunk))))
    return found


def houses_by_code(session: Session, codes: Iterable[str]) -> dict[str, House]:
    """Lower-cased code → house: codes differing only in case are one code, as in the portal."""
    given = set(codes)
    houses = select_in(session, House, House.code, {c.lower() for c in given}, lower=True)
    # Should older data hold two codes differing only in case, the one spelt as in the file wins.
    houses.sort(key=lambda h: (h.code not in given, h.id or 0))
    found: dict[str, House] = {}
    for house in houses:
        found.setdefault(house.code.lower(), house)
    return found


def _property_managers(session: Session, emails: Iterable[str]) -> dict[str, int]:
    """Email → id of the people holding the property manager role among emails."""
    people = select_in(session, Person, Person.email, emails)
    ids = {p.id for p in people}
    roles = select_in(session, StaffRole, StaffRole.person_id, ids)
    managers = {r.person_id for r in roles if r.kind == StaffKind.property_manager}
    return {p.email: p.id for p in people if p.id in managers}


def differences(obj: SQLModel, wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if getattr(obj, k) != v}


def store(
    session: Session,
    actor_id: int | None,
    creates: list[SQLModel],
    updates: list[tuple[SQLModel, dict[str, Any]]],
) -> None:
    """Write new rows and changes, then an audit row for each."""
    logged: list[tuple[str, SQLModel, dict[str, Any] | None]] = []
    for obj, changes in updates:
        before = audit.snapshot(obj)
        for key, value in changes.items():
            setattr(obj, key, value)
        if hasattr(obj, "version"):
            obj.version += 1
            obj.updated_at = utcnow()
        session.add(obj)
        logged.append(("update", obj, before))
    for obj in creates:
        session.add(obj)
        logged.append(("create", obj, None))
    session.flush()
    for action, obj, snapshot in logged:
        audit.record(session, actor_id, action, obj, snapshot)
    session.flush()


def _column_names(changes: dict[str, Any]) -> list[str]:
    return ["property_manager_email" if name == "property_manager_id" else name for name in changes]


def import_houses(
    session: Session,
    data: bytes,
    actor_id: int | None,
    *,
    filename: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Create or update houses by code from a houses.csv; nothing stored if any row is wrong."""
    report = ImportReport(kind="houses", filename=filename, dry_run=dry_run)
    # MAX_ROWS passed on each call: the limit here is the one that counts.
    rows, report.errors = read_rows(data, HOUSE_COLUMNS, max_rows=MAX_ROWS)
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        values = parse_row(number, cells, HOUSE_COLUMNS, report.errors)
        if values is None:
            continue
        code = values["code"]
        if code.lower() in seen:
            reason = _("The same code is already on row %(row)s.", row=seen[code.lower()])
            report.errors.append(RowError(number, "code", code, reason))
            continue
        seen[code.lower()] = number
        parsed.append((number, values))
    emails = {v["property_manager_email"] for _, v in parsed if v["property_manager_email"]}
    managers = _property_managers(session, emails)
    for number, values in parsed:
        email = values["property_manager_email"]
        if email and email not in managers:
            reason = _("No property manager has this email address.")
            report.errors.append(RowError(number, "property_manager_email", email, reason))
    if report.errors:
        report.errors.sort(key=lambda e: e.row or 0)
        return report

    existing = houses_by_code(session, (v["code"] for _, v in parsed))
    creates: list[SQLModel] = []
    updates: list[tuple[SQLModel, dict[str, Any]]] = []
    report.rows = len(parsed)
    for number, values in parsed:
        code = values["code"]
        wanted: dict[str, Any] = {k: values.get(k) for k in _HOUSE_FIELDS}
        wanted["city"] = values["city"] or DEFAULT_CITY
        # An empty manager cell keeps the house's manager: the file cannot clear it by accident.
        wanted["property_manager_id"] = managers.get(values["property_manager_email"] or "")
        # A house found by another case of its code keeps the code it has.
        house = existing.get(code.lower())
        if house is None:
            creates.append(House(code=code, **wanted))
            report.changes.append(Change(number, "house", code, "create"))
            report.created += 1
            continue
        if wanted["property_manager_id"] is None:
            del wanted["property_manager_id"]
        changes = differences(house, wanted)
        if not changes:
            report.unchanged += 1
            continue
        updates.append((house, changes))
        report.changes.append(Change(number, "house", house.code, "update", _column_names(changes)))
        report.updated += 1
    if not dry_run and report.changes:
        with session.begin_nested():
            store(session, actor_id, creates, updates)
        report.stored = True
    return report


ResidencyKey = tuple[int | None, int | None, str, date]
