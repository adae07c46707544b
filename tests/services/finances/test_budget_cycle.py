"""The budget cycle: steps in order, who may take them, deadlines, reminders and mails."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import select

from app import policies
from app.errors import Conflict, ValidationFailed
from app.jobs import budget_cycle as budget_cycle_jobs
from app.models.audit import AuditEntry
from app.models.calendar import CalendarEvent, EventTemplate
from app.models.committees import Position
from app.models.finances import BudgetCycle, BudgetLine, CycleStep, UsageCharge
from app.models.people import StaffKind
from app.services.access.roles import load_principal
from app.services.finances import budget_cycle
from app.services.finances import budgets as finance_budgets
from app.services.finances import entries as finance_entries
from app.services.finances import figures as finances_service
from app.services.finances import imports as finance_import
from app.services.mail import delivery as mail_service
from tests.support import (
    fi,
    make_committee,
    make_house,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)

TODAY = date.today()
YEAR = TODAY.year + 1


@pytest.fixture()
def world(session):
    house = make_house(session, name="Aallokko")
    other = make_house(session, name="Bulevardi")
    chair = make_resident(session, house)
    resident = make_resident(session, house)
    make_committee(session, house, [(chair, Position.chair)])
    manager = make_manager(session, house)
    yte = make_resident(session, other)
    make_yte_term(session, [(yte, other)])
    management = make_staff(session, StaffKind.management)
    started = budget_cycle.start(session, YEAR, management.id, TODAY, url="http://x/b")
    cycles = {c.house_id: c for c in started}
    return {
        "house": house,
        "chair": chair,
        "resident": resident,
        "manager": manager,
        "yte": yte,
        "management": management,
        "cycle": cycles[house.id],
        "company": cycles[None],
        "started": started,
    }


def _who(session, person):
    return load_principal(session, person, TODAY)


def test_default_dates_follow_the_budget_info_sessions(session):
    dates = budget_cycle.default_dates(session, 2028)
    assert dates["kickoff_on"] == date(2027, 1, 20)
    assert dates["proposal_due"] == date(2027, 6, 10)
    assert dates["statement_due"] == date(2027, 7, 22)
    assert dates["confirmation_due"] == date(2027, 10, 15)
    assert dates["effective_from"] == date(2028, 3, 1)


def test_starting_makes_one_cycle_per_house_and_the_company_once(session, world):
    assert len(world["started"]) == 3
    again = budget_cycle.start(session, YEAR, world["management"].id, TODAY)
    assert again == []
    with pytest.raises(ValidationFailed):
        budget_cycle.start(session, 1999, None, TODAY)


def test_the_steps_in_order_set_the_usage_charge(session, world):
    cycle = world["cycle"]
    with pytest.raises(ValidationFailed) as bad:
        budget_cycle.advance(session, cycle, "statement", "Too early", world["chair"].id)
    assert "" in bad.value.errors
    with pytest.raises(ValidationFailed) as bad:
        budget_cycle.advance(session, cycle, "proposal", "Text", world["manager"].id, charge="x")
    assert "charge" in bad.value.errors
    budget_cycle.advance(
        session, cycle, "proposal", "Heating up 4 %", world["manager"].id, charge="11,80"
    )
    assert cycle.step == CycleStep.proposal and cycle.proposed_charge == Decimal("11.80")
    assert budget_cycle.deadline(cycle) == cycle.statement_due
    with pytest.raises(ValidationFailed) as stale:
        budget_cycle.advance(session, cycle, "statement", "Ok", world["chair"].id, version=1)
    assert "" in stale.value.errors
    budget_cycle.advance(session, cycle, "statement", "We agree", world["chair"].id)
    assert cycle.statement_by_id == world["chair"].id
    assert [s.statement_given for s in budget_cycle.statuses(session, YEAR)] == [
        False,
        False,
        True,
    ]
    budget_cycle.advance(session, cycle, "confirmation", "As proposed", world["management"].id)
    charge = session.exec(
        select(UsageCharge).where(UsageCharge.house_id == world["house"].id)
    ).one()
    assert (charge.effective_from, charge.amount) == (date(YEAR, 3, 1), Decimal("11.80"))
    budget_cycle.advance(session, cycle, "evaluation", "Went well", world["management"].id)
    assert cycle.step == CycleStep.evaluated and budget_cycle.deadline(cycle) is None


def test_whose_move_it_is(session, world):
    cycle, company = world["cycle"], world["company"]
    chair, manager = _who(session, world["chair"]), _who(session, world["manager"])
    resident, yte = _who(session, world["resident"]), _who(session, world["yte"])
    management = _who(session, world["management"])
    assert policies.can_take_budget_step(manager, cycle, "proposal")
    assert not policies.can_take_budget_step(chair, cycle, "proposal")
    assert policies.can_take_budget_step(chair, cycle, "statement")
    assert not policies.can_take_budget_step(resident, cycle, "statement")
    assert not policies.can_take_budget_step(manager, cycle, "confirmation")
    assert policies.can_take_budget_step(management, cycle, "confirmation")
    assert policies.can_take_budget_step(management, cycle, "evaluation")
    assert not policies.can_take_budget_step(management, cycle, "other")
    assert policies.can_take_budget_step(yte, company, "statement")
    assert not policies.can_take_budget_step(chair, company, "statement")
    assert policies.can_take_budget_step(management, company, "proposal")
    assert not policies.can_take_budget_step(manager, company, "proposal")
    # Seeing: the house's residents see its cycle; Haso-yte the company's, not the house's.
    assert policies.can_view_budget_cycle(resident, cycle)
    assert not policies.can_view_budget_cycle(yte, cycle)
    assert policies.can_view_budget_cycle(yte, company)
    assert not policies.can_view_budget_cycle(resident, company)
    assert not policies.can_view_budget_cycle(None, cycle)


def test_each_step_mails_the_right_people(session, connection, smtp, world):
    cycle = world["cycle"]
    budget_cycle.advance(
        session, cycle, "proposal", "Proposal text", world["manager"].id, charge="12"
    )
    budget_cycle.advance(session, cycle, "statement", "Statement text", world["chair"].id)
    budget_cycle.advance(session, cycle, "confirmation", "Taken in", world["management"].id)
    session.commit()
    mail_service.send_pending(connection)
    chair_mail = [smtp.text_of(m) for m in smtp.to(world["chair"].email)]
    assert len(chair_mail) == 3  # kick-off, proposal, confirmation
    assert any("Proposal text" in text for text in chair_mail)
    management_mail = [smtp.text_of(m) for m in smtp.to(world["management"].email)]
    # The company cycle's kick-off (management prepares its proposal), and the statement.
    assert len(management_mail) == 2 and any("Statement text" in t for t in management_mail)
    resident_mail = [smtp.text_of(m) for m in smtp.to(world["resident"].email)]
    assert len(resident_mail) == 1 and "Taken in" in resident_mail[0]
    yte_mail = smtp.to(world["yte"].email)
    assert len(yte_mail) == 1  # the company cycle's kick-off


def test_reminders_a_week_before_and_on_the_day_once(session, connection, smtp, world, monkeypatch):
    cycle = world["cycle"]
    cycle.proposal_due = date(2030, 6, 10)
    session.add(cycle)
    world["company"].step = CycleStep.evaluated
    session.add(world["company"])
    for other in world["started"]:
        if other.house_id not in (None, world["house"].id):
            other.step = CycleStep.evaluated
            session.add(other)
    assert budget_cycle.send_reminders(session, date(2030, 6, 2)) == 0
    assert budget_cycle.send_reminders(session, date(2030, 6, 3)) == 1  # the manager
    assert budget_cycle.send_reminders(session, date(2030, 6, 3)) == 0
    job = budget_cycle_jobs.send_reminders.__wrapped__
    monkeypatch.setattr(budget_cycle_jobs, "utcnow", lambda: datetime(2030, 6, 10, 6, tzinfo=UTC))
    assert job(session) == 1
    session.commit()
    mail_service.send_pending(connection)
    reminders = smtp.to(world["manager"].email)
    texts = [smtp.text_of(m) for m in reminders if "Aallokko" in smtp.text_of(m)]
    assert len(texts) == 3  # the kick-off and two reminders


def test_default_dates_come_from_the_annual_calendar(session):
    from app.services.calendar import defaults as calendar_defaults
    from app.services.calendar import generation as calendar_generation

    calendar_defaults.ensure_defaults(session)
    calendar_generation.generate(session, today=date(2027, 1, 1), months=12)
    events = {
        e.template_id: e.starts_at.date()
        for e in session.exec(select(CalendarEvent)).all()
        if e.starts_at.year == 2027
    }
    keys = {t.id: t.key for t in session.exec(select(EventTemplate))}
    by_key = {keys[t]: d for t, d in events.items() if t in keys}
    dates = budget_cycle.default_dates(session, 2028)
    assert dates["proposal_due"] == by_key["budget-info-june"]
    assert dates["confirmation_due"] == by_key["budget-info-october"]


# ---- the proposed budget per cost group ----


def _form(session, **by_code):
    """Every active cost group's field: 0, or the amount given by code."""
    return {
        finance_budgets.field_name(g): by_code.get(g.code, "0")
        for g in finances_service.groups(session)
    }


