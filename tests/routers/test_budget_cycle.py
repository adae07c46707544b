"""Budget cycle pages: the steps by their forms, errors tied to fields, statements followed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from app.models.committees import Position
from app.models.finances import BudgetLine, CycleStep
from app.models.people import StaffKind
from app.services.finances import budget_cycle
from app.services.finances import budgets as finance_budgets
from app.services.finances import entries as finance_entries
from app.services.finances import figures as finances_service
from tests.support import fi, make_committee, make_house, make_manager, make_resident, make_staff

YEAR = date.today().year + 1


@pytest.fixture()
def world(session):
    house = make_house(session, name="Aallokko")
    make_house(session, name="Bulevardi")
    chair = make_resident(session, house)
    resident = make_resident(session, house)
    make_committee(session, house, [(chair, Position.chair)])
    manager = make_manager(session, house)
    management = make_staff(session, StaffKind.management)
    session.commit()
    return {
        "house": house,
        "chair": chair,
        "resident": resident,
        "manager": manager,
        "management": management,
    }


def _cycle(session, house):
    return next(c for c in budget_cycle.cycles(session, YEAR) if c.house_id == house.id)


def test_the_whole_cycle_through_the_pages(client, session, world):
    client.login_as(session, world["management"])
    response = client.submit("/budget-cycles", {"year": str(YEAR)})
    assert response.status_code == 303
    cycle = _cycle(session, world["house"])
    page = client.get(f"/budget-cycles?year={YEAR}").text
    assert "Aallokko" in page and "Bulevardi" in page

    client.login_as(session, world["manager"])
    bad = client.submit(f"/budget-cycles/{cycle.id}/proposal", {"charge": "abc", "text": "x"})
    assert bad.status_code == 422
    assert 'aria-describedby="error-charge' in bad.text
    ok = client.submit(
        f"/budget-cycles/{cycle.id}/proposal",
        {"charge": "11,95", "text": "Lämmitys kallistuu", "version": str(cycle.version)},
    )
    assert ok.status_code == 303

    client.login_as(session, world["resident"])
    page = client.get(f"/budget-cycles/{cycle.id}")
    assert page.status_code == 200 and "Lämmitys kallistuu" in page.text
    assert f'action="/budget-cycles/{cycle.id}/statement"' not in page.text
    refused = client.submit(f"/budget-cycles/{cycle.id}/statement", {"text": "Ei"})
    assert refused.status_code == 403

    client.login_as(session, world["chair"])
    page = client.get(f"/budget-cycles/{cycle.id}").text
    assert f'action="/budget-cycles/{cycle.id}/statement"' in page
    empty = client.submit(f"/budget-cycles/{cycle.id}/statement", {"text": " "})
    assert empty.status_code == 422 and fi("This field is required.") in empty.text
    client.submit(f"/budget-cycles/{cycle.id}/statement", {"text": "Hyväksymme"})
    session.refresh(cycle)
    assert cycle.step == CycleStep.statement

    client.login_as(session, world["management"])
    client.submit(f"/budget-cycles/{cycle.id}/confirmation", {"text": "Otettu huomioon"})
    session.refresh(cycle)
    assert cycle.step == CycleStep.confirmed and cycle.proposed_charge == Decimal("11.95")
    page = client.get(f"/budget-cycles?year={YEAR}").text
    # Bulevardi's statement is missing: listed before the house that gave one.
    assert page.index("Bulevardi") < page.index("Aallokko")


def test_a_step_out_of_turn_is_refused_with_a_message(client, session, world):
    budget_cycle.start(session, YEAR, None, date.today())
    session.commit()
    cycle = _cycle(session, world["house"])
    client.login_as(session, world["management"])
    response = client.submit(f"/budget-cycles/{cycle.id}/confirmation", {"text": "Too early"})
    assert response.status_code == 422
    assert fi("This step cannot be taken now.") in response.text


def test_an_unknown_cycle_is_404(client, session, world):
    client.login_as(session, world["management"])
    assert client.get("/budget-cycles/999999").status_code == 404


def test_the_proposal_form_carries_the_budget_per_cost_group(client, session, world):
    finances_service.ensure_default_groups(session)
    house = world["house"]
    finance_entries.set_budget(session, house.id, YEAR - 1, {"heating": Decimal("24000")}, None)
    budget_cycle.start(session, YEAR, None, date.today())
    cycle = _cycle(session, house)
    cycle.statement_due = date.today() + timedelta(days=10)
    session.add(cycle)
    session.commit()
    groups = {g.code: g for g in finances_service.groups(session)}
    heating = finance_budgets.field_name(groups["heating"])
    cleaning = finance_budgets.field_name(groups["cleaning"])

    client.login_as(session, world["manager"])
    page = client.get(f"/budget-cycles/{cycle.id}").text
    assert f'name="{heating}"' in page and 'value="24000,00"' in page  # last year's budget
    assert f'<label class="hds-text-input__label" for="field-{cleaning}">' in page
    form = {finance_budgets.field_name(g): "0" for g in groups.values()}
    bad = client.submit(
        f"/budget-cycles/{cycle.id}/proposal",
        {**form, heating: "25 000,505", cleaning: "", "charge": "11,95", "text": "Ehdotus"},
    )
    assert bad.status_code == 422
    assert f'aria-describedby="error-{heating}' in bad.text
    assert f'href="#field-{cleaning}"' in bad.text
    assert fi("Enter the amount with at most two decimals.") in bad.text
    assert 'value="25 000,505"' in bad.text  # what the user typed stays
    ok = client.submit(
        f"/budget-cycles/{cycle.id}/proposal",
        {**form, heating: "25 000,50", "charge": "11,95", "text": "Ehdotus"},
    )
    assert ok.status_code == 303
    lines = {
        line.cost_group_id: line.amount
        for line in session.exec(
            select(BudgetLine).where(BudgetLine.house_id == house.id, BudgetLine.year == YEAR)
        )
    }
    assert lines[groups["heating"].id] == Decimal("25000.50") and len(lines) == len(groups)

    client.login_as(session, world["chair"])
    page = client.get(f"/budget-cycles/{cycle.id}").text
    table = page[page.index('id="proposed-budget"') :]
    assert "25\xa0000,50" in table and "24\xa0000,00" in table  # proposal next to last year
    assert f'action="/budget-cycles/{cycle.id}/proposal/revision"' not in page
    assert client.submit(f"/budget-cycles/{cycle.id}/proposal/revision", form).status_code == 403

    client.login_as(session, world["manager"])
    revised = client.submit(
        f"/budget-cycles/{cycle.id}/proposal/revision",
        {**form, heating: "26000", "charge": "12", "text": "Korjattu", "version": "2"},
    )
    assert revised.status_code == 303
    session.refresh(cycle)
    assert cycle.proposal_text == "Korjattu" and cycle.proposed_charge == Decimal("12")

    client.login_as(session, world["chair"])
    client.submit(f"/budget-cycles/{cycle.id}/statement", {"text": "Hyväksymme"})
    client.login_as(session, world["management"])
    client.submit(f"/budget-cycles/{cycle.id}/confirmation", {"text": "Otettu huomioon"})
    client.login_as(session, world["manager"])
    frozen = client.submit(
        f"/budget-cycles/{cycle.id}/proposal/revision",
        {**form, heating: "1", "charge": "12", "text": "Myöhässä"},
    )
    assert frozen.status_code == 422
    assert fi("The budget has been confirmed: its amounts can no longer be changed.") in frozen.text
    line = session.exec(
        select(BudgetLine).where(
            BudgetLine.house_id == house.id,
            BudgetLine.year == YEAR,
            BudgetLine.cost_group_id == groups["heating"].id,
        )
    ).one()
    session.refresh(line)
    assert line.amount == Decimal("26000")


def test_a_revision_after_the_statement_deadline_is_refused(client, session, world):
    finances_service.ensure_default_groups(session)
    budget_cycle.start(session, YEAR, None, date.today())
    cycle = _cycle(session, world["house"])
    cycle.step = CycleStep.proposal
    cycle.proposal_text, cycle.proposed_charge = "Ehdotus", Decimal("11")
    cycle.statement_due = date.today() - timedelta(days=1)
    session.add(cycle)
    session.commit()
    form = {finance_budgets.field_name(g): "5" for g in finances_service.groups(session)}
    client.login_as(session, world["manager"])
    response = client.submit(
        f"/budget-cycles/{cycle.id}/proposal/revision", {**form, "charge": "12", "text": "Uusi"}
    )
    assert response.status_code == 422
    message = fi("The statement deadline has passed: the proposal can no longer be revised.")
    assert message in response.text
