"""Demo house finances: five years of monthly figures, budgets and usage charges per house.

Plausible levels (DOMAIN.md): maintenance costs around €5–6/m²/month with seasonal heating and
a large repair now and then, usage charges around €11.55/m²/month. A fixed seed per house code
keeps the figures the same on every load; a house that already has figures is left alone.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.models.finances import (
    BudgetCycle,
    BudgetLine,
    CostGroup,
    CycleStep,
    FinanceImport,
    GroupKind,
    MonthlyActual,
    UsageCharge,
)
from app.models.houses import House
from app.models.types import utcnow
from app.services.finances import cache as finance_cache
from app.services.finances import figures as finances_service

SEED = 20261201
YEARS = 5
CENT = Decimal("0.01")
# Each maintenance group's share of the maintenance costs.
SHARES = {
    "staff": 0.02,
    "admin": 0.10,
    "operation": 0.12,
    "outdoor": 0.05,
    "cleaning": 0.08,
    "heating": 0.25,
    "water": 0.10,
    "energy": 0.07,
    "waste": 0.04,
    "insurance": 0.03,
    "rents": 0.06,
    "tax": 0.05,
    "repairs": 0.03,
}
# Heating by month, January first (averages 1).
HEATING = (1.8, 1.7, 1.4, 1.0, 0.6, 0.3, 0.2, 0.3, 0.6, 1.0, 1.4, 1.7)


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def load(session: Session, houses: list[House], today: date, added: dict[str, int]) -> None:
    """Add the figures of every demo house that has none yet, in bulk, and next year's budget
    cycle in progress."""
    finances_service.ensure_default_groups(session)
    _figures(session, houses, today, added)
    _cycles(session, houses, today, added)


# The step each demo house's cycle is at, in turn by house code, so that every role has a step
# to take: the committee its statement, management its confirmation, the property manager a
# proposal to prepare, management an evaluation.
DEMO_STEPS = (CycleStep.proposal, CycleStep.statement, CycleStep.kickoff, CycleStep.confirmed)


def _demo_dates(today: date) -> dict[str, date]:
    """A cycle dated from the day the demo is loaded: each coming deadline still ahead."""
    return {
        "kickoff_on": today - timedelta(days=30),
        "proposal_due": today + timedelta(days=14),
        "statement_due": today + timedelta(days=42),
        "confirmation_due": today + timedelta(days=90),
        "effective_from": max(
            date(today.year + 1, 1, 1), (today + timedelta(days=150)).replace(day=1)
        ),
        "evaluation_due": today + timedelta(days=200),
    }


def _cycles(session: Session, houses: list[House], today: date, added: dict[str, int]) -> None:
    """Next year's cycles (without mail), open at each step in turn, dated from today."""
    year = today.year + 1
    if session.exec(select(BudgetCycle.id).where(BudgetCycle.year == year)).first():
        return
    dates = _demo_dates(today)
    rng = random.Random(f"{SEED}-cycles")
    company = BudgetCycle.model_validate({"year": year, "house_id": None, **dates})
    company.step = CycleStep.proposal
    company.proposal_text = "Yhtiön talousarvio: energian hinta nousee, korjauksia lisätään."
    company.proposed_at = utcnow()
    rows = [company]
    for n, house in enumerate(sorted(houses, key=lambda h: h.code)):
        cycle = BudgetCycle.model_validate({"year": year, "house_id": house.id, **dates})
        cycle.step = DEMO_STEPS[n % len(DEMO_STEPS)]
        if cycle.step != CycleStep.kickoff:
            cycle.proposal_text = (
                "Lämmityksen ja veden hinnat nousevat; korjausvarausta kasvatetaan hieman."
            )
            cycle.proposed_charge = _money(rng.uniform(11.3, 12.3))
            cycle.proposed_at = utcnow()
        if cycle.step in (CycleStep.statement, CycleStep.confirmed):
            cycle.statement_text = "Asukastoimikunta puoltaa ehdotusta."
            cycle.statement_at = utcnow()
        if cycle.step == CycleStep.confirmed:
            cycle.confirmation_text = "Lausunto otettiin huomioon: korjausvaraus ennallaan."
            cycle.confirmed_at = utcnow()
        rows.append(cycle)
    session.add_all(rows)
    # The proposals' budgets: this year's budget of each cost group with the rises the text
    # names (heating and water most), so the proposal and the statement have figures to show.
    house_ids = [h.id for h in houses]
    current = session.exec(
        select(
            col(BudgetLine.house_id), col(BudgetLine.cost_group_id), col(BudgetLine.amount)
        ).where(BudgetLine.year == today.year, col(BudgetLine.house_id).in_(house_ids))
    ).all()
    codes = {g.id: g.code for g in finances_service.groups(session)}
    rising = ("heating", "water")
    proposed = []
    for house_id, group_id, amount in current:
        rise = rng.uniform(1.04, 1.07) if codes.get(group_id) in rising else rng.uniform(1.0, 1.03)
        proposed.append(
            {
                "house_id": house_id,
                "cost_group_id": group_id,
                "year": year,
                "amount": _money(float(amount) * rise),
                "updated_at": utcnow(),
            }
        )
    if proposed:
        session.execute(insert(BudgetLine), proposed)
        finance_cache.changed(session)  # Core inserts pass the flush listener by
    session.flush()
    added["budget cycles"] = added.get("budget cycles", 0) + len(rows)
    added["budget lines"] = added.get("budget lines", 0) + len(proposed)


