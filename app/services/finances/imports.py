"""Importing monthly actual amounts, or yearly budgets, from the accounting system's CSV or XLSX
export.

Every row is checked first (house, month, group, amount, duplicates); on any error nothing is
stored. A stored import replaces the amounts of the same houses and months (a budget file: the
budget lines of the same houses and years), and only those; the audit log keeps each replaced
amount. A budget confirmed in the budget cycle is frozen: rows for it are refused.
"""

# Over 400 lines on purpose: the checks of one file format and the store that trusts them stay
# together, so that no stored row can skip a check.

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from app.config import ROOT
from app.errors import NotFound
from app.i18n import _
from app.models.finances import BudgetLine, CostGroup, FinanceImport, ImportKind, MonthlyActual
from app.models.houses import House
from app.services.finances import budgets as finance_budgets
from app.services.platform import audit, xlsx_reading
from app.services.platform.csv_reading import (
    MAX_BYTES,
    MAX_ROWS,  # noqa: F401 (the import page shows the limit)
    BadCell,
    Column,
    RowError,
    parse_decimal,
    parse_row,
    read_records,
    read_rows,
    text_parser,
)

EXAMPLES_DIR = ROOT / "seeds"
EXAMPLES = (
    "finance_actuals.csv",
    "finance_actuals.xlsx",
    "finance_budget.csv",
    "finance_budget.xlsx",
)
LIMIT = Decimal("9999999999.99")  # what Numeric(12, 2) holds


def parse_month(raw: str) -> date:
    """A month as YYYY-MM (also YYYY-MM-DD or M/YYYY), as its first day."""
    found = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})(?:-[0-9]{1,2})?", raw) or re.fullmatch(
        r"([0-9]{1,2})[/.]([0-9]{4})", raw
    )
    if found:
        year, month = (found[1], found[2]) if len(found[1]) == 4 else (found[2], found[1])
        if 1 <= int(month) <= 12:
            return date(int(year), int(month), 1)
    raise BadCell(_("Enter the month as YYYY-MM, e.g. 2026-03."))


def parse_amount(raw: str) -> Decimal:
    """An amount in euros with at most two decimals; a decimal comma is fine."""
    value = parse_decimal(raw)
    if value != value.quantize(Decimal("0.01")):
        raise BadCell(_("Enter the amount with at most two decimals."))
    if abs(value) > LIMIT:
        raise BadCell(_("The amount is too large."))
    return value


def parse_year(raw: str) -> int:
    """A budget year as YYYY."""
    if re.fullmatch(r"[0-9]{4}", raw):
        return int(raw)
    raise BadCell(_("Enter the year as YYYY, e.g. 2027."))


COLUMNS = (
    Column("house", True, text_parser(20)),
    Column("month", True, parse_month),
    Column("group", True, text_parser(20)),
    Column("amount", True, parse_amount),
)
BUDGET_COLUMNS = (
    Column("house", True, text_parser(20)),
    Column("year", True, parse_year),
    Column("group", True, text_parser(20)),
    Column("amount", True, parse_amount),
)


@dataclass
class FinanceReport:
    """What an import found and did: errors per row, or the months it stores."""

    filename: str
    dry_run: bool
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    months: dict[str, list[str]] = field(default_factory=dict)  # house code → YYYY-MM (or YYYY)
    kind: ImportKind = ImportKind.actuals
    replaced: int = 0
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        """No errors: the figures were (or, on a dry run, would be) stored."""
        return not self.errors


