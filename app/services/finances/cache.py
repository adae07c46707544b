"""A year's company-wide finance figures, computed once per change instead of once per page.

Every house finance page compares the house with its district, its age band and the company:
averages over every house's maintenance costs of the year, a sum over a year of monthly figures
of every house (270,000 rows at ten times Haso's size, about 150 ms on SQLite). Those figures
change only when an import, a budget or a house changes, so each process keeps them per year
under the `cache_revision` token for "finances":

- any flush that adds, changes or deletes a monthly figure, a budget line, a usage charge, a
  cost group or a house sets a new random token in the same transaction (`on_flush`); code
  that writes those tables with Core statements calls `changed()` itself;
- a reader reads the token in its own transaction and uses the figures cached under it, or
  computes them and keeps them under it. A rolled-back change rolls the token back with it, and
  a new token never equals an old one, so no process keeps using figures of another state;
- without a token (a database whose finance data was never changed through the application)
  nothing is cached.

Small values a house's page derives from its whole history (the cumulated result of every year,
the years with figures) are kept the same way (`memo`).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, cast

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, func, select

from app.models import BudgetLine, CacheRevision, CostGroup, House, MonthlyActual, UsageCharge
from app.models.finances import GroupKind

NAME = "finances"
WATCHED = (MonthlyActual, BudgetLine, CostGroup, House, UsageCharge)
T = TypeVar("T")
KEEP = 8  # years (and tokens) kept per process
KEEP_SMALL = 4096  # small per-house values kept per process
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class YearFigures:
    """One house's maintenance costs of a year against its budget (plain values, shareable)."""

    house_id: int
    district: str
    year_built: int
    floor_area: Decimal
    budget: Decimal
    budget_to_date: Decimal
    actual: Decimal
    months: int
    per_m2: Decimal | None


def changed(session: Session) -> None:
    """Set a new token: cached figures computed before this change are no longer used."""
    token = uuid.uuid4().hex
    dialect = session.get_bind().dialect.name
    builder: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = builder(CacheRevision).values(name=NAME, token=token)
    statement = statement.on_conflict_do_update(index_elements=["name"], set_={"token": token})
    session.connection().execute(statement)
    session.info[INFO_KEY] = token


def register() -> None:
    """Listen to every session's flushes, once per process. Called where each process starts
    (the app factory, the `portal` command, the test suite's engine), so that no writer of the
    watched tables can miss renewing the token, whichever feature it belongs to."""
    if not event.contains(OrmSession, "after_flush", on_flush):
        event.listen(OrmSession, "after_flush", on_flush)


def on_flush(session: OrmSession, _context: Any = None) -> None:
    """After every flush (see register()): a new token if the flush wrote any of the watched
    tables."""
    # Still the pre-flush state here: new, dirty and deleted name what was just written.
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, WATCHED) for obj in touched):
        changed(session)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_token(session: OrmSession, *_args: Any) -> None:
    # The next transaction reads the token again: another process may have changed it.
    session.info.pop(INFO_KEY, None)


INFO_KEY = "finance_cache_token"
_lock = threading.Lock()
_cache: OrderedDict[tuple[str, int, str], tuple[YearFigures, ...]] = OrderedDict()
# Small per-house values (a house's cumulated result, its years with figures).
_small: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def _token(session: Session) -> str | None:
    """The token of the session's transaction, read once per transaction."""
    if INFO_KEY not in session.info:
        query = select(CacheRevision.token).where(CacheRevision.name == NAME)
        session.info[INFO_KEY] = session.exec(query).first()
    token: str | None = session.info[INFO_KEY]
    return token


def _remember(
    store: OrderedDict[Any, Any], keep: int, session: Session, key: tuple[Any, ...],
    make: Callable[[], T],
) -> T:  # fmt: skip
    token = _token(session)
    if token is None:
        return make()
    full = (str(session.get_bind().engine.url), token, *key)
    with _lock:
        if full in store:
            store.move_to_end(full)
            return cast(T, store[full])
    value = make()
    with _lock:
        store[full] = value
        while len(store) > keep:
            store.popitem(last=False)
    return value


def year_figures(session: Session, year: int) -> tuple[YearFigures, ...]:
    """Every house's figures of a year, ordered by house name, from the cache when current."""
    return _remember(_cache, KEEP, session, (year,), lambda: compute(session, year))


def memo(session: Session, key: tuple[Any, ...], make: Callable[[], T]) -> T:
    """A small value derived from finance data (key names what and which house), cached."""
    return _remember(_small, KEEP_SMALL, session, key, make)


def compute(session: Session, year: int) -> tuple[YearFigures, ...]:
    """Every house's maintenance costs of a year against its budget, in two grouped queries."""
    maintenance = select(CostGroup.id).where(CostGroup.kind == GroupKind.maintenance)
    budgets: dict[int, Decimal] = dict(
        session.exec(
            select(col(BudgetLine.house_id), func.sum(col(BudgetLine.amount)))
            .where(BudgetLine.year == year, col(BudgetLine.cost_group_id).in_(maintenance))
            .group_by(col(BudgetLine.house_id))
        ).all()
    )
    actuals: dict[int, tuple[Decimal, int]] = {}
    rows = session.exec(
        select(
            MonthlyActual.house_id,
            func.sum(MonthlyActual.amount),
            func.count(func.distinct(col(MonthlyActual.month))),
        )
        .where(
            MonthlyActual.month >= date(year, 1, 1),
            MonthlyActual.month <= date(year, 12, 1),
            col(MonthlyActual.cost_group_id).in_(maintenance),
        )
        .group_by(col(MonthlyActual.house_id))
    ).all()
    for summed_house, total, months in rows:
        actuals[summed_house] = (Decimal(total or 0).quantize(CENT), int(months))
    houses = session.exec(
        select(
            col(House.id), col(House.district), col(House.year_built), col(House.floor_area)
        ).order_by(col(House.name))
    ).all()
    result = []
    for hid, district, year_built, floor_area in houses:
        assert hid is not None
        house_id: int = hid
        budget = Decimal(budgets.get(house_id) or 0).quantize(CENT)
        actual, months = actuals.get(house_id, (ZERO, 0))
        result.append(
            YearFigures(
                house_id,
                district,
                year_built,
                floor_area,
                budget,
                (budget * months / 12).quantize(CENT),
                actual,
                months,
                per_m2_month(actual, floor_area, months),
            )
        )
    return tuple(result)


def per_m2_month(amount: Decimal, floor_area: Decimal, months: int) -> Decimal | None:
    """An amount as € per m² of floor area per month, to the cent (None without months)."""
    if months <= 0 or floor_area <= 0:
        return None
    return (amount / floor_area / months).quantize(CENT)