def _lines(session, house, year):
    found = session.exec(
        select(BudgetLine).where(BudgetLine.house_id == house.id, BudgetLine.year == year)
    )
    groups = {g.id: g.code for g in finances_service.groups(session)}
    return {groups[line.cost_group_id]: line.amount for line in found}


def test_the_form_starts_from_last_years_budget_or_the_actuals(session, world):
    finances_service.ensure_default_groups(session)
    house = world["house"]
    finance_entries.set_budget(session, house.id, YEAR - 1, {"heating": Decimal("24000")}, None)
    data = f"house;month;group;amount\n{house.code};{YEAR - 2}-05;cleaning;1 200,50\n"
    data += f"{house.code};{YEAR - 2}-06;cleaning;1000\n{house.code};{YEAR - 1}-01;water;300\n"
    assert finance_import.import_actuals(
        session, data.encode(), None, filename="x.csv", today=date(YEAR, 1, 1)
    ).ok
    proposal = finance_budgets.proposal(session, house.id, YEAR)
    rows = {r.group.code: r for r in proposal.rows}
    assert rows["heating"].prefill == Decimal("24000.00")
    assert rows["cleaning"].prefill == Decimal("2200.50")  # the last full year's actuals
    assert rows["water"].prefill == Decimal("300.00")  # only the running year has figures
    assert rows["water"].previous_actual == Decimal("300.00") and proposal.previous_months == 1
    assert rows["staff"].prefill is None
    values = proposal.form_values()
    assert values[finance_budgets.field_name(rows["cleaning"].group)] == "2200,50"
    assert values[finance_budgets.field_name(rows["staff"].group)] == ""


