"""The yearly budget cycle of a house, and of the company with Haso-yte.

kick-off → the property manager publishes the budget and usage-charge proposal → the committee
(Haso-yte for the company) gives its statement by a deadline → management confirms the budget,
recording how the statement was taken into account, and the new usage charge takes effect on its
date → the process is evaluated. Each step has its kind of participation, tells the right people
and has a deadline that the daily job reminds of.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from app.errors import ValidationFailed
from app.i18n import _
from app.models.calendar import Audience, CalendarEvent, EventKind, EventTemplate
from app.models.finances import BudgetCycle, CycleStep
from app.models.houses import House
from app.models.types import local_date, utcnow
from app.services.calendar import linked as calendar_linked
from app.services.finances import budgets as finance_budgets
from app.services.finances import cycle_mail
from app.services.finances import entries as finance_entries
from app.services.finances.cycle_steps import MOVES, PARTICIPATION, deadline
from app.services.platform import audit, versioning


def _show_statement_deadline(session: Session, cycle: BudgetCycle, actor_id: int | None) -> None:
    """The statement's deadline in the calendar of the committee (Haso-yte) that gives it."""
    starts_at, ends_at = calendar_linked.whole_days(cycle.statement_due, cycle.statement_due)
    company = cycle.house_id is None
    calendar_linked.show_entry(
        session,
        f"budget-cycle:{cycle.id}:statement",
        calendar_linked.Entry(
            kind=EventKind.event,
            titles={
                "fi": f"Talousarviolausunnon määräpäivä {cycle.year}",
                "sv": f"Sista dag för budgetutlåtandet {cycle.year}",
                "en": f"Budget statement due {cycle.year}",
            },
            starts_at=starts_at,
            ends_at=ends_at,
            audience=Audience.yte if company else Audience.house_committee,
            house_id=cycle.house_id,
            participation=PARTICIPATION[CycleStep.statement],
        ),
        actor_id,
    )


def _event_day(session: Session, key: str, year: int, fallback: date) -> date:
    """The day of the annual calendar's event of a template key in a year (else a fallback)."""
    found = session.exec(
        select(CalendarEvent.starts_at)
        .join(EventTemplate, col(EventTemplate.id) == CalendarEvent.template_id)
        .where(
            EventTemplate.key == key,
            col(CalendarEvent.starts_at) >= datetime(year, 1, 1, tzinfo=UTC),
            col(CalendarEvent.starts_at) < datetime(year + 1, 1, 1, tzinfo=UTC),
        )
        .order_by(col(CalendarEvent.starts_at))
    ).first()
    return local_date(found) if found else fallback


def default_dates(session: Session, year: int) -> dict[str, date]:
    """The steps' dates for budget year `year`, prepared in the year before it: kick-off at
    January's budget info, proposals by June's, confirmed budgets by October's, the usage
    charge in effect from 1 March."""
    prepared = year - 1
    kickoff = _event_day(session, "budget-info-january", prepared, date(prepared, 1, 20))
    proposal = _event_day(session, "budget-info-june", prepared, date(prepared, 6, 10))
    confirmation = _event_day(session, "budget-info-october", prepared, date(prepared, 10, 15))
    statement = min(proposal + timedelta(days=42), confirmation - timedelta(days=14))
    return {
        "kickoff_on": kickoff,
        "proposal_due": proposal,
        "statement_due": statement,
        "confirmation_due": confirmation,
        "effective_from": date(year, 3, 1),
        "evaluation_due": date(year, 4, 30),
    }


def get(session: Session, cycle_id: int) -> BudgetCycle | None:
    """A cycle by id."""
    return session.get(BudgetCycle, cycle_id)


def cycles(session: Session, year: int) -> list[BudgetCycle]:
    """A budget year's cycles: the company's first, then the houses'."""
    found = session.exec(select(BudgetCycle).where(BudgetCycle.year == year)).all()
    return sorted(found, key=lambda c: (c.house_id is not None, c.house_id or 0))


def start(
    session: Session, year: int, actor_id: int | None, today: date, url: str = ""
) -> list[BudgetCycle]:
    """Start a budget year's cycles for every house and the company (missing ones only)."""
    if year < 2000 or year > today.year + 2:
        raise ValidationFailed({"year": _("Choose a budget year from the list.")})
    existing = {c.house_id for c in cycles(session, year)}
    dates = default_dates(session, year)
    house_ids: list[int | None] = [None]
    house_ids += [h for h in session.exec(select(House.id).order_by(col(House.id))) if h]
    started = []
    for house_id in house_ids:
        if house_id in existing:
            continue
        cycle = BudgetCycle.model_validate({"year": year, "house_id": house_id, **dates})
        session.add(cycle)
        session.flush()
        audit.record(session, actor_id, "create", cycle)
        _show_statement_deadline(session, cycle, actor_id)
        cycle_mail.notify(session, cycle, "kickoff", today, url)
        started.append(cycle)
    return started


