"""Budget-cycle mail: each move told to whoever acts next (what to do, by when) and to the others
concerned, as the table cycle_steps.TOLD says; reminders before each deadline."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.i18n import N_, _, ngettext
from app.jinja import fmt_date
from app.models.calendar import Audience
from app.models.finances import BudgetCycle, CycleStep
from app.models.houses import House
from app.models.people import Person
from app.services.access import audiences
from app.services.access.roles import Principal
from app.services.finances.cycle_steps import (
    MOVE_TO,
    MOVES,
    PARTICIPATION,
    REMIND_DAYS,
    TOLD,
    deadline,
)
from app.services.mail import delivery as mail_service


def _people_of(session: Session, cycle: BudgetCycle, role: str, today: date) -> set[int]:
    """The people of a role in a cycle (see TOLD)."""
    if role == "body":
        audience = Audience.yte if cycle.house_id is None else Audience.house_committee
        return audiences.person_ids(session, audience, cycle.house_id, today)
    if role == "preparer" and cycle.house_id is not None:
        house = session.get(House, cycle.house_id)
        return {house.property_manager_id} if house and house.property_manager_id else set()
    if role == "residents":
        if cycle.house_id is None:
            return set()
        return audiences.person_ids(session, Audience.house_residents, cycle.house_id, today)
    return audiences.person_ids(session, Audience.management, None, today)  # management


def recipients(
    session: Session, cycle: BudgetCycle, move: str, today: date, actor_id: int | None = None
) -> dict[int, bool]:
    """Who hears of a move, by person id: True for whoever acts next. Never the actor."""
    acts, others = TOLD[move]
    told: dict[int, bool] = {}
    for role in others:
        told |= dict.fromkeys(_people_of(session, cycle, role, today), False)
    if acts is not None:
        told |= dict.fromkeys(_people_of(session, cycle, acts, today), True)
    told.pop(actor_id or 0, None)
    return told


def notify(
    session: Session,
    cycle: BudgetCycle,
    move: str,
    today: date,
    url: str,
    actor_id: int | None = None,
) -> None:
    house = session.get(House, cycle.house_id) if cycle.house_id else None
    told = recipients(session, cycle, move, today, actor_id)
    if not told:
        return
    people = session.exec(select(Person).where(col(Person.id).in_(sorted(told))))
    for person in people:
        mail_service.queue(
            session,
            f"budget-cycle:{cycle.id}:{move}",
            person,
            "budget_cycle_step",
            cycle=cycle,
            house=house,
            move=move,
            acts=told[person.id or 0],
            participation=PARTICIPATION[MOVES[move][1] if move in MOVES else CycleStep.kickoff],
            url=url,
        )


def responsible(session: Session, cycle: BudgetCycle, today: date) -> set[int]:
    """Who must take the cycle's next step."""
    acts = TOLD[MOVE_TO[cycle.step]][0]
    return _people_of(session, cycle, acts, today) if acts is not None else set()


def send_reminders(session: Session, today: date, url: str = "") -> int:
    """Remind whoever must act a week before a step's deadline and on the day; each once."""
    sent = 0
    open_cycles = session.exec(
        select(BudgetCycle).where(col(BudgetCycle.step) != CycleStep.evaluated)
    ).all()
    for cycle in open_cycles:
        due = deadline(cycle)
        if due is None:
            continue
        lead = (due - today).days
        if lead not in (REMIND_DAYS, 0):
            continue
        ids = responsible(session, cycle, today)
        people: list[Person] = (
            list(session.exec(select(Person).where(col(Person.id).in_(sorted(ids))))) if ids else []
        )
        house = session.get(House, cycle.house_id) if cycle.house_id else None
        for person in people:
            key = f"budget-cycle:{cycle.id}:{cycle.step.value}:remind-{lead}"
            if mail_service.queue(
                session,
                key,
                person,
                "budget_cycle_reminder",
                cycle=cycle,
                house=house,
                due=due,
                url=url,
            ):
                sent += 1
    return sent