def test_the_proposal_stores_the_budget_lines_of_the_year(session, world):
    finances_service.ensure_default_groups(session)
    cycle, house, manager = world["cycle"], world["house"], world["manager"]
    form = _form(session, heating="25 100,50", cleaning="abc", water="1,234")
    form.pop(finance_budgets.field_name(finances_service.groups(session)[0]))  # staff: missing
    with pytest.raises(ValidationFailed) as bad:
        budget_cycle.advance(session, cycle, "proposal", "", manager.id, charge="x", amounts=form)
    by_code = {g.code: finance_budgets.field_name(g) for g in finances_service.groups(session)}
    # Every field's error at once, each tied to its field.
    assert {"charge", "text", by_code["staff"], by_code["cleaning"], by_code["water"]} <= set(
        bad.value.errors
    )
    assert by_code["heating"] not in bad.value.errors
    assert cycle.step == CycleStep.kickoff and _lines(session, house, YEAR) == {}
    form = _form(session, heating="25 100,50", repairs="12000")
    budget_cycle.advance(
        session, cycle, "proposal", "Heating up", manager.id, charge="11,80", amounts=form
    )
    lines = _lines(session, house, YEAR)
    assert len(lines) == len(finances_service.groups(session))
    assert lines["heating"] == Decimal("25100.50") and lines["repairs"] == Decimal("12000")
    assert lines["staff"] == Decimal("0")


