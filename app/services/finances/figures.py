"""House finances: the cost groups, a house's year against its budget, the year-end statement,
the company and district comparisons and the management overview."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models.finances import BudgetLine, CostGroup, GroupKind, MonthlyActual, UsageCharge
from app.models.houses import House
from app.services.finances import cache as finance_cache
from app.services.finances.cache import per_m2_month
from app.services.platform import audit

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# ARA's thirteen standard maintenance cost groups, then capital costs and the usage-charge income.
DEFAULT_GROUPS: tuple[tuple[str, str, str, str, GroupKind], ...] = (
    ("staff", "Henkilöstökulut", "Personalkostnader", "Staff", GroupKind.maintenance),
    ("admin", "Hallinto", "Förvaltning", "Administration", GroupKind.maintenance),
    (
        "operation",
        "Käyttö ja huolto",
        "Drift och underhåll",
        "Operation and maintenance",
        GroupKind.maintenance,
    ),
    (
        "outdoor",
        "Ulkoalueiden hoito",
        "Skötsel av utomhusområden",
        "Outdoor areas",
        GroupKind.maintenance,
    ),
    ("cleaning", "Siivous", "Städning", "Cleaning", GroupKind.maintenance),
    ("heating", "Lämmitys", "Uppvärmning", "Heating", GroupKind.maintenance),
    (
        "water",
        "Vesi ja jätevesi",
        "Vatten och avlopp",
        "Water and wastewater",
        GroupKind.maintenance,
    ),
    ("energy", "Sähkö ja kaasu", "El och gas", "Electricity and gas", GroupKind.maintenance),
    ("waste", "Jätehuolto", "Avfallshantering", "Waste management", GroupKind.maintenance),
    (
        "insurance",
        "Vahinkovakuutukset",
        "Egendomsförsäkringar",
        "Property insurance",
        GroupKind.maintenance,
    ),
    (
        "rents",
        "Vuokrat (ml. maanvuokra)",
        "Hyror (inkl. tomthyra)",
        "Rents incl. land lease",
        GroupKind.maintenance,
    ),
    ("tax", "Kiinteistövero", "Fastighetsskatt", "Property tax", GroupKind.maintenance),
    (
        "repairs",
        "Korjaukset ja muut kulut",
        "Reparationer och övriga kostnader",
        "Repairs and other costs",
        GroupKind.maintenance,
    ),
    ("capital", "Pääomakulut", "Kapitalkostnader", "Capital costs", GroupKind.capital),
    (
        "charges",
        "Käyttövastiketulot",
        "Bruksvederlagsintäkter",
        "Usage-charge income",
        GroupKind.income,
    ),
)


def ensure_default_groups(session: Session, actor_id: int | None = None) -> int:
    """Add the standard cost groups that are missing (by code); the number added."""
    existing = set(session.exec(select(CostGroup.code)).all())
    added = 0
    for position, (code, fi, sv, en, kind) in enumerate(DEFAULT_GROUPS, start=1):
        if code in existing:
            continue
        group = CostGroup(
            code=code, name_fi=fi, name_sv=sv, name_en=en, kind=kind, position=position
        )
        session.add(group)
        session.flush()
        audit.record(session, actor_id, "create", group)
        added += 1
    return added


def groups(session: Session) -> list[CostGroup]:
    """The active cost groups in their order."""
    query = (
        select(CostGroup)
        .where(col(CostGroup.active))
        .order_by(col(CostGroup.position), col(CostGroup.id))
    )
    return list(session.exec(query).all())


def all_groups(session: Session) -> list[CostGroup]:
    """Every cost group, hidden ones too, in their order."""
    query = select(CostGroup).order_by(col(CostGroup.position), col(CostGroup.id))
    return list(session.exec(query).all())


def get_group(session: Session, group_id: int) -> CostGroup:
    """A cost group, or NotFound."""
    group = session.get(CostGroup, group_id)
    if group is None:
        raise NotFound()
    return group


@dataclass
class GroupYear:
    """One cost group of a house in a year."""

    group: CostGroup
    budget: Decimal | None
    months: list[Decimal | None]  # January..December, None: no figure
    actual: Decimal = ZERO

    @property
    def deviation(self) -> Decimal | None:
        """Actual to date minus the budget (positive: over budget)."""
        return None if self.budget is None else self.actual - self.budget


@dataclass
class HouseYear:
    """A house's year: budget and actuals per group, the statement's figures."""

    house: House
    year: int
    rows: list[GroupYear]
    months_with_figures: int
    charges: list[UsageCharge] = field(default_factory=list)
    charged: Decimal = ZERO  # usage charges billed in the year
    cumulated: Decimal = ZERO  # surplus (+) or deficit (-) of every year up to this one

    def total(self, kind: GroupKind, what: str = "actual") -> Decimal:
        """The sum of actuals (or budgets) over the groups of a kind."""
        values = [getattr(r, what) for r in self.rows if r.group.kind == kind]
        return sum((v for v in values if v is not None), ZERO)

    @property
    def costs(self) -> Decimal:
        """Maintenance and capital costs of the year to date."""
        return self.total(GroupKind.maintenance) + self.total(GroupKind.capital)

    @property
    def result(self) -> Decimal:
        """The year's surplus (+) or deficit (-): charged minus costs."""
        return self.charged - self.costs

    @property
    def maintenance_per_m2(self) -> Decimal | None:
        """Maintenance costs per m² per month over the months that have figures."""
        return per_m2_month(
            self.total(GroupKind.maintenance), self.house.floor_area, self.months_with_figures
        )

    @property
    def has_figures(self) -> bool:
        """Whether any figure or budget exists for the year."""
        return self.months_with_figures > 0 or any(r.budget is not None for r in self.rows)


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def usage_charges(session: Session, house_id: int) -> list[UsageCharge]:
    """A house's usage charges, newest first."""
    query = (
        select(UsageCharge)
        .where(UsageCharge.house_id == house_id)
        .order_by(col(UsageCharge.effective_from).desc())
    )
    return list(session.exec(query).all())