@dataclass
class CycleTask:
    """A budget-cycle step that awaits a person, for the front page."""

    text: str
    url: str
    overdue: bool
    due: date | None = None  # the deadline (the front page marks it up as a date)


def tasks_for(session: Session, user: Principal, today: date) -> list[CycleTask]:
    """The budget-cycle steps that await the person (cycle_steps.TOLD: who acts next), each with
    its deadline; management's, which concern every house, grouped per step."""
    query = select(BudgetCycle).where(col(BudgetCycle.step) != CycleStep.evaluated)
    if not user.is_management:
        # Only the cycles of the person's own houses (and the company's, for Haso-yte) can be
        # theirs: a resident without such a role reads nothing.
        own = user.manager_of | user.committee_of
        if not own and not user.yte_member:
            return []
        of_own = col(BudgetCycle.house_id).in_(sorted(own))
        query = query.where(
            or_(of_own, col(BudgetCycle.house_id).is_(None)) if user.yte_member else of_own
        )
    open_cycles = session.exec(query).all()
    wanted = {c.house_id for c in open_cycles if c.house_id is not None}
    houses = dict(session.exec(select(House.id, House.name).where(col(House.id).in_(wanted))).all())
    found: list[CycleTask] = []
    grouped: dict[str, list[BudgetCycle]] = {}
    for cycle in open_cycles:
        acts = TOLD[MOVE_TO[cycle.step]][0]
        due = deadline(cycle)
        if acts is None or due is None:
            continue
        mine = (
            (acts == "preparer" and cycle.house_id in user.manager_of)
            or (acts == "body" and cycle.house_id in user.committee_of)
            or (acts == "body" and cycle.house_id is None and user.yte_member)
        )
        if mine:
            whose = houses.get(cycle.house_id, "") if cycle.house_id else _("the company")
            found.append(
                CycleTask(
                    _(ACT_TEXT[cycle.step], whose=whose, date=fmt_date(due)),
                    f"/budget-cycles/{cycle.id}",
                    today > due,
                    due,
                )
            )
        elif user.is_management and (
            acts == "management" or (acts == "preparer" and cycle.house_id is None)
        ):
            grouped.setdefault(cycle.step.value, []).append(cycle)
    for step, cycles in grouped.items():
        first = min(c for c in (deadline(c) for c in cycles) if c is not None)
        year = cycles[0].year
        found.append(
            CycleTask(
                _group_text(CycleStep(step), len(cycles), fmt_date(first)),
                f"/budget-cycles?year={year}",
                today > first,
                first,
            )
        )
    return found


# What the person who acts next is to do, per step (msgids; whose, date).
ACT_TEXT = {
    CycleStep.kickoff: N_("Prepare the budget proposal of %(whose)s by %(date)s"),
    CycleStep.proposal: N_("Give the statement on the budget proposal of %(whose)s by %(date)s"),
    CycleStep.statement: N_("Confirm the budget of %(whose)s by %(date)s"),
    CycleStep.confirmed: N_("Evaluate the budgeting process of %(whose)s by %(date)s"),
}


def _group_text(step: CycleStep, num: int, day: str) -> str:
    """Management's task for the cycles at one step, counted."""
    if step == CycleStep.kickoff:
        return ngettext(
            "Prepare %(num)s budget proposal (first deadline %(date)s)",
            "Prepare %(num)s budget proposals (first deadline %(date)s)",
            num,
            date=day,
        )
    if step == CycleStep.statement:
        return ngettext(
            "Confirm %(num)s budget (first deadline %(date)s)",
            "Confirm %(num)s budgets (first deadline %(date)s)",
            num,
            date=day,
        )
    return ngettext(
        "Evaluate %(num)s budgeting process (first deadline %(date)s)",
        "Evaluate %(num)s budgeting processes (first deadline %(date)s)",
        num,
        date=day,
    )
