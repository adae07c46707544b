"""The budget cycle's pages: the year's cycles, each house's proposal, the committee's statement,
management's confirmation and the evaluation."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import policies
from app.config import get_settings
from app.deps import CurrentUser, FormData, SessionDep, require, today
from app.errors import ValidationFailed
from app.models.finances import BudgetCycle
from app.models.houses import House
from app.models.people import Person
from app.routers.finances.pages import parse_year
from app.services.access.roles import Principal
from app.services.finances import budget_cycle, cycle_steps
from app.services.finances import budgets as finance_budgets
from app.templating import render

router = APIRouter()


CycleOpener = Annotated[Principal, require("can_open_budget_cycles")]


CycleManager = Annotated[Principal, require("can_manage_budget_cycles")]


def get_visible_cycle(cycle_id: int, user: CurrentUser, session: SessionDep) -> BudgetCycle:
    """A budget cycle the user may see; 404 or 403 otherwise."""
    cycle = budget_cycle.get(session, cycle_id)
    if cycle is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    if not policies.can_view_budget_cycle(user, cycle):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return cycle


VisibleCycle = Annotated[BudgetCycle, Depends(get_visible_cycle)]


def _cycle_url(cycle_id: int | None = None) -> str:
    path = "/budget-cycles" + (f"/{cycle_id}" if cycle_id else "")
    return f"{get_settings().base_url.rstrip('/')}{path}"


@router.get("/budget-cycles", name="budget_cycles")
def cycles_page(
    request: Request, session: SessionDep, user: CycleOpener, year: str | None = None
) -> Response:
    """A budget year's cycles the user may see; management sees whose statement has come."""
    return _cycles_view(request, session, user, year)


def _cycles_view(
    request: Request,
    session: Session,
    user: Principal,
    year: str | None,
    errors: dict[str, str] | None = None,
) -> Response:
    chosen, year_errors = parse_year(year)
    if not year:
        chosen = today().year + 1  # the budget year being prepared
    found = [
        s
        for s in budget_cycle.statuses(session, chosen)
        if policies.can_view_budget_cycle(user, s.cycle)
    ]
    context = {
        "year": chosen,
        "years": sorted({today().year + 1, today().year, chosen}, reverse=True),
        "errors": {**year_errors, **(errors or {})},
        "statuses": found,
        "deadline": budget_cycle.deadline,
        "overdue": lambda cycle: cycle_steps.overdue(cycle, today()),
        "statement_late": cycle_steps.statement_late,
    }
    bad = year_errors or errors
    return render(request, "finances/cycles.html", context, 422 if bad else 200)


@router.post("/budget-cycles", name="start_budget_cycles")
def start_cycles(
    request: Request, session: SessionDep, user: CycleManager, form: FormData
) -> Response:
    """Start a budget year's cycles for every house and the company."""
    raw = form.get("year", "")
    try:
        year = int(raw) if raw.isdigit() else 0
        budget_cycle.start(session, year, user.id, today(), url=_cycle_url())
    except ValidationFailed as exc:
        return _cycles_view(request, session, user, None, exc.errors)
    return RedirectResponse(f"/budget-cycles?year={year}", 303)


@router.get("/budget-cycles/{cycle_id}", name="budget_cycle")
def cycle_page(
    request: Request, session: SessionDep, user: CurrentUser, cycle: VisibleCycle
) -> Response:
    """A cycle's steps, deadlines and texts, with the form of the step that is the user's."""
    return _cycle_view(request, session, cycle)


