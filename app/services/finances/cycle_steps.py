"""The budget cycle's steps as data: the kind of participation of each, the moves between them,
the deadline of each and, per move, who acts next and who else is told."""

from datetime import date

from app.i18n import N_, _
from app.models.finances import BudgetCycle, CycleStep
from app.models.participation import Participation
from app.models.types import local_date
from app.services import stepper
from app.services.stepper import Step

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


# ---- the step indicator of a cycle's page (app/templates/_stepper.html) ----------------------

# The tasks of a cycle in order, each with the step it leads to and its label: while the cycle is
# at a step, the task after it is current (at kickoff the proposal is being prepared).
TASKS = (
    ("kickoff", CycleStep.kickoff, N_("Kick-off")),
    ("proposal", CycleStep.proposal, N_("Proposal")),
    ("statement", CycleStep.statement, N_("Statement")),
    ("confirmation", CycleStep.confirmed, N_("Confirmation")),
    ("evaluation", CycleStep.evaluated, N_("Evaluation")),
)


def actor_name(actor: str | None, cycle: BudgetCycle, house_name: str, manager_name: str) -> str:
    """Who a TOLD actor is for a cycle, as the subject of a sentence."""
    if actor == "preparer" and cycle.house_id is not None:
        if manager_name:
            return _("the property manager %(name)s", name=manager_name)
        return _("the property manager of %(house)s", house=house_name)
    if actor == "body":
        if cycle.house_id is None:
            return _("Haso-yte")
        return _("the resident committee of %(house)s", house=house_name)
    if actor in ("preparer", "management"):
        return _("Haso's management")
    return ""


def progress(
    cycle: BudgetCycle, today: date, house_name: str = "", manager_name: str = ""
) -> list[Step]:
    """The cycle's tasks as a step indicator: the one due now, who does it and by when."""
    keys = [key for key, _step, _label in TASKS]
    labels = {key: _(label) for key, _step, label in TASKS}
    done_on = {
        "kickoff": local_date(cycle.created_at),
        "proposal": local_date(cycle.proposed_at) if cycle.proposed_at else None,
        "statement": local_date(cycle.statement_at) if cycle.statement_at else None,
        "confirmation": local_date(cycle.confirmed_at) if cycle.confirmed_at else None,
        "evaluation": local_date(cycle.evaluated_at) if cycle.evaluated_at else None,
    }
    if cycle.step == CycleStep.evaluated:
        return stepper.in_order(keys, "evaluation", labels, done_on=done_on, final=True)
    reached = next(i for i, (_key, step, _label) in enumerate(TASKS) if step == cycle.step)
    current = keys[reached + 1]
    actor = TOLD[MOVE_TO[cycle.step]][0]
    return stepper.in_order(
        keys,
        current,
        labels,
        done_on=done_on,
        holder=actor_name(actor, cycle, house_name, manager_name),
        due=deadline(cycle),
        due_label=_("Due by"),
        today=today,
    )