def _xlsx_rows(
    data: bytes, columns: tuple[Column, ...] = COLUMNS
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The first sheet's rows as text cells, read as read_rows reads a CSV file (streamed, the
    limits enforced while reading); a date cell is the month it falls in."""
    return read_records(xlsx_reading.records(data, date_cell=_month), columns)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def is_xlsx(data: bytes, filename: str) -> bool:
    """An XLSX workbook by its bytes (a zip) or, failing that, by its name."""
    return data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx")


def _house_and_group(
    number: int,
    values: dict[str, Any],
    houses: dict[str, House],
    group_ids: dict[str, int | None],
    allowed_houses: set[int] | None,
    errors: list[RowError],
) -> tuple[House | None, int | None, bool]:
    """A row's house and cost group by code; errors for unknown ones or another's house."""
    house = houses.get(values["house"].lower())
    group_id = group_ids.get(values["group"].lower())
    ok = True
    if house is None:
        errors.append(RowError(number, "house", values["house"], _("No house has this code.")))
        ok = False
    elif allowed_houses is not None and house.id not in allowed_houses:
        reason = _("You may not import figures for this house.")
        errors.append(RowError(number, "house", values["house"], reason))
        ok = False
    if group_id is None:
        reason = _("No cost group has this code.")
        errors.append(RowError(number, "group", values["group"], reason))
        ok = False
    return house, group_id, ok


def import_actuals(
    session: Session,
    data: bytes,
    actor_id: int | None,
    *,
    filename: str,
    today: date,
    dry_run: bool = False,
    channel: str = "upload",
    allowed_houses: set[int] | None = None,
) -> FinanceReport:
    """Check a file of monthly amounts and, unless a dry run or in error, store it.

    allowed_houses: the houses the importer may import for (None: every house)."""
    report = FinanceReport(filename=filename, dry_run=dry_run)
    if len(data) > MAX_BYTES:
        report.errors.append(
            RowError(None, "", "", _("The file is larger than 5 MB. Split it into smaller files."))
        )
        return report
    rows, errors = _xlsx_rows(data) if is_xlsx(data, filename) else read_rows(data, COLUMNS)
    report.errors = errors
    report.rows = len(rows)
    houses = {h.code.lower(): h for h in session.exec(select(House))}
    group_ids = {g.code.lower(): g.id for g in session.exec(select(CostGroup))}
    current = date(today.year, today.month, 1)
    seen: dict[tuple[int, int, date], int] = {}
    parsed: list[tuple[int, int, date, Decimal]] = []
    for number, cells in rows:
        values = parse_row(number, cells, COLUMNS, report.errors)
        if values is None:
            continue
        house, group_id, ok = _house_and_group(
            number, values, houses, group_ids, allowed_houses, report.errors
        )
        if values["month"] > current:
            reason = _("The month is in the future.")
            report.errors.append(RowError(number, "month", cells.get("month", ""), reason))
            ok = False
        if not ok or house is None or group_id is None:
            continue
        assert house.id is not None
        key = (house.id, group_id, values["month"])
        if key in seen:
            reason = _("The same house, month and group are already on row %(row)s.", row=seen[key])
            report.errors.append(RowError(number, "group", values["group"], reason))
            continue
        seen[key] = number
        parsed.append((house.id, group_id, values["month"], values["amount"]))
    codes = {h.id: h.code for h in houses.values()}
    months: dict[int, set[date]] = {}
    for house_id, _group, month, _amount in parsed:
        months.setdefault(house_id, set()).add(month)
    report.months = {
        codes[h]: [m.strftime("%Y-%m") for m in sorted(ms)] for h, ms in sorted(months.items())
    }
    if report.errors or dry_run:
        report.replaced = _count_existing(session, months) if not report.errors else 0
        return report
    batch = FinanceImport(
        filename=filename[:255], channel=channel, imported_by_id=actor_id, rows=len(parsed)
    )
    session.add(batch)
    session.flush()
    _one_import_at_a_time(session)
    report.replaced = _replace(session, months, actor_id)
    batch.replaced = report.replaced
    session.add_all(
        MonthlyActual(house_id=h, cost_group_id=g, month=m, amount=a, import_id=batch.id)
        for h, g, m, a in parsed
    )
    session.flush()
    audit.record(session, actor_id, "create", batch)
    report.import_id = batch.id
    return report


# PostgreSQL advisory lock key of the finance imports ("FINIMP" in ASCII).
IMPORT_LOCK = 0x46494E494D50


def _one_import_at_a_time(session: Session) -> None:
    """Imports store one after another: a second import of the same months waits for the first
    to commit and then replaces its rows, instead of colliding with them (PostgreSQL; SQLite's
    writers already take turns). The lock ends with the transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})


def _existing(session: Session, months: dict[int, set[date]]) -> list[MonthlyActual]:
    found: list[MonthlyActual] = []
    for house_id, house_months in months.items():
        query = select(MonthlyActual).where(
            MonthlyActual.house_id == house_id, col(MonthlyActual.month).in_(sorted(house_months))
        )
        found += session.exec(query).all()
    return found


def _count_existing(session: Session, months: dict[int, set[date]]) -> int:
    return len(_existing(session, months))


def _replace(session: Session, months: dict[int, set[date]], actor_id: int | None) -> int:
    """Delete the amounts of the imported houses' months, each deletion in the audit log."""
    old = _existing(session, months)
    for actual in old:
        entry = audit.record(session, actor_id, "delete", actual, before=audit.snapshot(actual))
        entry.entity_id = str(actual.id)
    for actual in old:
        session.delete(actual)
    session.flush()
    return len(old)


def import_figures(
    session: Session,
    data: bytes,
    actor_id: int | None,
    *,
    kind: ImportKind = ImportKind.actuals,
    filename: str,
    today: date,
    dry_run: bool = False,
    channel: str = "upload",
    allowed_houses: set[int] | None = None,
) -> FinanceReport:
    """Import a file of the kind chosen: monthly actual amounts or yearly budgets."""
    handler = import_budgets if kind == ImportKind.budget else import_actuals
    return handler(
        session,
        data,
        actor_id,
        filename=filename,
        today=today,
        dry_run=dry_run,
        channel=channel,
        allowed_houses=allowed_houses,
    )


