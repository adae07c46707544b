"""The residents' CSV import: every row checked against the file and the database, overlapping
residencies refused, then all stored or none."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.dates import format_date
from sqlmodel import Session, SQLModel, col, select

from app.i18n import _, get_language, locale
from app.models.houses import Apartment, House, Residency
from app.models.people import Language, NoticeChannel, Person
from app.services.bodies import apartments as apartments_service
from app.services.bodies.imports import (
    PERSON_FIELDS,
    RESIDENT_COLUMNS,
    Change,
    ImportReport,
    ResidencyKey,
    apartment_key,
    differences,
    houses_by_code,
    select_in,
    store,
)
from app.services.platform.csv_reading import (
    MAX_BYTES,  # noqa: F401 (the router reads an upload up to this size)
    MAX_ROWS,
    RowError,
    parse_row,
    read_rows,
)


def _residency_key(residency: Residency) -> ResidencyKey:
    """What identifies a residency in a file: person, house, apartment (as compared), start."""
    return (
        residency.person_id,
        residency.house_id,
        apartment_key(residency.apartment),
        residency.starts_on,
    )


# A person without email is known by house, apartment and name (spacing tidied, case ignored):
# imported again, the same row updates them rather than adding a second person. Their key starts
# with a character no email address has.
_NO_EMAIL = "\x00"


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def _person_key(values: dict[str, Any]) -> str:
    """Who a row is about: the email, else house, apartment and name."""
    if values["email"]:
        return str(values["email"])
    return _NO_EMAIL.join(
        ("", values["house_code"].lower(), values["apartment"], _folded(values["name"]))
    )


def _known_without_email(session: Session, found: "_Residents") -> dict[str, Person]:
    """The people without email the file's rows without email name, by their key: someone
    without email who lives or has lived in that apartment of that house under that name."""
    wanted = [v for _n, v in found.rows if not v["email"]]
    ids = {
        found.houses[v["house_code"].lower()].id
        for v in wanted
        if v["house_code"].lower() in found.houses
    }
    if not ids:
        return {}
    codes = {house.id: code for code, house in found.houses.items()}
    rows = session.exec(
        select(Person, Residency)
        .join(Residency, col(Residency.person_id) == Person.id)
        .where(
            col(Person.email).is_(None),
            col(Residency.house_id).in_(sorted(i for i in ids if i is not None)),
        )
        .order_by(col(Person.id))
    )
    known: dict[str, Person] = {}
    for person, residency in rows:
        values = {
            "email": None,
            "house_code": codes[residency.house_id],
            "apartment": apartment_key(residency.apartment),
            "name": person.name,
        }
        known.setdefault(_person_key(values), person)
    return known


def _overlap(first: tuple[date, date | None], second: tuple[date, date | None]) -> bool:
    """Whether two periods (start, last day or None: continuing) share a day."""
    (first_start, first_end), (second_start, second_end) = first, second
    return (second_end is None or first_start <= second_end) and (
        first_end is None or second_start <= first_end
    )


@dataclass
class _Residents:
    """Resident rows that passed validation, the houses they name and each person's values."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    # lower-cased code → house
    houses: dict[str, House] = field(default_factory=dict)
    # person key (_person_key: the email, else house, apartment and name) → (first row, the
    # person's columns given anywhere in the file)
    people: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    # person key → the person already in the database
    known: dict[str, Person] = field(default_factory=dict)
    # The known people's residencies in the database, and those a row of the file names.
    stored: list[Residency] = field(default_factory=list)
    existing: dict[ResidencyKey, Residency] = field(default_factory=dict)


