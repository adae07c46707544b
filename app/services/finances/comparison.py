"""Houses side by side: each house's year summed, sorted by how far it is from its budget, compared
with houses of its district and age, and the company's totals."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models.finances import UsageCharge
from app.models.houses import House
from app.services.finances import cache as finance_cache
from app.services.finances.figures import CENT, ZERO


@dataclass
class HouseSummary:
    """One house's year in a line: budget, actuals, €/m²/month and the deviation."""

    house: House
    budget: Decimal
    budget_to_date: Decimal
    actual: Decimal
    months: int
    per_m2: Decimal | None

    @property
    def deviation(self) -> Decimal:
        """Actual minus the budget of the months with figures."""
        return self.actual - self.budget_to_date

    @property
    def deviation_percent(self) -> Decimal | None:
        """The deviation as a percentage of the budget to date."""
        if not self.budget_to_date:
            return None
        return (self.deviation * 100 / self.budget_to_date).quantize(Decimal("0.1"))


def summaries(session: Session, year: int) -> list[HouseSummary]:
    """Every house's maintenance costs of a year against its budget, ordered by house name."""
    houses = {h.id: h for h in session.exec(select(House))}
    return [
        HouseSummary(houses[f.house_id], f.budget, f.budget_to_date, f.actual, f.months, f.per_m2)
        for f in finance_cache.year_figures(session, year)
        if f.house_id in houses
    ]


def by_deviation(rows: list[HouseSummary]) -> list[HouseSummary]:
    """Largest relative deviation from the budget first; houses without a budget last."""

    def key(row: HouseSummary) -> tuple[bool, Decimal]:
        percent = row.deviation_percent
        return (percent is None, -abs(percent) if percent is not None else Decimal(0))

    return sorted(rows, key=key)


# Age bands by the year a house was built: (first year, last year), None for open ends.
AGE_BANDS: tuple[tuple[int | None, int | None], ...] = (
    (None, 1979),
    (1980, 1999),
    (2000, 2009),
    (2010, None),
)


def age_band(year_built: int) -> tuple[int | None, int | None]:
    """The age band a house built in a year belongs to."""
    for first, last in AGE_BANDS:
        if (first is None or year_built >= first) and (last is None or year_built <= last):
            return first, last
    raise ValueError(year_built)  # the bands cover every year


@dataclass
class Comparison:
    """€/m²/month of maintenance costs: the house, similar houses and the company."""

    house: Decimal | None
    district: Decimal | None
    company: Decimal | None
    district_houses: int
    company_houses: int
    age_band: tuple[int | None, int | None] = (None, None)
    age: Decimal | None = None  # the average of houses in the same age band
    age_houses: int = 0


def _average(values: list[Decimal]) -> Decimal | None:
    return (sum(values, ZERO) / len(values)).quantize(CENT) if values else None


def comparison(session: Session, house: House, year: int, min_group: int = 1) -> Comparison:
    """The house against the average of houses in its district, in its age band and of the
    company (each over the houses with figures in the year). An average over fewer than
    min_group houses is left out (None, its count kept): it would single a house out."""
    rows = [r for r in finance_cache.year_figures(session, year) if r.per_m2]
    district = [r.per_m2 for r in rows if r.district == house.district and r.per_m2]
    band = age_band(house.year_built)
    same_age = [r.per_m2 for r in rows if age_band(r.year_built) == band and r.per_m2]
    everyone = [r.per_m2 for r in rows if r.per_m2]
    own = next((r.per_m2 for r in rows if r.house_id == house.id), None)

    def shown(values: list[Decimal]) -> Decimal | None:
        return _average(values) if len(values) >= min_group else None

    return Comparison(
        own,
        shown(district),
        shown(everyone),
        len(district),
        len(everyone),
        band,
        shown(same_age),
        len(same_age),
    )


@dataclass
class CompanyTotals:
    """Company-level figures without any house's row (what Haso-yte sees)."""

    houses: int
    floor_area: Decimal
    budget: Decimal
    actual: Decimal
    average_per_m2: Decimal | None
    average_charge: Decimal | None


def company_totals(session: Session, year: int, today: date) -> CompanyTotals:
    """Totals and averages over every house with figures in a year."""
    rows = [r for r in finance_cache.year_figures(session, year) if r.months or r.budget]
    # Every house's charge in effect on the day, in one query: the newest charge per house that
    # starts on or before the day (charges of houses without one are simply absent).
    day = min(today, date(year, 12, 31))
    latest = (
        select(UsageCharge.house_id, func.max(UsageCharge.effective_from).label("since"))
        .where(UsageCharge.effective_from <= day)
        .group_by(col(UsageCharge.house_id))
        .subquery()
    )
    charges = list(
        session.exec(
            select(col(UsageCharge.amount)).join(
                latest,
                (col(UsageCharge.house_id) == latest.c.house_id)
                & (col(UsageCharge.effective_from) == latest.c.since),
            )
        ).all()
    )
    return CompanyTotals(
        len(rows),
        sum((r.floor_area for r in rows), Decimal(0)),
        sum((r.budget for r in rows), ZERO),
        sum((r.actual for r in rows), ZERO),
        _average([r.per_m2 for r in rows if r.per_m2 is not None]),
        _average(charges),
    )