def import_budgets(
    session: Session,
    data: bytes,
    actor_id: int | None,
    *,
    filename: str,
    today: date,
    dry_run: bool = False,
    channel: str = "upload",
    allowed_houses: set[int] | None = None,
) -> FinanceReport:
    """Check a file of yearly budgets (house, year, group, amount) and, unless a dry run or in
    error, store it: the budget lines of each house's years in the file are replaced."""
    report = FinanceReport(filename=filename, dry_run=dry_run, kind=ImportKind.budget)
    if len(data) > MAX_BYTES:
        report.errors.append(
            RowError(None, "", "", _("The file is larger than 5 MB. Split it into smaller files."))
        )
        return report
    rows, errors = (
        _xlsx_rows(data, BUDGET_COLUMNS)
        if is_xlsx(data, filename)
        else read_rows(data, BUDGET_COLUMNS)
    )
    report.errors = errors
    report.rows = len(rows)
    houses = {h.code.lower(): h for h in session.exec(select(House))}
    group_ids = {g.code.lower(): g.id for g in session.exec(select(CostGroup))}
    last_year = today.year + 2
    seen: dict[tuple[int, int, int], int] = {}
    parsed: list[tuple[int, int, int, Decimal, int]] = []  # house, group, year, amount, row
    for number, cells in rows:
        values = parse_row(number, cells, BUDGET_COLUMNS, report.errors)
        if values is None:
            continue
        house, group_id, ok = _house_and_group(
            number, values, houses, group_ids, allowed_houses, report.errors
        )
        if not 2000 <= values["year"] <= last_year:
            reason = _("Enter a budget year from 2000 to %(last)s.", last=last_year)
            report.errors.append(RowError(number, "year", cells.get("year", ""), reason))
            ok = False
        if not ok or house is None or group_id is None:
            continue
        assert house.id is not None
        key = (house.id, group_id, values["year"])
        if key in seen:
            reason = _("The same house, year and group are already on row %(row)s.", row=seen[key])
            report.errors.append(RowError(number, "group", values["group"], reason))
            continue
        seen[key] = number
        parsed.append((house.id, group_id, values["year"], values["amount"], number))
    pairs = {(h, y) for h, _g, y, _a, _n in parsed}
    frozen = finance_budgets.frozen_pairs(session, pairs)
    for house_id, _group, year, _amount, number in parsed:
        if (house_id, year) in frozen:
            reason = _(
                "The budget of %(year)s has been confirmed in the budget cycle and can no "
                "longer be changed.",
                year=year,
            )
            report.errors.append(RowError(number, "year", str(year), reason))
    report.errors.sort(key=lambda e: e.row or 0)
    codes = {h.id: h.code for h in houses.values()}
    years: dict[int, set[int]] = {}
    for house_id, year in pairs:
        years.setdefault(house_id, set()).add(year)
    report.months = {codes[h]: [str(y) for y in sorted(ys)] for h, ys in sorted(years.items())}
    if report.errors or dry_run:
        report.replaced = len(_existing_lines(session, pairs)) if not report.errors else 0
        return report
    batch = FinanceImport(
        filename=filename[:255],
        channel=channel,
        kind=ImportKind.budget,
        imported_by_id=actor_id,
        rows=len(parsed),
    )
    session.add(batch)
    session.flush()
    _one_import_at_a_time(session)
    old = _existing_lines(session, pairs)
    for line in old:
        entry = audit.record(session, actor_id, "delete", line, before=audit.snapshot(line))
        entry.entity_id = str(line.id)
    for line in old:
        session.delete(line)
    session.flush()
    report.replaced = batch.replaced = len(old)
    session.add_all(
        BudgetLine(
            house_id=h,
            cost_group_id=g,
            year=y,
            amount=a,
            updated_by_id=actor_id,
            import_id=batch.id,
        )
        for h, g, y, a, _n in parsed
    )
    session.flush()
    audit.record(session, actor_id, "create", batch)
    report.import_id = batch.id
    return report


def _existing_lines(session: Session, pairs: set[tuple[int, int]]) -> list[BudgetLine]:
    """The budget lines of the given (house id, year) pairs."""
    found: list[BudgetLine] = []
    by_house: dict[int, set[int]] = {}
    for house_id, year in pairs:
        by_house.setdefault(house_id, set()).add(year)
    for house_id, years in sorted(by_house.items()):
        query = select(BudgetLine).where(
            BudgetLine.house_id == house_id, col(BudgetLine.year).in_(sorted(years))
        )
        found += session.exec(query).all()
    return found


def example(name: str) -> bytes:
    """The bytes of a downloadable example file."""
    if name not in EXAMPLES:
        raise NotFound()
    return (EXAMPLES_DIR / name).read_bytes()
