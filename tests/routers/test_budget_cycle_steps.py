"""A budget cycle's page shows where the cycle is: the task due now, who does it and by when
(overdue in words), with that task's form first for the person whose task it is."""

from datetime import date, timedelta

import pytest

from app.i18n import ngettext, use_language
from app.jinja import fmt_date
from app.models.committees import Position
from app.models.finances import CycleStep
from app.models.people import StaffKind
from app.services.finances import budget_cycle
from tests.routers.page_parts import current_step, first_action, form_of, says_done, steps
from tests.support import fi, make_committee, make_house, make_manager, make_resident, make_staff

YEAR = date.today().year + 1
STEPS = "cycle-steps"


def day(value: date) -> str:
    with use_language("fi"):
        return fmt_date(value)


@pytest.fixture()
def world(session):
    house = make_house(session, name="Aallokko")
    chair = make_resident(session, house)
    make_committee(session, house, [(chair, Position.chair)])
    found = {
        "house": house,
        "chair": chair,
        "resident": make_resident(session, house),
        "manager": make_manager(session, house),
        "management": make_staff(session, StaffKind.management),
    }
    budget_cycle.start(session, YEAR, None, date.today())
    session.commit()
    found["cycle"] = next(c for c in budget_cycle.cycles(session, YEAR) if c.house_id == house.id)
    found["company"] = next(c for c in budget_cycle.cycles(session, YEAR) if c.house_id is None)
    return found


def page(client, session, person, cycle) -> str:
    response = client.login_as(session, person).get(f"/budget-cycles/{cycle.id}")
    assert response.status_code == 200
    return response.text


def test_at_kickoff_the_property_manager_prepares_the_proposal(client, session, world):
    cycle = world["cycle"]
    html = page(client, session, world["resident"], cycle)
    shown = steps(html, STEPS)
    assert [s.label for s in shown] == [
        fi(label) for label in ("Kick-off", "Proposal", "Statement", "Confirmation", "Evaluation")
    ]
    assert says_done(shown[0])
    now = current_step(html, STEPS)
    assert now.label == fi("Proposal")
    holder = fi("the property manager %(name)s", name=world["manager"].name)
    assert fi("With: %(holder)s", holder=holder) in now.text
    assert fi("Due by") in now.text and day(cycle.proposal_due) in now.text
    assert "next-actions" not in html  # a resident has nothing to do here
    # The manager's own task comes first, as the primary action.
    action = first_action(page(client, session, world["manager"], cycle))
    assert form_of(action).attrs["action"].endswith("/proposal")
    assert "hds-button--primary" in action.classes


def test_an_overdue_statement_is_said_in_words(client, session, world):
    cycle = world["cycle"]
    cycle.step = CycleStep.proposal
    cycle.proposal_text = "Ehdotus"
    cycle.statement_due = date.today() - timedelta(days=3)
    session.add(cycle)
    session.commit()
    html = page(client, session, world["chair"], cycle)
    now = current_step(html, STEPS)
    assert now.label == fi("Statement")
    holder = fi("the resident committee of %(house)s", house="Aallokko")
    assert fi("With: %(holder)s", holder=holder) in now.text
    with use_language("fi"):
        late = ngettext("Overdue by %(num)s day", "Overdue by %(num)s days", 3)
    assert now.overdue and late in now.text
    action = first_action(html)
    assert form_of(action).attrs["action"].endswith("/statement")
    assert "hds-button--primary" in action.classes


def test_the_company_cycle_and_a_finished_cycle(client, session, world):
    company = world["company"]
    company.step = CycleStep.proposal
    session.add(company)
    session.commit()
    html = page(client, session, world["management"], company)
    assert fi("With: %(holder)s", holder=fi("Haso-yte")) in current_step(html, STEPS).text

    cycle = world["cycle"]
    cycle.step = CycleStep.confirmed
    session.add(cycle)
    session.commit()
    html = page(client, session, world["management"], cycle)
    now = current_step(html, STEPS)
    assert now.label == fi("Evaluation")
    assert fi("With: %(holder)s", holder=fi("Haso's management")) in now.text
    assert day(cycle.evaluation_due) in now.text
    action = first_action(html)
    assert form_of(action).attrs["action"].endswith("/evaluation")

    cycle.step = CycleStep.evaluated
    session.add(cycle)
    session.commit()
    shown = steps(page(client, session, world["resident"], cycle), STEPS)
    assert shown[-1].current and "stepper__step--final" in shown[-1].classes
    assert all(says_done(s) for s in shown[:-1])