def _cycle_view(
    request: Request,
    session: Session,
    cycle: BudgetCycle,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    house = session.get(House, cycle.house_id) if cycle.house_id else None
    manager = (
        session.get(Person, house.property_manager_id)
        if house is not None and house.property_manager_id
        else None
    )
    proposal = (
        finance_budgets.proposal(session, house.id, cycle.year) if house and house.id else None
    )
    prefill = proposal.form_values() if proposal else {}
    if proposal is not None and values is None:
        prefill |= {"text": cycle.proposal_text}
        if cycle.proposed_charge is not None:
            prefill["charge"] = str(cycle.proposed_charge).replace(".", ",")
    context = {
        "cycle": cycle,
        "house": house,
        "participation": {k.value: v.value for k, v in budget_cycle.PARTICIPATION.items()},
        "deadline": budget_cycle.deadline(cycle),
        "overdue": cycle_steps.overdue(cycle, today()),
        "steps": cycle_steps.progress(
            cycle, today(), house.name if house else "", manager.name if manager else ""
        ),
        "statement_late": cycle_steps.statement_late(cycle),
        "change": finance_budgets.charge_change(session, house, cycle) if house else None,
        "moves": [m for m in budget_cycle.MOVES if budget_cycle.MOVES[m][0] == cycle.step],
        "revisable": budget_cycle.revisable(cycle, today()),
        "proposal": proposal,
        "field_name": finance_budgets.field_name,
        "errors": errors or {},
        "values": values or {},
        "proposal_values": {**prefill, **(values or {})},
    }
    return render(request, "finances/cycle.html", context, 422 if errors else 200)


def _move(
    request: Request,
    session: Session,
    user: Principal,
    cycle: BudgetCycle,
    move: str,
    form: dict[str, str],
) -> Response:
    if not policies.can_take_budget_step(user, cycle, move):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    assert cycle.id is not None
    version = form.get("version", "")
    try:
        budget_cycle.advance(
            session,
            cycle,
            move,
            form.get("text", ""),
            user.id,
            charge=form.get("charge", ""),
            amounts=form,
            version=int(version) if version.isdigit() else None,
            url=_cycle_url(cycle.id),
        )
    except ValidationFailed as exc:
        return _cycle_view(request, session, cycle, exc.errors, form)
    return RedirectResponse(f"/budget-cycles/{cycle.id}", 303)


@router.post("/budget-cycles/{cycle_id}/proposal/revision", name="budget_cycle_revision")
def revise_proposal(
    request: Request, session: SessionDep, user: CurrentUser, cycle: VisibleCycle, form: FormData
) -> Response:
    """Revise the published proposal (budget per cost group, usage charge, explanation) until
    the statement deadline."""
    if not policies.can_revise_budget_proposal(user, cycle):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    version = form.get("version", "")
    try:
        budget_cycle.revise(
            session,
            cycle,
            form.get("text", ""),
            user.id,
            charge=form.get("charge", ""),
            amounts=form,
            version=int(version) if version.isdigit() else None,
        )
    except ValidationFailed as exc:
        return _cycle_view(request, session, cycle, exc.errors, form)
    return RedirectResponse(f"/budget-cycles/{cycle.id}", 303)


@router.post("/budget-cycles/{cycle_id}/proposal", name="budget_cycle_proposal")
def publish_proposal(
    request: Request, session: SessionDep, user: CurrentUser, cycle: VisibleCycle, form: FormData
) -> Response:
    """Publish the budget and usage-charge proposal with its explanation."""
    return _move(request, session, user, cycle, "proposal", form)


@router.post("/budget-cycles/{cycle_id}/statement", name="budget_cycle_statement")
def give_statement(
    request: Request, session: SessionDep, user: CurrentUser, cycle: VisibleCycle, form: FormData
) -> Response:
    """Give the committee's (or Haso-yte's) statement on the proposal."""
    return _move(request, session, user, cycle, "statement", form)


@router.post("/budget-cycles/{cycle_id}/confirmation", name="budget_cycle_confirmation")
def confirm_budget(
    request: Request, session: SessionDep, user: CurrentUser, cycle: VisibleCycle, form: FormData
) -> Response:
    """Confirm the budget, recording how the statement was taken into account."""
    return _move(request, session, user, cycle, "confirmation", form)


@router.post("/budget-cycles/{cycle_id}/evaluation", name="budget_cycle_evaluation")
def evaluate_cycle(
    request: Request, session: SessionDep, user: CurrentUser, cycle: VisibleCycle, form: FormData
) -> Response:
    """Record the evaluation of the budgeting process."""
    return _move(request, session, user, cycle, "evaluation", form)
