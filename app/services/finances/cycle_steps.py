"""The budget cycle's steps as data: the kind of participation of each, the moves between them,
the deadline of each and, per move, who acts next and who else is told."""

from datetime import date

from app.models.finances import BudgetCycle, CycleStep
from app.models.participation import Participation
from app.models.types import local_date

# The kind of participation of each step: what say the people asked have at that point.
PARTICIPATION = {
    CycleStep.kickoff: Participation.information,
    CycleStep.proposal: Participation.planning,
    CycleStep.statement: Participation.planning,
    CycleStep.confirmed: Participation.decision,
    CycleStep.evaluated: Participation.evaluation,
}
# The step a move starts from, and the step it leads to.
MOVES = {
    "proposal": (CycleStep.kickoff, CycleStep.proposal),
    "statement": (CycleStep.proposal, CycleStep.statement),
    "confirmation": (CycleStep.statement, CycleStep.confirmed),
    "evaluation": (CycleStep.confirmed, CycleStep.evaluated),
}
REMIND_DAYS = 7  # before a deadline; and once more on the day


def deadline(cycle: BudgetCycle) -> date | None:
    """The date by which the cycle's next step is due (None when it is over)."""
    return {
        CycleStep.kickoff: cycle.proposal_due,
        CycleStep.proposal: cycle.statement_due,
        CycleStep.statement: cycle.confirmation_due,
        CycleStep.confirmed: cycle.evaluation_due,
    }.get(cycle.step)


# Who hears of each move: first whoever must take the next step (told what to do and by when),
# then who else is told. "preparer" is the house's property manager (management for the
# company's cycle), "body" the committee (Haso-yte for the company), "residents" the house's.
TOLD: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "kickoff": ("preparer", ("body",)),
    "proposal": ("body", ("preparer",)),
    "statement": ("management", ("preparer", "body")),
    "confirmation": ("management", ("preparer", "body", "residents")),
    "evaluation": (None, ("preparer", "body")),
}
# The move that led to each step: whoever acts after it acts at that step.
MOVE_TO = {
    CycleStep.kickoff: "kickoff",
    CycleStep.proposal: "proposal",
    CycleStep.statement: "statement",
    CycleStep.confirmed: "confirmation",
    CycleStep.evaluated: "evaluation",
}


def overdue(cycle: BudgetCycle, today: date) -> bool:
    """Whether the cycle's next step is past its deadline."""
    due = deadline(cycle)
    return due is not None and today > due


def statement_late(cycle: BudgetCycle) -> bool:
    """Whether the statement was given after its deadline (Helsinki days)."""
    if cycle.statement_at is None:
        return False
    return local_date(cycle.statement_at) > cycle.statement_due