def test_the_proposal_can_be_revised_until_confirmed(session, world):
    finances_service.ensure_default_groups(session)
    cycle, house, manager = world["cycle"], world["house"], world["manager"]
    budget_cycle.advance(
        session, cycle, "proposal", "First", manager.id, charge="11", amounts=_form(session)
    )
    before_deadline = datetime.combine(cycle.statement_due, time(12), tzinfo=UTC)
    budget_cycle.revise(
        session,
        cycle,
        "Second",
        manager.id,
        now=before_deadline,
        charge="11,50",
        amounts=_form(session, heating="900"),
    )
    assert cycle.proposal_text == "Second" and cycle.proposed_charge == Decimal("11.50")
    assert _lines(session, house, YEAR)["heating"] == Decimal("900")
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "budget_line", AuditEntry.action == "update")
    ).all()
    assert [Decimal(e.after["amount"]) for e in entries] == [Decimal("900")]
    # After the statement deadline: refused, and nothing changes.
    late = datetime.combine(cycle.statement_due + timedelta(days=1), time(12), tzinfo=UTC)
    with pytest.raises(ValidationFailed) as bad:
        budget_cycle.revise(
            session, cycle, "Late", manager.id, now=late, charge="12", amounts=_form(session)
        )
    assert bad.value.errors[""] == fi(
        "The statement deadline has passed: the proposal can no longer be revised."
    )
    budget_cycle.advance(session, cycle, "statement", "Ok", world["chair"].id)
    budget_cycle.advance(session, cycle, "confirmation", "As proposed", world["management"].id)
    with pytest.raises(ValidationFailed) as frozen:
        budget_cycle.revise(
            session, cycle, "Third", manager.id, charge="12", amounts=_form(session)
        )
    assert frozen.value.errors[""] == fi(
        "The budget has been confirmed: its amounts can no longer be changed."
    )
    with pytest.raises(ValidationFailed):
        finance_budgets.store(session, house.id, YEAR, {cycle.id: Decimal("1")}, None)
    assert _lines(session, house, YEAR)["heating"] == Decimal("900")


def test_who_may_revise_the_proposal(session, world):
    cycle, company = world["cycle"], world["company"]
    manager, chair = _who(session, world["manager"]), _who(session, world["chair"])
    management, resident = _who(session, world["management"]), _who(session, world["resident"])
    assert policies.can_revise_budget_proposal(manager, cycle)
    assert policies.can_revise_budget_proposal(management, cycle)
    assert not policies.can_revise_budget_proposal(chair, cycle)
    assert not policies.can_revise_budget_proposal(resident, cycle)
    assert not policies.can_revise_budget_proposal(None, cycle)
    assert not policies.can_revise_budget_proposal(management, company)


def _as_loaded_before(cycle, version, step):  # type: ignore[no-untyped-def]
    """The cycle as another request loaded it before the first one saved."""
    set_committed_value(cycle, "version", version)
    set_committed_value(cycle, "step", step)


def test_two_statements_from_the_same_version_do_not_both_save(session, world):
    cycle = world["cycle"]
    budget_cycle.advance(session, cycle, "proposal", "Proposal", world["manager"].id, charge="11")
    loaded, step = cycle.version, cycle.step
    budget_cycle.advance(session, cycle, "statement", "First", world["chair"].id, version=loaded)
    # The second member's request read the same version before the first was saved; its
    # transaction (here a savepoint) is rolled back with the conflict.
    _as_loaded_before(cycle, loaded, step)
    with pytest.raises(Conflict), session.begin_nested():
        budget_cycle.advance(
            session, cycle, "statement", "Second", world["chair"].id, version=loaded
        )
    stored = session.exec(
        select(BudgetCycle.statement_text).where(BudgetCycle.id == cycle.id)
    ).one()
    assert stored == "First"


def test_a_revision_from_an_old_version_does_not_overwrite(session, world):
    finances_service.ensure_default_groups(session)
    cycle, manager = world["cycle"], world["manager"]
    form = _form(session)
    budget_cycle.advance(
        session, cycle, "proposal", "Proposal", manager.id, charge="11", amounts=form
    )
    now = datetime.combine(cycle.statement_due, time(12), tzinfo=UTC)
    loaded, step = cycle.version, cycle.step
    budget_cycle.revise(
        session, cycle, "Revised once", manager.id, now=now, charge="12", amounts=form
    )
    _as_loaded_before(cycle, loaded, step)
    with pytest.raises(Conflict), session.begin_nested():
        budget_cycle.revise(
            session, cycle, "Revised again", manager.id, now=now, charge="13", amounts=form
        )
    stored = session.exec(select(BudgetCycle.proposal_text).where(BudgetCycle.id == cycle.id)).one()
    assert stored == "Revised once"


def _mailed(session, cycle, move) -> dict[int, str]:
    """Who was mailed about a move, with the mail's text."""
    from app.models.mail import Delivery

    rows = session.exec(
        select(Delivery).where(Delivery.message_key == f"budget-cycle:{cycle.id}:{move}")
    )
    return {d.person_id: d.body_text for d in rows if d.person_id is not None}