def _validate_residents(
    session: Session, rows: list[tuple[int, dict[str, str]]], errors: list[RowError]
) -> _Residents:
    """Parse and cross-check resident rows against each other and the houses in the database."""
    found = _Residents()
    seen: dict[tuple[Any, ...], int] = {}
    given: dict[str, dict[str, tuple[int, Any]]] = {}
    # (house code, apartment) → the first row giving its floor area, and that area
    areas: dict[tuple[str, str], tuple[int, Any]] = {}
    for number, cells in rows:
        values = parse_row(number, cells, RESIDENT_COLUMNS, errors)
        if values is None:
            continue
        if values["ends_on"] is not None and values["ends_on"] < values["starts_on"]:
            reason = _("The end date is before the start date.")
            errors.append(RowError(number, "ends_on", cells["ends_on"], reason))
            continue
        if values["email"] is None and values["notice_channel"] == NoticeChannel.email:
            reason = _("Invitations by email need an email address: leave the cell empty.")
            errors.append(RowError(number, "notice_channel", cells["notice_channel"], reason))
            continue
        person_key = _person_key(values)
        key = (
            person_key,
            values["house_code"].lower(),
            values["apartment"],
            values["starts_on"],
        )
        if key in seen:
            reason = _(
                "The same person, house, apartment and start date are already on row %(row)s.",
                row=seen[key],
            )
            errors.append(RowError(number, "email", cells["email"], reason))
            continue
        seen[key] = number
        person = given.setdefault(person_key, {})
        consistent = True
        for name in PERSON_FIELDS:
            if values[name] is None:
                continue
            first_row, first_value = person.setdefault(name, (number, values[name]))
            if first_value != values[name]:
                reason = (
                    _("Row %(row)s gives another value for the same email address.", row=first_row)
                    if values["email"]
                    else _("Row %(row)s gives another value for the same person.", row=first_row)
                )
                errors.append(RowError(number, name, cells[name], reason))
                consistent = False
        if values["floor_area_m2"] is not None:
            apartment = (values["house_code"].lower(), values["apartment"])
            first_row, first_area = areas.setdefault(apartment, (number, values["floor_area_m2"]))
            if first_area != values["floor_area_m2"]:
                reason = _(
                    "Row %(row)s gives another floor area for the same apartment.", row=first_row
                )
                errors.append(RowError(number, "floor_area_m2", cells["floor_area_m2"], reason))
                consistent = False
        if consistent:
            found.rows.append((number, values))
            found.people.setdefault(person_key, (number, {}))
    for person_key, (first_row, _values) in found.people.items():
        found.people[person_key] = (first_row, {k: v for k, (_row, v) in given[person_key].items()})
    found.houses = houses_by_code(session, (v["house_code"] for _, v in found.rows))
    for number, values in found.rows:
        if values["house_code"].lower() not in found.houses:
            reason = _("No house has this code. Import the houses first.")
            errors.append(RowError(number, "house_code", values["house_code"], reason))
    emails = [k for k in found.people if not k.startswith(_NO_EMAIL)]
    found.known = {p.email: p for p in select_in(session, Person, Person.email, emails) if p.email}
    found.known.update(_known_without_email(session, found))
    person_ids = {p.id for p in found.known.values()}
    found.stored = select_in(session, Residency, Residency.person_id, person_ids)
    found.stored.sort(key=lambda r: r.id or 0)
    for residency in found.stored:
        found.existing.setdefault(_residency_key(residency), residency)
    _check_overlaps(found, dict(rows), errors)
    errors.sort(key=lambda e: e.row or 0)
    return found


def _check_overlaps(
    found: _Residents, cells: dict[int, dict[str, str]], errors: list[RowError]
) -> None:
    """A person's residencies in one house never overlap, in the file or with the database's.

    The database's residencies a row names are checked as that row says they will be, so a file
    may end one residency and start the next.
    """
    named: dict[int | None, ResidencyKey] = {}
    for _number, values in found.rows:
        house = found.houses.get(values["house_code"].lower())
        person = found.known.get(_person_key(values))
        if house is not None and person is not None:
            key = (person.id, house.id, values["apartment"], values["starts_on"])
            if key in found.existing:
                named[found.existing[key].id] = key
    others: dict[tuple[int | None, int | None], list[Residency]] = {}
    for residency in found.stored:
        if residency.id not in named:
            others.setdefault((residency.person_id, residency.house_id), []).append(residency)
    earlier: dict[tuple[str, int | None], list[tuple[int, tuple[date, date | None]]]] = {}
    for number, values in found.rows:
        house = found.houses.get(values["house_code"].lower())
        if house is None:
            continue
        period = (values["starts_on"], values["ends_on"])
        reason = None
        rows_before = earlier.setdefault((_person_key(values), house.id), [])
        for other_row, other_period in rows_before:
            if _overlap(period, other_period):
                reason = _(
                    "The person already has a residency in this house at the same time"
                    " on row %(row)s.",
                    row=other_row,
                )
                break
        rows_before.append((number, period))
        person = found.known.get(_person_key(values))
        if reason is None and person is not None:
            for residency in others.get((person.id, house.id), []):
                if _overlap(period, (residency.starts_on, residency.ends_on)):
                    reason = _(
                        "The person already has a residency in this house at the same time:"
                        " apartment %(apartment)s from %(date)s.",
                        apartment=residency.apartment,
                        date=format_date(
                            residency.starts_on, "short", locale=locale(get_language())
                        ),
                    )
                    break
        if reason is not None:
            errors.append(RowError(number, "starts_on", cells[number]["starts_on"], reason))


