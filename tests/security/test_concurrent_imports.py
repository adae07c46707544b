"""Two imports of the same months at once: the second waits and replaces, never a 500.

The first import stores its rows and keeps its transaction open; the second, meanwhile, must not
insert beside those uncommitted rows (PostgreSQL would then refuse it on the unique key once the
first commits). It waits for the first, then replaces its rows. With committed data, on
PostgreSQL, whose rows lock one at a time (SQLite's writers take turns for the whole database).
"""

import threading
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import delete, text
from sqlmodel import Session, col, func, select

from app.db import get_engine
from app.models.audit import AuditEntry
from app.models.finances import FinanceImport, MonthlyActual
from app.models.houses import House
from app.services.finances import figures as finances_service
from app.services.finances import imports as finance_import
from tests.support import make_house

CODE = "CONC-IMP"
TODAY = date(2026, 6, 1)
FILE = (
    "house;month;group;amount\n"
    + "".join(f"{CODE};2026-0{m};heating;{m}00,00\n" for m in range(1, 6))
).encode()


@pytest.fixture()
def house(engine) -> Iterator[int]:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL: SQLite's writers already take turns for the whole database")
    with Session(get_engine()) as session:
        finances_service.ensure_default_groups(session)
        found = make_house(session, code=CODE, name="Samanaikainen")
        session.commit()
        house_id = found.id
    assert house_id is not None
    try:
        yield house_id
    finally:
        with Session(get_engine()) as session:
            session.execute(delete(MonthlyActual).where(col(MonthlyActual.house_id) == house_id))
            session.execute(delete(AuditEntry).where(col(AuditEntry.entity) == "finance_import"))
            session.execute(delete(AuditEntry).where(col(AuditEntry.entity) == "monthly_actual"))
            session.execute(
                delete(FinanceImport).where(col(FinanceImport.filename).in_(["a.csv", "b.csv"]))
            )
            session.execute(delete(House).where(col(House.id) == house_id))
            session.commit()


def test_a_second_import_of_the_same_months_waits_and_replaces(house: int) -> None:
    first = Session(get_engine())
    report = finance_import.import_actuals(first, FILE, None, filename="a.csv", today=TODAY)
    assert report.ok, report.errors
    outcome: dict[str, object] = {}

    def second_import() -> None:
        with Session(get_engine()) as session:
            try:
                found = finance_import.import_actuals(
                    session, FILE, None, filename="b.csv", today=TODAY
                )
                session.commit()
                outcome["report"] = found
            except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
                outcome["error"] = exc

    thread = threading.Thread(target=second_import)
    thread.start()
    thread.join(1.0)
    assert thread.is_alive(), "the second import did not wait for the first"
    first.commit()
    first.close()
    thread.join(30)
    assert "error" not in outcome, outcome.get("error")
    second = outcome["report"]
    assert second.ok and second.replaced == 5  # type: ignore[attr-defined]
    with Session(get_engine()) as session:
        stored = session.exec(
            select(func.count()).select_from(MonthlyActual).where(MonthlyActual.house_id == house)
        ).one()
        assert stored == 5
        assert session.execute(text("SELECT 1")).scalar_one() == 1
