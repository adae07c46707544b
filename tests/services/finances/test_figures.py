"""House finances: cost groups, the import of monthly figures, sums and €/m² figures."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlmodel import col, select

from app.models.audit import AuditEntry
from app.models.finances import (
    BudgetLine,
    CostGroup,
    CycleStep,
    FinanceImport,
    ImportKind,
    MonthlyActual,
)
from app.models.houses import House
from app.models.types import utcnow
from app.services.finances import budget_cycle
from app.services.finances import comparison as comparison_service
from app.services.finances import entries as finance_entries
from app.services.finances import figures as finances_service
from app.services.finances import imports as finance_import
from tests.support import fi, make_house, make_person

TODAY = date(2026, 6, 15)


def _csv(*rows: str) -> bytes:
    return ("\ufeffhouse;month;group;amount\r\n" + "\r\n".join(rows) + "\r\n").encode("utf-8")


def _amounts(session, house):
    found = session.exec(select(MonthlyActual).where(MonthlyActual.house_id == house.id))
    return {(a.month.strftime("%Y-%m"), a.cost_group_id): a.amount for a in found}


def test_default_groups_are_fifteen_and_idempotent(session):
    assert finances_service.ensure_default_groups(session) == 15
    assert finances_service.ensure_default_groups(session) == 0
    heating = session.exec(select(CostGroup).where(CostGroup.code == "heating")).one()
    assert (heating.name("fi"), heating.name("sv"), heating.name("en")) == (
        "Lämmitys",
        "Uppvärmning",
        "Heating",
    )


def test_a_valid_csv_is_stored_with_its_source(session, groups):
    house = make_house(session, code="KAL-1")
    person = make_person(session)
    report = finance_import.import_actuals(
        session,
        _csv("KAL-1;2026-01;heating;4 512,40", "kal-1;2026-02;cleaning;1180.5"),
        person.id,
        filename="jan.csv",
        today=TODAY,
    )
    assert report.ok and report.rows == 2 and report.months == {"KAL-1": ["2026-01", "2026-02"]}
    assert _amounts(session, house) == {
        ("2026-01", groups["heating"].id): Decimal("4512.40"),
        ("2026-02", groups["cleaning"].id): Decimal("1180.50"),
    }
    batch = session.get(FinanceImport, report.import_id)
    assert batch.filename == "jan.csv" and batch.imported_by_id == person.id and batch.rows == 2
    sources = {a.import_id for a in session.exec(select(MonthlyActual))}
    assert sources == {batch.id}


def test_every_error_is_reported_and_nothing_is_stored(session, groups):
    make_house(session, code="KAL-1")
    report = finance_import.import_actuals(
        session,
        _csv(
            "NOPE;2026-01;heating;10",  # 2: unknown house
            "KAL-1;2026-01;nosuch;10",  # 3: unknown group
            "KAL-1;2026-01;heating;12,3x",  # 4: bad number
            "KAL-1;2026-07;heating;10",  # 5: future month
            "KAL-1;2026-02;water;10",  # 6: fine
            "KAL-1;2026-02;water;11",  # 7: duplicate of row 6
            "KAL-1;2026-13;water;11",  # 8: no such month
        ),
        None,
        filename="bad.csv",
        today=TODAY,
    )
    assert not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (2, "house"),
        (3, "group"),
        (4, "amount"),
        (5, "month"),
        (7, "group"),
        (8, "month"),
    }
    duplicate = next(e for e in report.errors if e.row == 7)
    assert "6" in duplicate.reason
    assert session.exec(select(MonthlyActual)).all() == []
    assert session.exec(select(FinanceImport)).all() == []


def test_a_dry_run_stores_nothing(session, groups):
    make_house(session, code="KAL-1")
    report = finance_import.import_actuals(
        session, _csv("KAL-1;2026-01;heating;10"), None, filename="a.csv", today=TODAY, dry_run=True
    )
    assert report.ok and report.dry_run
    assert session.exec(select(MonthlyActual)).all() == []


def test_reimport_replaces_the_same_months_only_and_audits_them(session, groups):
    house = make_house(session, code="KAL-1")
    other = make_house(session, code="KAL-2")
    first = _csv(
        "KAL-1;2026-01;heating;100",
        "KAL-1;2026-01;water;50",
        "KAL-1;2026-02;heating;90",
        "KAL-2;2026-01;heating;70",
    )
    finance_import.import_actuals(session, first, None, filename="1.csv", today=TODAY)
    report = finance_import.import_actuals(
        session, _csv("KAL-1;2026-01;heating;120"), None, filename="2.csv", today=TODAY
    )
    assert report.ok and report.replaced == 2
    heating = groups["heating"].id
    # January of KAL-1 is the new file's: its water amount is gone with the replaced month.
    assert _amounts(session, house) == {
        ("2026-01", heating): Decimal("120.00"),
        ("2026-02", heating): Decimal("90.00"),
    }
    assert _amounts(session, other) == {("2026-01", heating): Decimal("70.00")}
    deleted = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "monthly_actual", AuditEntry.action == "delete"
        )
    ).all()
    assert sorted(e.before["amount"] for e in deleted) == ["100.00", "50.00"]
    assert session.get(FinanceImport, report.import_id).replaced == 2


def test_a_manager_may_import_only_own_houses(session, groups):
    own = make_house(session, code="OWN")
    make_house(session, code="ELSE")
    report = finance_import.import_actuals(
        session,
        _csv("OWN;2026-01;heating;1", "ELSE;2026-01;heating;1"),
        None,
        filename="m.csv",
        today=TODAY,
        allowed_houses={own.id},
    )
    assert [(e.row, e.column) for e in report.errors] == [(3, "house")]


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["house", "month", "group", "amount"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_is_read_with_numbers_and_dates(session, groups):
    house = make_house(session, code="KAL-1")
    data = _xlsx(
        [
            ["KAL-1", "2026-01", "heating", 4512.4],
            ["KAL-1", date(2026, 2, 1), "heating", 3000],
            ["KAL-1", "2026-03", "heating", "1 234,56"],
        ]
    )
    report = finance_import.import_actuals(session, data, None, filename="a.xlsx", today=TODAY)
    assert report.ok, report.errors
    assert sorted(_amounts(session, house).values()) == [
        Decimal("1234.56"),
        Decimal("3000.00"),
        Decimal("4512.40"),
    ]


def test_xlsx_errors_name_the_rows(session, groups):
    make_house(session, code="KAL-1")
    data = _xlsx([["KAL-1", "2026-01", "heating", "abc"], ["X", "2026-01", "heating", 1]])
    report = finance_import.import_actuals(session, data, None, filename="a.xlsx", today=TODAY)
    assert {(e.row, e.column) for e in report.errors} == {(2, "amount"), (3, "house")}


def test_a_broken_workbook_is_refused(session, groups):
    report = finance_import.import_actuals(
        session, b"PK\x03\x04garbage", None, filename="a.xlsx", today=TODAY
    )
    assert not report.ok and report.errors[0].row is None


def test_the_example_files_import_cleanly(session, groups):
    make_house(session, code="HASO-001", floor_area=Decimal("3984.8"))
    make_house(session, code="HASO-002", floor_area=Decimal("3251.8"))
    for name in ("finance_actuals.csv", "finance_actuals.xlsx"):
        report = finance_import.import_actuals(
            session, finance_import.example(name), None, filename=name, today=TODAY, dry_run=True
        )
        assert report.ok, (name, report.errors)
        assert report.rows == 9


def test_house_year_sums_and_per_m2_figures(session, groups):
    # 2 000 m²; January 3 000 + 1 000, February 5 000 (maintenance), capital 2 000 a month.
    house = make_house(session, code="KAL-1", floor_area=Decimal("2000.0"))
    finance_import.import_actuals(
        session,
        _csv(
            "KAL-1;2026-01;heating;3000",
            "KAL-1;2026-01;cleaning;1000",
            "KAL-1;2026-02;heating;5000",
            "KAL-1;2026-01;capital;2000",
            "KAL-1;2026-02;capital;2000",
            "KAL-1;2025-12;heating;7000",
        ),
        None,
        filename="x.csv",
        today=TODAY,
    )
    finance_entries.set_budget(
        session, house.id, 2026, {"heating": Decimal("36000"), "cleaning": Decimal("12000")}, None
    )
    finance_entries.set_usage_charge(session, house.id, date(2025, 1, 1), Decimal("3.00"), None)
    finance_entries.set_usage_charge(session, house.id, date(2026, 2, 1), Decimal("4.50"), None)
    year = finances_service.house_year(session, house, 2026)
    rows = {r.group.code: r for r in year.rows}
    assert rows["heating"].actual == Decimal("8000.00")
    assert rows["heating"].months[:3] == [Decimal("3000.00"), Decimal("5000.00"), None]
    assert rows["heating"].deviation == Decimal("-28000.00")
    assert year.months_with_figures == 2
    # (3 000 + 1 000 + 5 000) / 2 000 m² / 2 months = 2,25 €/m²/month
    assert year.maintenance_per_m2 == Decimal("2.25")
    # Billed: January 3,00 × 2 000 + February 4,50 × 2 000 = 15 000; costs 9 000 + 4 000.
    assert year.charged == Decimal("15000.00")
    assert year.costs == Decimal("13000.00")
    assert year.result == Decimal("2000.00")
    # 2025 is billed up to its last month with figures (December): 3,00 × 2 000 × 12 - 7 000.
    assert year.cumulated == Decimal("2000.00") + Decimal("65000.00")


def test_overview_puts_the_largest_deviation_first(session, groups):
    calm = make_house(session, code="CALM", name="Aalto", floor_area=Decimal("1000.0"))
    wild = make_house(session, code="WILD", name="Böle", floor_area=Decimal("1000.0"))
    make_house(session, code="NONE", name="Cecilia")
    finance_import.import_actuals(
        session,
        _csv("CALM;2026-01;heating;1050", "WILD;2026-01;heating;2000"),
        None,
        filename="x.csv",
        today=TODAY,
    )
    for house in (calm, wild):
        finance_entries.set_budget(session, house.id, 2026, {"heating": Decimal("12000")}, None)
    rows = comparison_service.by_deviation(comparison_service.summaries(session, 2026))
    assert [r.house.code for r in rows][:2] == ["WILD", "CALM"]
    assert rows[0].budget_to_date == Decimal("1000.00")
    assert rows[0].deviation_percent == Decimal("100.0")
    assert rows[1].deviation_percent == Decimal("5.0")
    assert rows[0].per_m2 == Decimal("2.00")
    assert rows[-1].house.code == "NONE" and rows[-1].deviation_percent is None


def test_comparison_and_company_totals(session, groups):
    a = make_house(session, code="A", district="Kallio", floor_area=Decimal("1000.0"))
    make_house(session, code="B", district="Kallio", floor_area=Decimal("1000.0"))
    make_house(session, code="C", district="Vuosaari", floor_area=Decimal("1000.0"))
    finance_import.import_actuals(
        session,
        _csv("A;2026-01;heating;2000", "B;2026-01;heating;4000", "C;2026-01;heating;9000"),
        None,
        filename="x.csv",
        today=TODAY,
    )
    finance_entries.set_usage_charge(session, a.id, date(2026, 1, 1), Decimal("11.00"), None)
    found = comparison_service.comparison(session, a, 2026)
    assert (found.house, found.district, found.company) == (
        Decimal("2.00"),
        Decimal("3.00"),
        Decimal("5.00"),
    )
    totals = comparison_service.company_totals(session, 2026, TODAY)
    assert totals.houses == 3 and totals.actual == Decimal("15000.00")
    assert totals.average_per_m2 == Decimal("5.00")
    assert totals.average_charge == Decimal("11.00")


def test_budget_and_charge_changes_are_audited(session, groups):
    house = make_house(session)
    finance_entries.set_budget(session, house.id, 2026, {"heating": Decimal("100")}, None)
    finance_entries.set_budget(session, house.id, 2026, {"heating": Decimal("120")}, None)
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "budget_line").order_by(col(AuditEntry.id))
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert Decimal(entries[1].before["amount"]) == Decimal("100")
    assert Decimal(entries[1].after["amount"]) == Decimal("120")


def test_company_totals_read_the_usage_charges_in_one_query(session, groups):
    from sqlalchemy import event

    a = make_house(session, code="QA", floor_area=Decimal("1000.0"))
    b = make_house(session, code="QB", floor_area=Decimal("1000.0"))
    make_house(session, code="QC", floor_area=Decimal("1000.0"))  # no charge at all
    for day, amount in ((date(2025, 1, 1), "10.00"), (date(2026, 3, 1), "11.00")):
        finance_entries.set_usage_charge(session, a.id, day, Decimal(amount), None)
    # Not yet in effect on TODAY: must not count.
    finance_entries.set_usage_charge(session, a.id, date(2026, 9, 1), Decimal("15.00"), None)
    finance_entries.set_usage_charge(session, b.id, date(2024, 3, 1), Decimal("9.00"), None)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if "usage_charge" in statement:
            statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        totals = comparison_service.company_totals(session, 2026, TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert totals.average_charge == Decimal("10.00")
    assert len(statements) == 1
    # A past year reads the charge in effect at its end.
    assert comparison_service.company_totals(session, 2025, TODAY).average_charge == Decimal("9.50")


@pytest.mark.parametrize(
    ("built", "band"),
    [
        (1800, (None, 1979)),
        (1979, (None, 1979)),
        (1980, (1980, 1999)),
        (1999, (1980, 1999)),
        (2000, (2000, 2009)),
        (2009, (2000, 2009)),
        (2010, (2010, None)),
        (2100, (2010, None)),
    ],
)
def test_age_bands_cover_every_year(built, band):
    assert comparison_service.age_band(built) == band


def test_comparison_with_houses_of_the_same_age_band(session, groups):
    old = make_house(
        session, code="OLD", district="Kallio", year_built=1975, floor_area=Decimal("1000.0")
    )
    make_house(
        session, code="OLD2", district="Vuosaari", year_built=1962, floor_area=Decimal("1000.0")
    )
    make_house(
        session, code="NEW", district="Kallio", year_built=2015, floor_area=Decimal("1000.0")
    )
    make_house(session, code="OLD3", year_built=1970, floor_area=Decimal("1000.0"))  # no figures
    finance_import.import_actuals(
        session,
        _csv("OLD;2026-01;heating;2000", "OLD2;2026-01;heating;5000", "NEW;2026-01;heating;8000"),
        None,
        filename="x.csv",
        today=TODAY,
    )
    found = comparison_service.comparison(session, old, 2026)
    assert found.age_band == (None, 1979)
    assert (found.age, found.age_houses) == (Decimal("3.50"), 2)
    assert (found.district, found.district_houses) == (Decimal("5.00"), 2)
    assert (found.company, found.company_houses) == (Decimal("5.00"), 3)


def _budget_csv(*rows: str) -> bytes:
    return ("\ufeffhouse;year;group;amount\r\n" + "\r\n".join(rows) + "\r\n").encode("utf-8")


def _budget(session, house):
    found = session.exec(select(BudgetLine).where(BudgetLine.house_id == house.id))
    return {(line.year, line.cost_group_id): line.amount for line in found}


def test_a_budget_file_is_stored_and_a_reimport_replaces_the_same_years(session, groups):
    a = make_house(session, code="BUD-A")
    b = make_house(session, code="BUD-B")
    person = make_person(session)
    finance_entries.set_budget(session, a.id, 2025, {"heating": Decimal("90000")}, None)
    first = finance_import.import_figures(
        session,
        _budget_csv(
            "BUD-A;2026;heating;100 000", "BUD-A;2026;water;4000,50", "BUD-B;2026;heating;7"
        ),
        person.id,
        kind=ImportKind.budget,
        filename="budget.csv",
        today=TODAY,
    )
    assert first.ok and first.kind == ImportKind.budget and first.replaced == 0
    assert first.months == {"BUD-A": ["2026"], "BUD-B": ["2026"]}
    batch = session.get(FinanceImport, first.import_id)
    assert batch.kind == ImportKind.budget and batch.imported_by_id == person.id
    second = finance_import.import_figures(
        session,
        _budget_csv("BUD-A;2026;heating;110000"),
        person.id,
        kind=ImportKind.budget,
        filename="budget2.csv",
        today=TODAY,
    )
    assert second.ok and second.replaced == 2  # BUD-A's two lines of 2026
    assert _budget(session, a) == {
        (2025, groups["heating"].id): Decimal("90000.00"),  # another year: kept
        (2026, groups["heating"].id): Decimal("110000.00"),
    }
    assert _budget(session, b) == {(2026, groups["heating"].id): Decimal("7.00")}  # untouched
    line = session.exec(
        select(BudgetLine).where(BudgetLine.house_id == a.id, BudgetLine.year == 2026)
    ).one()
    assert line.import_id == second.import_id
    deleted = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "budget_line", AuditEntry.action == "delete")
    ).all()
    assert sorted(Decimal(e.before["amount"]) for e in deleted) == [
        Decimal("4000.50"),
        Decimal("100000.00"),
    ]


def test_a_budget_file_with_errors_stores_nothing(session, groups):
    house = make_house(session, code="BUD-C")
    cycle = budget_cycle.start(session, 2027, None, TODAY)
    confirmed = next(c for c in cycle if c.house_id == house.id)
    confirmed.confirmed_at, confirmed.step = utcnow(), CycleStep.confirmed
    session.add(confirmed)
    session.flush()
    report = finance_import.import_figures(
        session,
        _budget_csv(
            "BUD-C;2026;heating;100",
            "NOPE;2026;heating;100",
            "BUD-C;26;heating;100",
            "BUD-C;2040;heating;100",
            "BUD-C;2026;nosuch;100",
            "BUD-C;2026;heating;200",
            "BUD-C;2027;heating;300",
        ),
        None,
        kind=ImportKind.budget,
        filename="bad.csv",
        today=TODAY,
    )
    assert not report.ok and report.import_id is None
    by_row = {(e.row, e.column) for e in report.errors}
    assert by_row == {
        (3, "house"),
        (4, "year"),
        (5, "year"),
        (6, "group"),
        (7, "group"),  # the same house, year and group as row 2
        (8, "year"),  # 2027 is confirmed in the budget cycle: frozen
    }
    frozen = fi(
        "The budget of %(year)s has been confirmed in the budget cycle and can no longer be "
        "changed.",
        year=2027,
    )
    assert [e.reason for e in report.errors if e.row == 8] == [frozen]
    assert _budget(session, house) == {}


def test_a_budget_xlsx_is_read_and_houses_are_limited(session, groups):
    mine = make_house(session, code="BUD-M")
    make_house(session, code="BUD-O")
    book = Workbook()
    sheet = book.active
    sheet.append(["house", "year", "group", "amount"])
    sheet.append(["BUD-M", 2026, "heating", 1234.5])
    sheet.append(["BUD-O", 2026, "heating", 99])
    out = io.BytesIO()
    book.save(out)
    limited = finance_import.import_figures(
        session,
        out.getvalue(),
        None,
        kind=ImportKind.budget,
        filename="b.xlsx",
        today=TODAY,
        allowed_houses={mine.id},
    )
    assert [(e.row, e.column) for e in limited.errors] == [(3, "house")]
    ok = finance_import.import_figures(
        session, out.getvalue(), None, kind=ImportKind.budget, filename="b.xlsx", today=TODAY
    )
    assert ok.ok and _budget(session, mine) == {(2026, groups["heating"].id): Decimal("1234.50")}


def test_the_example_budget_file_imports_cleanly(session, groups):
    for code in ("HASO-001", "HASO-002"):
        if not session.exec(select(House).where(House.code == code)).first():
            make_house(session, code=code)
    report = finance_import.import_figures(
        session,
        finance_import.example("finance_budget.csv"),
        None,
        kind=ImportKind.budget,
        filename="finance_budget.csv",
        today=date(2026, 12, 1),
        dry_run=True,
    )
    assert report.ok and report.rows == 7, report.errors
    xlsx = finance_import.import_figures(
        session,
        finance_import.example("finance_budget.xlsx"),
        None,
        kind=ImportKind.budget,
        filename="finance_budget.xlsx",
        today=date(2026, 12, 1),
        dry_run=True,
    )
    assert xlsx.ok and xlsx.rows == 7, xlsx.errors
