"""A house's yearly budget per cost group as the budget cycle proposes it: the form's pre-filled
amounts, checking them, storing them as budget lines and freezing them once confirmed."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import ValidationFailed
from app.i18n import _, get_language
from app.models.finances import BudgetCycle, BudgetLine, CostGroup, MonthlyActual
from app.models.houses import House
from app.models.types import utcnow
from app.services.finances import figures as finances_service
from app.services.platform import audit
from app.services.platform.csv_reading import BadCell, parse_decimal

LIMIT = Decimal("9999999999.99")  # what Numeric(12, 2) holds


def field_name(group: CostGroup) -> str:
    """The form field of a cost group's proposed amount."""
    return f"budget_{group.id}"


def is_frozen(session: Session, house_id: int, year: int) -> bool:
    """Whether management has confirmed the house's budget of the year in its budget cycle."""
    found = session.exec(
        select(BudgetCycle.id).where(
            BudgetCycle.house_id == house_id,
            BudgetCycle.year == year,
            col(BudgetCycle.confirmed_at).is_not(None),
        )
    ).first()
    return found is not None


def frozen_pairs(session: Session, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of (house id, year) pairs, those whose budget has been confirmed."""
    if not pairs:
        return set()
    years = sorted({year for _house, year in pairs})
    found = session.exec(
        select(BudgetCycle.house_id, BudgetCycle.year).where(
            col(BudgetCycle.year).in_(years), col(BudgetCycle.confirmed_at).is_not(None)
        )
    ).all()
    return {(h, y) for h, y in found if h is not None and (h, y) in pairs}


def _budgets(session: Session, house_id: int, year: int) -> dict[int, Decimal]:
    query = select(col(BudgetLine.cost_group_id), col(BudgetLine.amount)).where(
        BudgetLine.house_id == house_id, BudgetLine.year == year
    )
    return dict(session.exec(query).all())


def _actuals(session: Session, house_id: int, year: int) -> tuple[dict[int, Decimal], int]:
    """A year's actual amounts per cost group, and the number of months with figures."""
    in_year = (
        MonthlyActual.house_id == house_id,
        col(MonthlyActual.month) >= date(year, 1, 1),
        col(MonthlyActual.month) <= date(year, 12, 1),
    )
    sums = session.exec(
        select(col(MonthlyActual.cost_group_id), func.sum(col(MonthlyActual.amount)))
        .where(*in_year)
        .group_by(col(MonthlyActual.cost_group_id))
    ).all()
    months = session.exec(
        select(func.count(func.distinct(col(MonthlyActual.month)))).where(*in_year)
    )
    return (
        {g: Decimal(total).quantize(finances_service.CENT) for g, total in sums},
        int(months.one() or 0),
    )


@dataclass
class ProposalRow:
    """One cost group in the budget proposal, with what it is compared with."""

    group: CostGroup
    proposed: Decimal | None  # the budget line of the budget year
    previous_budget: Decimal | None  # the year before's budget
    previous_actual: Decimal | None  # the year before's actuals to date
    last_full_actual: Decimal | None  # the actuals of the last full year (two years before)

    @property
    def prefill(self) -> Decimal | None:
        """The amount the form starts from: what is proposed, else the previous budget, else
        the last full year's actuals (the year before is still running when the proposal is
        written)."""
        for value in (self.proposed, self.previous_budget, self.last_full_actual):
            if value is not None:
                return value
        return self.previous_actual


@dataclass
class Proposal:
    """The proposed budget of a house's budget year next to the years before it."""

    year: int
    rows: list[ProposalRow]
    previous_months: int  # months with figures in the year before

    def total(self, what: str) -> Decimal | None:
        """The sum of a column over the cost and capital groups (income left out)."""
        values = [getattr(r, what) for r in self.rows if r.group.kind != "income"]
        present = [v for v in values if v is not None]
        return sum(present, finances_service.ZERO) if present else None

    def form_values(self) -> dict[str, str]:
        """The form's pre-filled amounts, with a decimal comma."""
        return {
            field_name(r.group): "" if r.prefill is None else str(r.prefill).replace(".", ",")
            for r in self.rows
        }


def proposal(session: Session, house_id: int, year: int) -> Proposal:
    """The active cost groups with the proposed budget of `year` and the years before."""
    proposed = _budgets(session, house_id, year)
    previous = _budgets(session, house_id, year - 1)
    previous_actual, months = _actuals(session, house_id, year - 1)
    last_full, _months = _actuals(session, house_id, year - 2)
    rows = []
    for group in finances_service.groups(session):
        assert group.id is not None
        rows.append(
            ProposalRow(
                group,
                proposed.get(group.id),
                previous.get(group.id),
                previous_actual.get(group.id),
                last_full.get(group.id),
            )
        )
    return Proposal(year, rows, months)


def parse_amounts(session: Session, form: dict[str, str]) -> dict[int, Decimal]:
    """Every active cost group's proposed amount from a form (a decimal comma is fine);
    errors by field."""
    errors: dict[str, str] = {}
    amounts: dict[int, Decimal] = {}
    for group in finances_service.groups(session):
        assert group.id is not None
        name = field_name(group)
        raw = form.get(name, "").strip()
        if not raw:
            errors[name] = _(
                "Enter an amount for %(group)s (0 if none).", group=group.name(get_language())
            )
            continue
        try:
            value = parse_decimal(raw)
        except BadCell:
            errors[name] = _("Enter the amount in euros, e.g. 12 400,50.")
            continue
        if value != value.quantize(Decimal("0.01")):
            errors[name] = _("Enter the amount with at most two decimals.")
        elif value < 0:
            errors[name] = _("Enter an amount of zero or more.")
        elif value > LIMIT:
            errors[name] = _("The amount is too large.")
        else:
            amounts[group.id] = value
    if errors:
        raise ValidationFailed(errors)
    return amounts


def store(
    session: Session,
    house_id: int,
    year: int,
    amounts: dict[int, Decimal],
    actor_id: int | None,
) -> int:
    """Store the budget lines of a year (cost group id → amount), each change audited; refused
    once the year's budget is confirmed. The number of lines created or changed."""
    if is_frozen(session, house_id, year):
        raise ValidationFailed(
            {"": _("The budget has been confirmed: its amounts can no longer be changed.")}
        )
    existing = {
        line.cost_group_id: line
        for line in session.exec(
            select(BudgetLine).where(BudgetLine.house_id == house_id, BudgetLine.year == year)
        )
    }
    changed = 0
    for group_id, amount in amounts.items():
        line = existing.get(group_id)
        if line is None:
            line = BudgetLine(
                house_id=house_id,
                cost_group_id=group_id,
                year=year,
                amount=amount,
                updated_by_id=actor_id,
            )
            session.add(line)
            session.flush()
            audit.record(session, actor_id, "create", line)
            changed += 1
        elif line.amount != amount:
            before = audit.snapshot(line)
            line.amount, line.updated_by_id, line.updated_at = amount, actor_id, utcnow()
            line.import_id = None
            session.add(line)
            session.flush()
            audit.record(session, actor_id, "update", line, before)
            changed += 1
    return changed


@dataclass
class ChargeChange:
    """A proposed usage charge against the one in force before it: in percent, and in euros a
    month for an apartment of the house's average size."""

    present: Decimal  # €/m² per month
    percent: Decimal
    monthly: Decimal  # € per month for an average apartment
    area: Decimal  # m², the house's floor area per apartment


def charge_change(session: Session, house: House, cycle: BudgetCycle) -> ChargeChange | None:
    """How the cycle's proposed charge changes the present one; None without both."""
    if cycle.proposed_charge is None or house.id is None or not house.apartments:
        return None
    charges = finances_service.usage_charges(session, house.id)
    before = [c for c in charges if c.effective_from < cycle.effective_from]
    present = finances_service.charge_on(before, cycle.effective_from - timedelta(days=1))
    if not present:
        return None
    area = Decimal(house.floor_area) / house.apartments
    delta = cycle.proposed_charge - present
    return ChargeChange(
        present=present,
        percent=(delta / present * 100).quantize(Decimal("0.1")),
        monthly=(delta * area).quantize(Decimal("0.01")),
        area=area.quantize(Decimal("1")),
    )
