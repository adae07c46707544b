"""CSV import of houses and residents: every row validated first, then all stored or none.

Longer than the usual module: reading a spreadsheet's CSV (encodings, delimiters, Finnish
numbers and dates) sits beside the two formats because nothing else reads CSV yet; it is the
part to move out when a second importer appears.
"""

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from app.config import ROOT
from app.errors import NotFound
from app.i18n import _
from app.models.houses import House, Residency, Tenure
from app.models.people import Language, Person, StaffKind, StaffRole
from app.models.types import utcnow
from app.services import audit
from app.services import people as people_service

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
EXAMPLES_DIR = ROOT / "seeds" / "import-examples"
EXAMPLES = ("houses.csv", "residents.csv")
# Keys per IN (...) list: far below the bound-parameter limits of SQLite and PostgreSQL.
_CHUNK = 500
DEFAULT_CITY = "Helsinki"

TENURES = {
    "holder": Tenure.holder,
    "haltija": Tenure.holder,
    "asumisoikeuden haltija": Tenure.holder,
    "renter": Tenure.renter,
    "vuokralainen": Tenure.renter,
}


@dataclass
class RowError:
    """One problem in the file: row as a spreadsheet numbers it (header = 1; None: whole file)."""

    row: int | None
    column: str
    value: str
    reason: str


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


class _Bad(Exception):
    """A cell that cannot be read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Column:
    """A column of an import file: a missing required value is an error."""

    name: str
    required: bool
    parse: Callable[[str], Any]


def _text(max_length: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise _Bad(_("Enter at most %(n)s characters.", n=max_length))
        return raw

    return parse


def _code(raw: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,20}", raw):
        raise _Bad(_("Use at most 20 letters A-Z, digits, hyphens or underscores."))
    return raw


def _apartment(raw: str) -> str:
    # "A  12" and "A 12" are the same apartment.
    return _text(20)(" ".join(raw.split()))


def _postal_code(raw: str) -> str:
    if not re.fullmatch(r"\d{5}", raw):
        raise _Bad(
            _(
                "Enter a postal code of 5 digits, e.g. 00530"
                " (a spreadsheet may have dropped the leading zeros)."
            )
        )
    return raw


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        digits = re.sub(r"\s", "", raw)
        if not re.fullmatch(r"[+-]?\d+", digits):
            raise _Bad(_("Enter a whole number."))
        value = int(digits)
        if value < low:
            raise _Bad(_("Enter a value of at least %(n)s.", n=low))
        if value > high:
            raise _Bad(_("Enter a value of at most %(n)s.", n=high))
        return value

    return parse


def parse_decimal(raw: str) -> Decimal:
    """A number written with a decimal comma or point, spaces as thousand separators."""
    text = re.sub(r"\s", "", raw)
    if "," in text and "." in text:
        # Both present: the later one separates the decimals, the other groups thousands.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        raise _Bad(_("Enter a number, e.g. 2345,5."))
    return Decimal(text)


def _floor_area(raw: str) -> Decimal:
    value = parse_decimal(raw)
    if value <= 0:
        raise _Bad(_("Enter a number greater than zero."))
    if value != value.quantize(Decimal("0.1")):
        raise _Bad(_("Enter the floor area with at most one decimal."))
    if value >= Decimal("1000000000"):
        raise _Bad(_("The number has too many digits."))
    return value.quantize(Decimal("0.1"))


def parse_date(raw: str) -> date:
    """A date as YYYY-MM-DD or D.M.YYYY."""
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    finnish = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", raw)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if finnish:
            return date(int(finnish[3]), int(finnish[2]), int(finnish[1]))
    except ValueError:
        pass
    raise _Bad(_("Enter a date as YYYY-MM-DD or D.M.YYYY."))


def _email(raw: str) -> str:
    if len(raw) > 320 or not people_service.looks_like_email(raw):
        raise _Bad(_("Enter a valid email address."))
    return raw.strip().lower()


def _language(raw: str) -> Language:
    try:
        return Language(raw.lower())
    except ValueError:
        raise _Bad(_("Enter fi, sv or en.")) from None


def _tenure(raw: str) -> Tenure:
    tenure = TENURES.get(" ".join(raw.lower().split()))
    if tenure is None:
        raise _Bad(_("Enter holder or renter (haltija or vuokralainen)."))
    return tenure


HOUSE_COLUMNS = (
    Column("code", True, _code),
    Column("name", True, _text(200)),
    Column("street_address", True, _text(200)),
    Column("postal_code", True, _postal_code),
    Column("city", False, _text(100)),
    Column("district", True, _text(100)),
    Column("apartments", True, _integer(1, 10000)),
    Column("floor_area", True, _floor_area),
    Column("year_built", True, _integer(1800, 2100)),
    Column("property_manager_email", False, _email),
)
RESIDENT_COLUMNS = (
    Column("house_code", True, _text(20)),
    Column("apartment", True, _apartment),
    Column("name", True, _text(200)),
    Column("email", True, _email),
    Column("phone", False, _text(40)),
    Column("language", False, _language),
    Column("birth_date", False, parse_date),
    Column("tenure", True, _tenure),
    Column("starts_on", True, parse_date),
    Column("ends_on", False, parse_date),
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
_PERSON_FIELDS = ("name", "phone", "language", "birth_date")


def example(name: str) -> bytes:
    """The downloadable example file of a format."""
    if name not in EXAMPLES:
        raise NotFound()
    return (EXAMPLES_DIR / name).read_bytes()


def decode(data: bytes) -> str:
    """UTF-8 with or without a BOM; otherwise what Excel on Windows writes (Windows-1252)."""
    body = data.removeprefix(codecs.BOM_UTF8)
    for encoding in ("utf-8", "cp1252"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """Semicolon (Finnish Excel) or comma, judged by the header row."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def _file_error(reason: str) -> RowError:
    return RowError(None, "", "", reason)


