"""Who may see, compare and import house finances, and take part in the budget cycle."""

from app.models.finances import BudgetCycle
from app.services.access.policies import (
    User,
    can_manage_house,
    can_view_residents,
    is_staff_overseer,
)


def can_view_finance_monthly(user: User, house_id: int) -> bool:
    """A house's figures month by month: its chair and committee (beyond the law), its property
    manager, management and administrators."""
    return can_view_residents(user, house_id)


def can_view_finances(user: User, house_id: int) -> bool:
    """A house's yearly budget, yearly actuals and year-end statement: also its residents."""
    return user is not None and (
        can_view_finance_monthly(user, house_id) or house_id in user.resident_of
    )


def can_view_company_finances(user: User) -> bool:
    """Company-level totals and averages, never one house's row: Haso-yte and management."""
    return is_staff_overseer(user) or (user is not None and user.yte_member)


def can_compare_house_finances(user: User) -> bool:
    """Every house's figures side by side: management and administrators."""
    return is_staff_overseer(user)


def can_import_finances(user: User) -> bool:
    """Import monthly figures: management, administrators, property managers (own houses)."""
    return is_staff_overseer(user) or (user is not None and bool(user.manager_of))


def can_manage_cost_groups(user: User) -> bool:
    """Add, rename, reorder and hide the cost groups: management and administrators."""
    return is_staff_overseer(user)


def can_manage_budget_cycles(user: User) -> bool:
    """Start the budget cycles, confirm budgets, evaluate, follow the statements: management."""
    return is_staff_overseer(user)


def can_open_budget_cycles(user: User) -> bool:
    """Open the list of budget cycles: anyone with a house role, Haso-yte or management."""
    return user is not None and (is_staff_overseer(user) or user.yte_member or bool(user.houses))


def can_give_budget_statement(user: User, house_id: int) -> bool:
    """Give the statement (lausunto) on a house's budget proposal: its committee."""
    return user is not None and house_id in user.committee_of


def can_give_company_budget_statement(user: User) -> bool:
    """Give the statement on the company's budget: Haso-yte."""
    return user is not None and user.yte_member


def can_view_budget_cycle(user: User, cycle: BudgetCycle) -> bool:
    """A house's cycle: whoever sees its yearly figures; the company's: Haso-yte, management."""
    if cycle.house_id is None:
        return can_view_company_finances(user)
    return can_view_finances(user, cycle.house_id)


def can_take_budget_step(user: User, cycle: BudgetCycle, move: str) -> bool:
    """Whose move it is: the property manager publishes a house's proposal (management the
    company's), the committee or Haso-yte gives the statement, management confirms and
    evaluates."""
    if move == "proposal":
        if cycle.house_id is None:
            return is_staff_overseer(user)
        return can_manage_house(user, cycle.house_id)
    if move == "statement":
        if cycle.house_id is None:
            return can_give_company_budget_statement(user)
        return can_give_budget_statement(user, cycle.house_id)
    return can_manage_budget_cycles(user) and move in ("confirmation", "evaluation")


def can_revise_budget_proposal(user: User, cycle: BudgetCycle) -> bool:
    """Revise a house's budget proposal: whoever publishes it, its property manager (and
    management). When it may be revised (published, not confirmed, before the statement
    deadline) the service decides, refusing with a message that says why."""
    return cycle.house_id is not None and can_take_budget_step(user, cycle, "proposal")