def _apartment_changes(
    session: Session, found: _Residents, report: ImportReport, outcome: dict[int, str]
) -> tuple[list[Apartment], list[tuple[SQLModel, dict[str, Any]]]]:
    """The apartments whose floor area the file gives: new ones, and known ones whose area
    differs. An empty cell leaves a known area as it is."""
    houses = {house.id: house for house in found.houses.values()}
    given: dict[apartments_service.ApartmentKey, tuple[int, Any]] = {}
    for number, values in found.rows:
        house_id = found.houses[values["house_code"].lower()].id
        if values["floor_area_m2"] is not None and house_id is not None:
            key = apartments_service.key_of(house_id, values["apartment"])
            given.setdefault(key, (number, values["floor_area_m2"]))
    known = apartments_service.in_houses(session, (house_id for house_id, _label in given))
    creates: list[Apartment] = []
    updates: list[tuple[SQLModel, dict[str, Any]]] = []
    for key, (number, area) in given.items():
        house_id, label = key
        key_text = f"{houses[house_id].code} {label}"
        apartment = known.get(key)
        if apartment is None:
            creates.append(Apartment(house_id=house_id, label=label, floor_area_m2=area))
            report.changes.append(Change(number, "apartment", key_text, "create"))
            outcome[number] = "create"
        elif apartment.floor_area_m2 != area:
            updates.append((apartment, {"floor_area_m2": area}))
            report.changes.append(
                Change(number, "apartment", key_text, "update", ["floor_area_m2"])
            )
            outcome.setdefault(number, "update")
    return creates, updates


def import_residents(
    session: Session,
    data: bytes,
    actor_id: int | None,
    *,
    filename: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Create or update people (by email; without one, by house, apartment and name),
    residencies and apartment areas; all or nothing."""
    report = ImportReport(kind="residents", filename=filename, dry_run=dry_run)
    rows, report.errors = read_rows(data, RESIDENT_COLUMNS, max_rows=MAX_ROWS)
    found = _validate_residents(session, rows, report.errors)
    if report.errors:
        return report

    people = found.known
    new_people: dict[str, Person] = {}
    person_updates: list[tuple[SQLModel, dict[str, Any]]] = []
    outcome: dict[int, str] = {}
    shown = {_person_key(v): v["email"] or v["name"] for _n, v in found.rows}
    for person_key, (number, wanted) in found.people.items():
        person = people.get(person_key)
        if person is None:
            email = None if person_key.startswith(_NO_EMAIL) else person_key
            defaults = {"language": Language.fi, "notice_channel": NoticeChannel.email}
            created = Person(email=email, **{**defaults, **wanted})
            if email is None:
                created.notice_channel = NoticeChannel.paper
            new_people[person_key] = created
            report.changes.append(Change(number, "person", shown[person_key], "create"))
            outcome[number] = "create"
            continue
        changes = differences(person, wanted)
        if changes:
            person_updates.append((person, changes))
            report.changes.append(
                Change(number, "person", shown[person_key], "update", list(changes))
            )
            outcome[number] = "update"

    residency_creates: list[tuple[str, Residency]] = []
    residency_updates: list[tuple[SQLModel, dict[str, Any]]] = []
    for number, values in found.rows:
        house = found.houses[values["house_code"].lower()]
        key_text = f"{house.code} {values['apartment']}, {values['starts_on'].isoformat()}"
        wanted = {"tenure": values["tenure"], "ends_on": values["ends_on"]}
        person = people.get(_person_key(values))
        existing = None
        if person is not None:
            key = (person.id, house.id, values["apartment"], values["starts_on"])
            existing = found.existing.get(key)
        if existing is None:
            assert house.id is not None
            new = Residency(
                person_id=0,  # set once a new person has its id
                house_id=house.id,
                apartment=values["apartment"],
                starts_on=values["starts_on"],
                **wanted,
            )
            residency_creates.append((_person_key(values), new))
            report.changes.append(Change(number, "residency", key_text, "create"))
            outcome[number] = "create"
            continue
        changes = differences(existing, wanted)
        if changes:
            residency_updates.append((existing, changes))
            report.changes.append(Change(number, "residency", key_text, "update", list(changes)))
            outcome.setdefault(number, "update")

    apartment_creates, apartment_updates = _apartment_changes(session, found, report, outcome)

    report.rows = len(found.rows)
    report.created = sum(1 for v in outcome.values() if v == "create")
    report.updated = sum(1 for v in outcome.values() if v == "update")
    report.unchanged = report.rows - report.created - report.updated
    report.changes.sort(key=lambda c: c.row)
    if dry_run or not report.changes:
        return report
    with session.begin_nested():
        store(session, actor_id, list(new_people.values()), person_updates)
        for person_key, residency in residency_creates:
            person_id = (new_people.get(person_key) or people[person_key]).id
            assert person_id is not None
            residency.person_id = person_id
        store(session, actor_id, [r for _e, r in residency_creates], residency_updates)
        store(session, actor_id, list(apartment_creates), apartment_updates)
    report.stored = True
    return report