def advance(
    session: Session,
    cycle: BudgetCycle,
    move: str,
    text: str,
    actor_id: int,
    *,
    now: datetime | None = None,
    charge: str = "",
    amounts: dict[str, str] | None = None,
    version: int | None = None,
    url: str = "",
) -> BudgetCycle:
    """Take a step: publish the proposal (for a house with its budget per cost group and the
    usage charge), give the statement, confirm or evaluate."""
    now = now or utcnow()
    start_step, next_step = MOVES[move]
    if version is not None and version != cycle.version:
        raise ValidationFailed({"": _("Someone else changed the budget cycle meanwhile.")})
    if cycle.step != start_step:
        raise ValidationFailed({"": _("This step cannot be taken now.")})
    before = audit.snapshot(cycle)
    loaded = cycle.version
    if move == "proposal":
        _set_proposal(session, cycle, text, charge, amounts or {}, actor_id, now)
    elif move == "statement":
        text = _text(text)
        cycle.statement_text, cycle.statement_by_id, cycle.statement_at = text, actor_id, now
    elif move == "confirmation":
        text = _text(text)
        cycle.confirmation_text, cycle.confirmed_at = text, now
        if cycle.house_id is not None and cycle.proposed_charge is not None:
            finance_entries.set_usage_charge(
                session, cycle.house_id, cycle.effective_from, cycle.proposed_charge, actor_id
            )
    else:
        text = _text(text)
        cycle.evaluation_text, cycle.evaluated_at = text, now
    cycle.step = next_step
    # The database's own check, once the step is valid: of two steps taken at once from the same
    # version (two members giving the statement), the second finds the row moved on and gets the
    # conflict page, its transaction rolled back.
    versioning.bump(session, cycle, loaded)
    session.add(cycle)
    session.flush()
    audit.record(session, actor_id, "update", cycle, before)
    cycle_mail.notify(session, cycle, move, local_date(now), url, actor_id)
    return cycle


def _text(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise ValidationFailed({"text": _("This field is required.")})
    if len(text) > 10000:
        raise ValidationFailed({"text": _("Enter at most %(n)s characters.", n=10000)})
    return text


def _set_proposal(
    session: Session,
    cycle: BudgetCycle,
    text: str,
    charge: str,
    amounts: dict[str, str],
    actor_id: int,
    now: datetime,
) -> None:
    """Check every field of the proposal (errors of all fields at once), then store it: the
    text, the usage charge and, for a house, the budget lines of the cycle's year."""
    errors: dict[str, str] = {}
    values: dict[int, Decimal] = {}
    proposed_charge: Decimal | None = None
    try:
        text = _text(text)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if cycle.house_id is not None:
        try:
            proposed_charge = _charge(charge)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        try:
            values = finance_budgets.parse_amounts(session, amounts)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    if cycle.house_id is not None:
        finance_budgets.store(session, cycle.house_id, cycle.year, values, actor_id)
    cycle.proposal_text, cycle.proposed_charge = text, proposed_charge
    cycle.proposed_at = cycle.proposed_at or now


def revisable(cycle: BudgetCycle, today: date) -> bool:
    """A house's published proposal can be revised until the statement deadline, and never once
    the budget is confirmed."""
    return (
        cycle.house_id is not None
        and cycle.step in (CycleStep.proposal, CycleStep.statement)
        and today <= cycle.statement_due
    )


def revise(
    session: Session,
    cycle: BudgetCycle,
    text: str,
    actor_id: int,
    *,
    now: datetime | None = None,
    charge: str = "",
    amounts: dict[str, str] | None = None,
    version: int | None = None,
) -> BudgetCycle:
    """Revise a house's published proposal: its explanation, usage charge and budget lines."""
    now = now or utcnow()
    if version is not None and version != cycle.version:
        raise ValidationFailed({"": _("Someone else changed the budget cycle meanwhile.")})
    if cycle.confirmed_at is not None or cycle.step in (CycleStep.confirmed, CycleStep.evaluated):
        raise ValidationFailed(
            {"": _("The budget has been confirmed: its amounts can no longer be changed.")}
        )
    if not revisable(cycle, local_date(now)):
        if cycle.step == CycleStep.kickoff or cycle.house_id is None:
            raise ValidationFailed({"": _("This step cannot be taken now.")})
        raise ValidationFailed(
            {"": _("The statement deadline has passed: the proposal can no longer be revised.")}
        )
    before = audit.snapshot(cycle)
    loaded = cycle.version
    _set_proposal(session, cycle, text, charge, amounts or {}, actor_id, now)
    versioning.bump(session, cycle, loaded)
    session.add(cycle)
    session.flush()
    audit.record(session, actor_id, "update", cycle, before)
    return cycle


def _charge(raw: str) -> Decimal:
    from app.services.platform.csv_reading import BadCell, parse_decimal

    try:
        value = parse_decimal(raw.strip()) if raw.strip() else None
    except BadCell as exc:
        raise ValidationFailed({"charge": exc.reason}) from None
    if value is None:
        raise ValidationFailed({"charge": _("This field is required.")})
    if value <= 0 or value > 100 or value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(
            {"charge": _("Enter the usage charge in €/m² per month, e.g. 11,55.")}
        )
    return value


@dataclass
class StatementStatus:
    """One cycle in management's list: whether the statement has come."""

    cycle: BudgetCycle
    house: House | None

    @property
    def statement_given(self) -> bool:
        """The committee (or Haso-yte) has given its statement."""
        return self.cycle.statement_at is not None


# What the pages and the daily job use, under the names they have always had.
send_reminders = cycle_mail.send_reminders
__all__ = ["MOVES", "PARTICIPATION", "deadline", "send_reminders"]


def statuses(session: Session, year: int) -> list[StatementStatus]:
    """Every cycle of a budget year with its house, statements missing first."""
    houses = {h.id: h for h in session.exec(select(House))}
    found = [StatementStatus(c, houses.get(c.house_id)) for c in cycles(session, year)]
    return sorted(found, key=lambda s: (s.statement_given, s.house.name if s.house else ""))