def read_rows(
    data: bytes, columns: Iterable[Column]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The file's non-empty rows as (row number, column → trimmed cell), or file-level errors."""
    columns = tuple(columns)
    if len(data) > MAX_BYTES:
        return [], [_file_error(_("The file is larger than 5 MB. Split it into smaller files."))]
    text = decode(data)
    if not text.strip():
        return [], [_file_error(_("The file is empty."))]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        records = list(reader)
    except csv.Error:
        reason = _("The file is not valid CSV: check the quotation marks.")
        return [], [RowError(reader.line_num, "", "", reason)]
    header = [cell.strip().lower() for cell in records[0]]
    while header and not header[-1]:
        header.pop()
    errors = _header_errors(header, columns)
    if errors:
        return [], errors
    numbered = [
        (number, record)
        for number, record in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in record)
    ]
    if not numbered:
        return [], [_file_error(_("The file has no rows to import."))]
    if len(numbered) > MAX_ROWS:
        reason = _("The file has more than %(n)s rows. Split it into smaller files.", n=MAX_ROWS)
        return [], [_file_error(reason)]
    rows = []
    for number, record in numbered:
        if any(cell.strip() for cell in record[len(header) :]):
            reason = _("The row has more values than the header row has columns.")
            errors.append(RowError(number, "", "", reason))
            continue
        cells = {
            name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)
        }
        rows.append((number, cells))
    return rows, errors


def _header_errors(header: list[str], columns: tuple[Column, ...]) -> list[RowError]:
    known = [c.name for c in columns]
    errors = []
    for i, name in enumerate(header):
        if not name:
            errors.append(RowError(1, "", "", _("A column has no name in the header row.")))
        elif name not in known:
            reason = _("Unknown column. The columns are: %(columns)s.", columns=", ".join(known))
            errors.append(RowError(1, name, name, reason))
        elif name in header[:i]:
            errors.append(RowError(1, name, name, _("The column is twice in the header row.")))
    for column in columns:
        if column.required and column.name not in header:
            reason = _("The column is missing from the header row.")
            errors.append(RowError(1, column.name, "", reason))
    return errors