def test_each_move_reaches_whoever_acts_next_and_who_else_is_concerned(session, world):
    """The table cycle_steps.TOLD walked for a house: the actor never hears of their own move."""
    cycle = world["cycle"]
    chair, manager, management = world["chair"], world["manager"], world["management"]
    resident = world["resident"]
    kickoff = _mailed(session, cycle, "kickoff")
    assert set(kickoff) == {manager.id, chair.id}
    assert (
        fi(
            "Prepare the budget and usage-charge proposal in the portal by %(date)s; "
            "the statement on it is due on %(statement)s.",
            date="",
            statement="",
        )[:20]
        in (kickoff[manager.id])
    )
    # step, actor, who acts next, who else is told, who is not told
    steps = [
        ("proposal", manager, [chair], [], [manager, resident, management]),
        ("statement", chair, [management], [manager], [chair, resident]),
        ("confirmation", management, [], [manager, chair, resident], [management]),
        ("evaluation", management, [], [manager, chair], [management, resident]),
    ]
    for move, actor, acts, others, untold in steps:
        budget_cycle.advance(
            session, cycle, move, "Teksti", actor.id, charge="11,80" if move == "proposal" else ""
        )
        mailed = _mailed(session, cycle, move)
        assert {p.id for p in acts + others} <= set(mailed), move
        assert not {p.id for p in untold} & set(mailed), move
    # The property manager who wrote the proposal hears of the statement, without being asked
    # to confirm; management is asked.
    statement = _mailed(session, cycle, "statement")
    confirm = fi("Confirm the budget by %(date)s.", date="")[:12]
    assert confirm in statement[management.id] and confirm not in statement[manager.id]


def test_the_steps_await_whoever_acts_next_on_their_front_page_overdue_flagged(session, world):
    from app.services.finances import cycle_mail, cycle_steps
    from app.services.overview import home

    cycle = world["cycle"]
    for days, name in enumerate(("proposal_due", "statement_due", "confirmation_due"), 1):
        setattr(cycle, name, TODAY + timedelta(days=10 * days))
    session.add(cycle)
    manager = _who(session, world["manager"])
    texts = [t.text for t in cycle_mail.tasks_for(session, manager, TODAY)]
    assert any("Aallokko" in t for t in texts)
    late = cycle.proposal_due + timedelta(days=1)
    (task,) = [t for t in cycle_mail.tasks_for(session, manager, late) if "Aallokko" in t.text]
    assert task.overdue and task.url == f"/budget-cycles/{cycle.id}"
    assert cycle_steps.overdue(cycle, late) and not cycle_steps.overdue(cycle, TODAY)
    front = home.tasks(session, manager, datetime.combine(late, time(12), tzinfo=UTC))
    assert any(t.overdue and "Aallokko" in t.text for t in front)

    budget_cycle.advance(session, cycle, "proposal", "Ehdotus", world["manager"].id, charge="12")
    chair = _who(session, world["chair"])
    assert [t.url for t in cycle_mail.tasks_for(session, chair, TODAY)] == [
        f"/budget-cycles/{cycle.id}"
    ]
    assert not [t for t in cycle_mail.tasks_for(session, manager, TODAY) if "Aallokko" in t.text]
    # A statement given after its deadline is marked late.
    cycle.statement_due = TODAY - timedelta(days=2)
    budget_cycle.advance(session, cycle, "statement", "Lausunto", world["chair"].id)
    assert cycle_steps.statement_late(cycle)
    boss = _who(session, world["management"])
    grouped = cycle_mail.tasks_for(session, boss, TODAY)
    assert any(t.url == f"/budget-cycles?year={YEAR}" for t in grouped)


def test_the_proposal_shows_the_change_from_the_present_charge(session, world):
    house, cycle = world["house"], world["cycle"]
    house.floor_area, house.apartments = Decimal("3000"), 50  # 60 m² on average
    session.add(house)
    finance_entries.set_usage_charge(
        session, house.id, cycle.effective_from - timedelta(days=400), Decimal("10.00"), None
    )
    budget_cycle.advance(session, cycle, "proposal", "Ehdotus", world["manager"].id, charge="11")
    change = finance_budgets.charge_change(session, house, cycle)
    assert change is not None
    assert change.present == Decimal("10.00") and change.percent == Decimal("10.0")
    assert change.area == Decimal("60") and change.monthly == Decimal("60.00")