def _figures(session: Session, houses: list[House], today: date, added: dict[str, int]) -> None:
    """Five years of monthly figures, budgets and usage charges per house."""
    groups = {g.code: g for g in session.exec(select(CostGroup))}
    ids = [h.id for h in houses if h.id is not None]
    done = set(
        session.exec(
            select(MonthlyActual.house_id).where(col(MonthlyActual.house_id).in_(ids)).distinct()
        ).all()
    )
    todo = [h for h in sorted(houses, key=lambda h: h.code) if h.id not in done]
    if not todo:
        return
    batch = FinanceImport(filename="demo", channel="demo", rows=0)
    session.add(batch)
    session.flush()
    first_year = today.year - YEARS + 1
    last_month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    actuals: list[dict[str, object]] = []
    budgets: list[dict[str, object]] = []
    charges: list[dict[str, object]] = []
    for house in todo:
        rng = random.Random(f"{SEED}-{house.code}")
        area = float(house.floor_area)
        level = rng.uniform(4.7, 5.3)  # €/m²/month of maintenance costs in the first year
        charge = rng.uniform(10.2, 10.9)
        capital = rng.uniform(4.6, 5.4)
        for year in range(first_year, today.year + 1):
            growth = 1.025 ** (year - first_year)
            yearly = level * growth * area * 12
            charge_now = charge * growth
            charges.append(
                {
                    "house_id": house.id,
                    "effective_from": date(year, 3, 1),
                    "amount": _money(charge_now),
                }
            )
            for code, share in SHARES.items():
                budgets.append(
                    {
                        "house_id": house.id,
                        "cost_group_id": groups[code].id,
                        "year": year,
                        "amount": _money(yearly * share * rng.uniform(0.96, 1.04)),
                    }
                )
            budgets.append(
                {
                    "house_id": house.id,
                    "cost_group_id": groups["capital"].id,
                    "year": year,
                    "amount": _money(capital * area * 12),
                }
            )
            for month in range(1, 13):
                if (year, month) > last_month:
                    break
                monthly = level * growth * area
                for code, share in SHARES.items():
                    amount = monthly * share * rng.uniform(0.9, 1.1)
                    if code == "heating":
                        amount *= HEATING[month - 1]
                    if code == "repairs" and rng.random() < 0.03:
                        amount += area * rng.uniform(2.0, 6.0)  # a large repair
                    actuals.append(_row(house, groups[code], year, month, amount, batch.id))
                actuals.append(
                    _row(house, groups["capital"], year, month, capital * area, batch.id)
                )
                in_effect = charge_now if month >= 3 else charge_now / 1.025
                actuals.append(
                    _row(house, groups["charges"], year, month, in_effect * area, batch.id)
                )
    session.execute(insert(MonthlyActual), actuals)
    session.execute(insert(BudgetLine), budgets)
    session.execute(insert(UsageCharge), charges)
    finance_cache.changed(session)  # Core inserts pass the flush listener by
    batch.rows = len(actuals)
    session.add(batch)
    session.flush()
    added["monthly figures"] = added.get("monthly figures", 0) + len(actuals)
    added["budget lines"] = added.get("budget lines", 0) + len(budgets)
    added["usage charges"] = added.get("usage charges", 0) + len(charges)


def _row(
    house: House, group: CostGroup, year: int, month: int, amount: float, import_id: int | None
) -> dict[str, object]:
    assert group.kind in (GroupKind.maintenance, GroupKind.capital, GroupKind.income)
    return {
        "house_id": house.id,
        "cost_group_id": group.id,
        "month": date(year, month, 1),
        "amount": _money(amount),
        "import_id": import_id,
    }