def _parse_row(
    number: int, cells: dict[str, str], columns: Iterable[Column], errors: list[RowError]
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    ok = True
    for column in columns:
        raw = cells.get(column.name, "")
        if not raw:
            if column.required:
                errors.append(RowError(number, column.name, "", _("This field is required.")))
                ok = False
            values[column.name] = None
            continue
        try:
            values[column.name] = column.parse(raw)
        except _Bad as exc:
            errors.append(RowError(number, column.name, raw, exc.reason))
            ok = False
    return values if ok else None


def _select_in(session: Session, model: type[Any], column: Any, keys: Iterable[Any]) -> list[Any]:
    wanted = sorted(set(keys))
    found: list[Any] = []
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.extend(session.exec(select(model).where(col(column).in_(chunk))))
    return found


def _property_managers(session: Session, emails: Iterable[str]) -> dict[str, int]:
    """Email → id of the people holding the property manager role among emails."""
    people = _select_in(session, Person, Person.email, emails)
    ids = {p.id for p in people}
    roles = _select_in(session, StaffRole, StaffRole.person_id, ids)
    managers = {r.person_id for r in roles if r.kind == StaffKind.property_manager}
    return {p.email: p.id for p in people if p.id in managers}


def _differences(obj: SQLModel, wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if getattr(obj, k) != v}


def _store(
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
    rows, report.errors = read_rows(data, HOUSE_COLUMNS)
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        values = _parse_row(number, cells, HOUSE_COLUMNS, report.errors)
        if values is None:
            continue
        code = values["code"]
        if code in seen:
            reason = _("The same code is already on row %(row)s.", row=seen[code])
            report.errors.append(RowError(number, "code", code, reason))
            continue
        seen[code] = number
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

    existing = {h.code: h for h in _select_in(session, House, House.code, seen)}
    creates: list[SQLModel] = []
    updates: list[tuple[SQLModel, dict[str, Any]]] = []
    report.rows = len(parsed)
    for number, values in parsed:
        code = values["code"]
        wanted: dict[str, Any] = {k: values.get(k) for k in _HOUSE_FIELDS}
        wanted["city"] = values["city"] or DEFAULT_CITY
        # An empty manager cell keeps the house's manager: the file cannot clear it by accident.
        wanted["property_manager_id"] = managers.get(values["property_manager_email"] or "")
        house = existing.get(code)
        if house is None:
            creates.append(House(code=code, **wanted))
            report.changes.append(Change(number, "house", code, "create"))
            report.created += 1
            continue
        if wanted["property_manager_id"] is None:
            del wanted["property_manager_id"]
        changes = _differences(house, wanted)
        if not changes:
            report.unchanged += 1
            continue
        updates.append((house, changes))
        report.changes.append(Change(number, "house", code, "update", _column_names(changes)))
        report.updated += 1
    if not dry_run and report.changes:
        with session.begin_nested():
            _store(session, actor_id, creates, updates)
        report.stored = True
    return report


@dataclass
class _Residents:
    """Resident rows that passed validation, the houses they name and each person's values."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    houses: dict[str, House] = field(default_factory=dict)
    # email → (first row, the person's columns given anywhere in the file)
    people: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)


def _validate_residents(
    session: Session, rows: list[tuple[int, dict[str, str]]], errors: list[RowError]
) -> _Residents:
    """Parse and cross-check resident rows against each other and the houses in the database."""
    found = _Residents()
    seen: dict[tuple[Any, ...], int] = {}
    given: dict[str, dict[str, tuple[int, Any]]] = {}
    for number, cells in rows:
        values = _parse_row(number, cells, RESIDENT_COLUMNS, errors)
        if values is None:
            continue
        if values["ends_on"] is not None and values["ends_on"] < values["starts_on"]:
            reason = _("The end date is before the start date.")
            errors.append(RowError(number, "ends_on", cells["ends_on"], reason))
            continue
        key = (values["email"], values["house_code"], values["apartment"], values["starts_on"])
        if key in seen:
            reason = _(
                "The same person, house, apartment and start date are already on row %(row)s.",
                row=seen[key],
            )
            errors.append(RowError(number, "email", cells["email"], reason))
            continue
        seen[key] = number
        person = given.setdefault(values["email"], {})
        consistent = True
        for name in _PERSON_FIELDS:
            if values[name] is None:
                continue
            first_row, first_value = person.setdefault(name, (number, values[name]))
            if first_value != values[name]:
                reason = _(
                    "Row %(row)s gives another value for the same email address.", row=first_row
                )
                errors.append(RowError(number, name, cells[name], reason))
                consistent = False
        if consistent:
            found.rows.append((number, values))
            found.people.setdefault(values["email"], (number, {}))
    for email, (first_row, _values) in found.people.items():
        found.people[email] = (first_row, {k: v for k, (_row, v) in given[email].items()})
    codes = {v["house_code"] for _, v in found.rows}
    found.houses = {h.code: h for h in _select_in(session, House, House.code, codes)}
    for number, values in found.rows:
        if values["house_code"] not in found.houses:
            reason = _("No house has this code. Import the houses first.")
            errors.append(RowError(number, "house_code", values["house_code"], reason))
    errors.sort(key=lambda e: e.row or 0)
    return found


def import_residents(
    session: Session,
    data: bytes,
    actor_id: int | None,
    *,
    filename: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Create or update people (by email) and residencies from a residents.csv; all or nothing."""
    report = ImportReport(kind="residents", filename=filename, dry_run=dry_run)
    rows, report.errors = read_rows(data, RESIDENT_COLUMNS)
    found = _validate_residents(session, rows, report.errors)
    if report.errors:
        return report

    people = {p.email: p for p in _select_in(session, Person, Person.email, found.people)}
    residencies: dict[tuple[Any, ...], Residency] = {}
    person_ids = {p.id for p in people.values()}
    for residency in _select_in(session, Residency, Residency.person_id, person_ids):
        key = (residency.person_id, residency.house_id, residency.apartment, residency.starts_on)
        residencies.setdefault(key, residency)

    new_people: dict[str, Person] = {}
    person_updates: list[tuple[SQLModel, dict[str, Any]]] = []
    outcome: dict[int, str] = {}
    for email, (number, wanted) in found.people.items():
        person = people.get(email)
        if person is None:
            new_people[email] = Person(email=email, **{"language": Language.fi, **wanted})
            report.changes.append(Change(number, "person", email, "create"))
            outcome[number] = "create"
            continue
        changes = _differences(person, wanted)
        if changes:
            person_updates.append((person, changes))
            report.changes.append(Change(number, "person", email, "update", list(changes)))
            outcome[number] = "update"

    residency_creates: list[tuple[str, Residency]] = []
    residency_updates: list[tuple[SQLModel, dict[str, Any]]] = []
    for number, values in found.rows:
        house = found.houses[values["house_code"]]
        key_text = f"{house.code} {values['apartment']}, {values['starts_on'].isoformat()}"
        wanted = {"tenure": values["tenure"], "ends_on": values["ends_on"]}
        person = people.get(values["email"])
        existing = None
        if person is not None:
            key = (person.id, house.id, values["apartment"], values["starts_on"])
            existing = residencies.get(key)
        if existing is None:
            assert house.id is not None
            new = Residency(
                person_id=0,  # set once a new person has its id
                house_id=house.id,
                apartment=values["apartment"],
                starts_on=values["starts_on"],
                **wanted,
            )
            residency_creates.append((values["email"], new))
            report.changes.append(Change(number, "residency", key_text, "create"))
            outcome[number] = "create"
            continue
        changes = _differences(existing, wanted)
        if changes:
            residency_updates.append((existing, changes))
            report.changes.append(Change(number, "residency", key_text, "update", list(changes)))
            outcome.setdefault(number, "update")

    report.rows = len(found.rows)
    report.created = sum(1 for v in outcome.values() if v == "create")
    report.updated = sum(1 for v in outcome.values() if v == "update")
    report.unchanged = report.rows - report.created - report.updated
    report.changes.sort(key=lambda c: c.row)
    if dry_run or not report.changes:
        return report
    with session.begin_nested():
        _store(session, actor_id, list(new_people.values()), person_updates)
        for email, residency in residency_creates:
            person_id = (new_people.get(email) or people[email]).id
            assert person_id is not None
            residency.person_id = person_id
        _store(session, actor_id, [r for _e, r in residency_creates], residency_updates)
    report.stored = True
    return report
