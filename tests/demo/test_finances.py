"""Demo finances: five years of plausible figures, the same on every load, loaded once."""

from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select

from app.demo import finances as demo_finances
from app.models.finances import CycleStep, MonthlyActual, UsageCharge
from app.services.finances import budget_cycle
from app.services.finances import figures as finances_service
from tests.support import make_house

TODAY = date(2026, 12, 1)


def test_demo_figures_are_plausible_and_loaded_once(session):
    houses = [make_house(session, code=f"D{n}", floor_area=Decimal("3000.0")) for n in range(3)]
    added: dict[str, int] = {}
    demo_finances.load(session, houses, TODAY, added)
    # 5 years of 12 months (up to November 2026) × 15 groups × 3 houses
    assert added["monthly figures"] == (4 * 12 + 11) * 15 * 3
    again: dict[str, int] = {}
    demo_finances.load(session, houses, TODAY, again)
    assert again == {}
    assert session.exec(select(func.count()).select_from(MonthlyActual)).one() == 2655
    for house in houses:
        year = finances_service.house_year(session, house, 2025)
        assert year.months_with_figures == 12
        assert Decimal("4.8") <= year.maintenance_per_m2 <= Decimal("7.0")
        heating = next(r for r in year.rows if r.group.code == "heating")
        assert heating.months[0] > heating.months[6] * 3  # January against July
        charge = finances_service.charge_on(
            finances_service.usage_charges(session, house.id), date(2026, 6, 1)
        )
        assert Decimal("11.0") <= charge <= Decimal("12.5")
    assert session.exec(select(func.count()).select_from(UsageCharge)).one() == 15
    # Next year's cycles: the company's and one per house, proposals published.
    cycles = budget_cycle.cycles(session, 2027)
    assert len(cycles) == 4 and cycles[0].house_id is None
    # Open at each step in turn, dated from the day the demo was loaded: every deadline ahead.
    steps = [c.step for c in cycles[1:]]
    assert steps == [CycleStep.proposal, CycleStep.statement, CycleStep.kickoff]
    assert all(c.proposed_charge for c in cycles[1:] if c.step != CycleStep.kickoff)
    assert all(budget_cycle.deadline(c) >= date.today() for c in cycles)
    # ...each with a proposed budget per cost group: this year's, heating and water rising most.
    for house in houses:
        now = finances_service.house_year(session, house, 2026)
        proposed = finances_service.house_year(session, house, 2027)
        budgets = {r.group.code: r.budget for r in proposed.rows if r.budget is not None}
        assert set(budgets) == {r.group.code for r in now.rows if r.budget is not None}
        for row in now.rows:
            if row.budget:
                rise = budgets[row.group.code] / row.budget
                expected = (1.04, 1.07) if row.group.code in ("heating", "water") else (1.0, 1.03)
                assert Decimal(str(expected[0])) - Decimal("0.001") <= rise
                assert rise <= Decimal(str(expected[1])) + Decimal("0.001")
