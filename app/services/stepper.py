"""A process's steps as a page's step indicator shows them (app/templates/_stepper.html).

Each area builds its own list (an initiative's lifecycle, a budget cycle, an election), in
order, with translated labels; the template only shows it. Exactly one step is current while
the process goes on; a finished or closed process marks its last step current and final.
"""

import enum
from dataclasses import dataclass
from datetime import date


class StepStatus(enum.StrEnum):
    """Where a step stands; the page says it in words, not by colour alone."""

    done = "done"
    current = "current"
    upcoming = "upcoming"
    skipped = "skipped"  # passed by without being taken (an optional step)


@dataclass(frozen=True)
class Step:
    """One step of a process.

    holder: who has the process now, a name or a role in the nominative case, e.g. "the
    property manager Juha Mäkinen" (current steps only). due, due_label: by when the step is to
    be done and what that date means ("Answer due by"). on: the day a done step was done.
    final: the current step ends the process (it is over, there is nothing to wait for).
    note: one more line, e.g. an answer's outcome.
    """

    key: str
    label: str
    status: StepStatus
    on: date | None = None
    holder: str = ""
    due: date | None = None
    due_label: str = ""
    overdue_days: int = 0
    final: bool = False
    note: str = ""

    @property
    def current(self) -> bool:
        return self.status == StepStatus.current


def overdue_days(due: date | None, today: date) -> int:
    """How many days a deadline is past (0 while it is not)."""
    if due is None or today <= due:
        return 0
    return (today - due).days


def in_order(
    keys: list[str],
    current: str,
    labels: dict[str, str],
    *,
    done_on: dict[str, date | None] | None = None,
    skipped: set[str] | None = None,
    final: bool = False,
    holder: str = "",
    due: date | None = None,
    due_label: str = "",
    today: date | None = None,
    note: str = "",
) -> list[Step]:
    """Steps in the order of keys: those before current done (or skipped), current current,
    the rest upcoming. The current step gets who has it, by when (overdue counted from today)
    and the note; a final current step is done as well as current, on its done_on day."""
    done_on = done_on or {}
    skipped = skipped or set()
    at = keys.index(current)
    steps: list[Step] = []
    for index, key in enumerate(keys):
        if index < at:
            status = StepStatus.skipped if key in skipped else StepStatus.done
            steps.append(Step(key, labels[key], status, on=done_on.get(key)))
        elif index == at:
            late = overdue_days(due, today) if today is not None and not final else 0
            steps.append(
                Step(
                    key,
                    labels[key],
                    StepStatus.current,
                    on=done_on.get(key) if final else None,
                    holder=holder,
                    due=due,
                    due_label=due_label,
                    overdue_days=late,
                    final=final,
                    note=note,
                )
            )
        else:
            steps.append(Step(key, labels[key], StepStatus.upcoming))
    return steps