def charge_on(charges: list[UsageCharge], day: date) -> Decimal | None:
    """The usage charge (€/m²/month) in effect on a day."""
    for charge in charges:  # newest first
        if charge.effective_from <= day:
            return charge.amount
    return None


def billed(charges: list[UsageCharge], floor_area: Decimal, year: int, months: int) -> Decimal:
    """Usage charges billed for the first `months` months of a year: charge × floor area."""
    total = ZERO
    for month in range(1, months + 1):
        amount = charge_on(charges, _month_start(year, month))
        if amount is not None:
            total += (amount * floor_area).quantize(CENT)
    return total


def house_year(session: Session, house: House, year: int) -> HouseYear:
    """A house's budget and actuals per group for a year, with the year-end statement."""
    assert house.id is not None
    budgets: dict[int, Decimal] = dict(
        session.exec(
            select(col(BudgetLine.cost_group_id), col(BudgetLine.amount)).where(
                BudgetLine.house_id == house.id, BudgetLine.year == year
            )
        ).all()
    )
    monthly: dict[int, list[Decimal | None]] = defaultdict(lambda: [None] * 12)
    months_seen: set[int] = set()
    query = select(
        col(MonthlyActual.cost_group_id), col(MonthlyActual.month), col(MonthlyActual.amount)
    ).where(
        MonthlyActual.house_id == house.id,
        MonthlyActual.month >= date(year, 1, 1),
        MonthlyActual.month <= date(year, 12, 1),
    )
    for group_id, month, amount in session.exec(query):
        monthly[group_id][month.month - 1] = amount
        months_seen.add(month.month)
    rows = []
    for group in groups(session):
        assert group.id is not None
        months = monthly[group.id]
        total = sum((m for m in months if m is not None), ZERO)
        rows.append(GroupYear(group, budgets.get(group.id), months, total))
    charges = usage_charges(session, house.id)
    result = HouseYear(house, year, rows, len(months_seen), charges)
    result.charged = billed(charges, house.floor_area, year, max(months_seen, default=0))
    result.cumulated = finance_cache.memo(
        session, ("cumulated", house.id, year), lambda: _cumulated(session, house, year, charges)
    )
    return result


def _cumulated(session: Session, house: House, year: int, charges: list[UsageCharge]) -> Decimal:
    """Surplus or deficit of every year with figures up to and including `year`."""
    cost_groups = select(CostGroup.id).where(
        col(CostGroup.kind).in_((GroupKind.maintenance, GroupKind.capital))
    )
    costs_of_month = func.sum(
        case(
            (col(MonthlyActual.cost_group_id).in_(cost_groups), col(MonthlyActual.amount)),
            else_=0,
        )
    )
    # One row a month (sixty for five years) instead of every figure of every year.
    months = session.exec(
        select(col(MonthlyActual.month), costs_of_month)
        .where(MonthlyActual.house_id == house.id, MonthlyActual.month <= date(year, 12, 1))
        .group_by(col(MonthlyActual.month))
    ).all()
    per_year: dict[int, tuple[Decimal, int]] = {}
    for month, total in months:
        costs, last = per_year.get(month.year, (ZERO, 0))
        costs += Decimal(total or 0).quantize(CENT)
        per_year[month.year] = (costs, max(last, month.month))
    return sum(
        (
            billed(charges, house.floor_area, y, last) - costs
            for y, (costs, last) in per_year.items()
        ),
        ZERO,
    )


def years_with_figures(session: Session, house_id: int | None = None) -> list[int]:
    """The years that have actuals or budgets, newest first."""
    years = finance_cache.memo(
        session, ("years", house_id), lambda: tuple(_years_with_figures(session, house_id))
    )
    return list(years)


def _years_with_figures(session: Session, house_id: int | None) -> list[int]:
    budget_query = select(col(BudgetLine.year)).distinct()
    actual_query = select(col(MonthlyActual.month))
    if house_id is not None:
        budget_query = budget_query.where(BudgetLine.house_id == house_id)
        actual_query = actual_query.where(MonthlyActual.house_id == house_id)
    years = set(session.exec(budget_query).all())
    first = session.exec(select(func.min(actual_query.subquery().c.month))).one()
    last = session.exec(select(func.max(actual_query.subquery().c.month))).one()
    if first and last:
        years |= set(range(first.year, last.year + 1))
    return sorted(years, reverse=True)
