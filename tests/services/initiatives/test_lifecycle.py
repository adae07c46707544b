"""The initiative lifecycle: every move from every state, for every kind of actor.

TRANSITIONS × State: a move from a state outside its sources is refused at "action", naming the
state; from a source state a bystander is Forbidden; each actor kind that the move names can make
it, and the move leaves a history row and an audit row.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app import i18n
from app.config import get_settings
from app.errors import Forbidden, ValidationFailed
from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.initiatives import (
    AnswerInput,
    EvaluationInput,
    Initiative,
    InitiativeEvent,
    Outcome,
    State,
)
from app.models.people import Person, StaffKind
from app.models.types import local_date, utcnow
from app.services.access.roles import Principal, load_principal
from app.services.initiatives import following, lifecycle, transitions
from app.services.initiatives import records as initiatives_service
from tests.support import (
    make_committee,
    make_house,
    make_initiative,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)


@pytest.fixture(autouse=True)
def english():
    """Messages in English, whatever catalogues exist."""
    with i18n.use_language("en"):
        yield


@dataclass
class World:
    """Two houses and a company, with one person for every role."""

    session: Session
    houses: dict[str, Any]
    people: dict[str, Person]

    def user(self, name: str) -> Principal:
        """The named person's roles today."""
        return load_principal(self.session, self.people[name], local_date(utcnow()))


def build_world(session: Session) -> World:
    """House A (resident, member, chair, manager), house B (resident, chair, manager), Haso-yte
    (two chairs of other houses), staff (adviser, another adviser to assign, management, admin)."""
    a, b, c, d = (make_house(session, name=n) for n in ("Talo A", "Talo B", "Talo C", "Talo D"))
    p: dict[str, Person] = {}
    p["resident_a"] = make_resident(session, a)
    p["member_a"] = make_resident(session, a)
    p["chair_a"] = make_resident(session, a)
    make_committee(session, a, [(p["chair_a"], Position.chair), (p["member_a"], Position.member)])
    p["resident_b"] = make_resident(session, b)
    p["chair_b"] = make_resident(session, b)
    make_committee(session, b, [(p["chair_b"], Position.chair)])
    p["yte"] = make_resident(session, c)
    make_committee(session, c, [(p["yte"], Position.chair)])
    p["yte2"] = make_resident(session, d)
    make_committee(session, d, [(p["yte2"], Position.chair)])
    make_yte_term(session, [(p["yte"], c), (p["yte2"], d)])
    p["manager_a"] = make_manager(session, a)
    p["manager_b"] = make_manager(session, b)
    p["adviser"] = make_staff(session, StaffKind.housing_adviser)
    p["assignee"] = make_staff(session, StaffKind.housing_adviser)
    p["management"] = make_staff(session, StaffKind.management)
    p["admin"] = make_staff(session, StaffKind.admin)
    session.flush()
    return World(session, {"a": a, "b": b, "c": c, "d": d}, p)


@pytest.fixture()
def world(session) -> World:
    return build_world(session)


def initiative_in(world: World, state: State, scope: str = "house", **fields: Any) -> Initiative:
    """An initiative in a state: house A's filed by chair_a, or a company one filed by yte;
    a suggestion (or a declined one) is resident_a's."""
    house = world.houses["a"] if scope == "house" else None
    filer = world.people["chair_a"] if scope == "house" else world.people["yte"]
    if state in (State.suggested, State.declined):
        fields.setdefault("suggested_by_id", world.people["resident_a"].id)
        filer = None
    return make_initiative(world.session, filer, house, state, **fields)


def move_data(world: World, action: str) -> dict[str, Any]:
    """What a move needs besides its name."""
    if action == "assign":
        return {"assignee_id": world.people["assignee"].id}
    if action == "answer":
        return {"answer": AnswerInput(outcome=Outcome.accepted, answer="We will fix the lights.")}
    if action == "evaluate":
        return {"evaluation": EvaluationInput(rating=4, comment="Works well.")}
    return {}


# ---- refused from states outside the sources ----------------------------------------------

OUTSIDE = [(t.action, s) for t in lifecycle.TRANSITIONS for s in State if s not in t.sources]


@pytest.mark.parametrize(("action", "state"), OUTSIDE, ids=[f"{a}-{s}" for a, s in OUTSIDE])
def test_a_move_from_a_state_outside_its_sources_is_refused(world, action, state):
    initiative = initiative_in(world, state)
    before = initiative.version
    # Even the most powerful user: the state decides first.
    for name in ("admin", "chair_a"):
        with pytest.raises(ValidationFailed) as refused:
            transitions.transition(
                world.session, initiative, action, world.user(name), **move_data(world, action)
            )
        message = refused.value.errors["action"]
        assert lifecycle.STATE_LABELS[state] in message
        assert lifecycle.BY_ACTION[action].label in message
    assert initiative.state == state and initiative.version == before
    assert initiatives_service.history(world.session, initiative.id) == []


def test_an_unknown_move_is_refused_at_action(world):
    initiative = initiative_in(world, State.draft)
    with pytest.raises(ValidationFailed) as refused:
        transitions.transition(world.session, initiative, "publish", world.user("chair_a"))
    assert refused.value.errors == {"action": "There is no such step for an initiative."}


# ---- refused to those who are not actors ---------------------------------------------------

INSIDE = [(t.action, s) for t in lifecycle.TRANSITIONS for s in sorted(t.sources)]


@pytest.mark.parametrize(("action", "state"), INSIDE, ids=[f"{a}-{s}" for a, s in INSIDE])
def test_a_bystander_is_forbidden_every_move(world, action, state):
    initiative = initiative_in(world, state)
    # resident_a sees house A's initiatives but is none of the actors (not the suggester here).
    if state == State.suggested:
        initiative.suggested_by_id = world.people["resident_b"].id
    outsiders = ["resident_a", "manager_b", "adviser", "yte"]
    for name in outsiders:
        with pytest.raises(Forbidden):
            transitions.transition(
                world.session, initiative, action, world.user(name), **move_data(world, action)
            )
    assert initiative.state == state
    assert initiatives_service.history(world.session, initiative.id) == []


# ---- every allowed move, for every actor kind ----------------------------------------------

# (action, actor kind) → who plays that actor, per scope.
PLAYERS: dict[str, dict[str, list[str]]] = {
    "filer": {"house": ["chair_a"], "company": ["yte"]},
    "committee": {"house": ["member_a", "chair_a"], "company": []},
    "recipient": {
        "house": ["manager_a", "management", "admin"],
        "company": ["management", "admin"],
    },
    "handler": {
        "house": ["manager_a", "management", "admin", "assignee"],
        "company": ["management", "admin", "assignee"],
    },
    "evaluator": {"house": ["chair_a", "member_a"], "company": ["yte", "yte2"]},
}


def _allowed_cases() -> list[tuple[str, State, str, str]]:
    cases = []
    for move in lifecycle.TRANSITIONS:
        for state in sorted(move.sources):
            for scope in ("house", "company"):
                if state == State.suggested and scope == "company":
                    continue  # suggestions are made to a house's committee
                for actor in sorted(move.actors):
                    for name in PLAYERS[actor][scope]:
                        if state == State.suggested and actor == "filer":
                            name = "resident_a"  # the suggester
                        cases.append((move.action, state, scope, name))
    return sorted(set(cases))


ALLOWED = _allowed_cases()


@pytest.mark.parametrize(
    ("action", "state", "scope", "name"), ALLOWED, ids=["-".join(map(str, c)) for c in ALLOWED]
)
def test_each_actor_makes_each_allowed_move(world, action, state, scope, name):
    fields: dict[str, Any] = {}
    if name == "assignee":
        fields["assignee_id"] = world.people["assignee"].id
    initiative = initiative_in(world, state, scope, **fields)
    user = world.user(name)
    assert action in {t.action for t in lifecycle.moves_from(state)}
    event = transitions.transition(
        world.session, initiative, action, user, **move_data(world, action)
    )
    target = lifecycle.BY_ACTION[action].target
    assert initiative.state == target
    assert initiative.version == 2
    assert (event.action, event.from_state, event.to_state, event.actor_id) == (
        action,
        state,
        target,
        user.id,
    )
    audits = world.session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "initiative", AuditEntry.entity_id == str(initiative.id)
        )
    ).all()
    assert [a.actor_id for a in audits] == [user.id]
    after = audits[0].after
    assert after is not None and after["version"] == 2
    if state != target:  # a re-assignment keeps the state
        assert audits[0].before is not None
        assert (audits[0].before["state"], after["state"]) == (state.value, target.value)


# ---- what each move records ----------------------------------------------------------------


def test_submit_sets_the_receipt_deadline(world):
    initiative = initiative_in(world, State.draft)
    now = utcnow()
    transitions.transition(world.session, initiative, "submit", world.user("chair_a"), now)
    day = local_date(now)
    assert initiative.submitted_at == now
    assert initiative.receipt_due_on == day + timedelta(days=get_settings().initiative_receipt_days)


def test_receive_sets_the_answer_deadline(world, monkeypatch):
    monkeypatch.setattr(get_settings(), "initiative_answer_days", 30)
    initiative = initiative_in(world, State.submitted)
    now = utcnow()
    transitions.transition(world.session, initiative, "receive", world.user("manager_a"), now)
    assert initiative.received_at == now
    assert initiative.answer_due_on == local_date(now) + timedelta(days=30)


def test_assign_names_a_staff_member_who_then_follows_and_may_answer(world):
    initiative = initiative_in(world, State.received)
    assignee = world.people["assignee"]
    transitions.transition(
        world.session,
        initiative,
        "assign",
        world.user("manager_a"),
        assignee_id=assignee.id,
    )
    assert initiative.assignee_id == assignee.id and initiative.state == State.in_preparation
    assert following.is_following(world.session, initiative, assignee.id)
    [event] = initiatives_service.history(world.session, initiative.id)
    assert event.changes == {"assignee_id": assignee.id}
    transitions.transition(
        world.session,
        initiative,
        "answer",
        world.user("assignee"),
        answer=AnswerInput(outcome=Outcome.partly_accepted, answer="  Partly.  "),
    )
    assert initiative.answer == "Partly." and initiative.answered_by_id == assignee.id


@pytest.mark.parametrize("who", [None, "resident_a", "missing"])
def test_assign_needs_an_active_staff_member(world, who):
    initiative = initiative_in(world, State.received)
    person_id = {None: None, "resident_a": world.people["resident_a"].id, "missing": 999999}[who]
    with pytest.raises(ValidationFailed) as refused:
        transitions.transition(
            world.session, initiative, "assign", world.user("manager_a"), assignee_id=person_id
        )
    assert set(refused.value.errors) == {"assignee_id"}
    assert initiative.state == State.received and initiative.version == 1


def test_assign_refuses_an_inactive_staff_member(world):
    world.people["assignee"].is_active = False
    initiative = initiative_in(world, State.received)
    with pytest.raises(ValidationFailed) as refused:
        transitions.transition(
            world.session,
            initiative,
            "assign",
            world.user("manager_a"),
            assignee_id=world.people["assignee"].id,
        )
    assert refused.value.errors == {"assignee_id": "Choose a staff member of the company."}


def test_answer_needs_an_outcome_and_a_text(world):
    initiative = initiative_in(world, State.received)
    manager = world.user("manager_a")
    with pytest.raises(ValidationFailed) as refused:
        transitions.transition(world.session, initiative, "answer", manager)
    assert refused.value.errors == {"answer": "Write the answer."}
    with pytest.raises(ValidationFailed) as both:
        transitions.move(world.session, initiative, "answer", manager, answer_text="  ")
    assert set(both.value.errors) == {"outcome", "answer"}
    with pytest.raises(ValidationFailed) as outcome:
        transitions.move(world.session, initiative, "answer", manager, answer_text="Yes")
    assert set(outcome.value.errors) == {"outcome"}
    assert initiative.state == State.received and initiative.version == 1
    now = utcnow()
    transitions.move(
        world.session,
        initiative,
        "answer",
        manager,
        now,
        outcome=Outcome.rejected,
        answer_text="No budget this year.",
    )
    assert initiative.state == State.answered
    assert (initiative.outcome, initiative.answer, initiative.answered_at) == (
        Outcome.rejected,
        "No budget this year.",
        now,
    )
    [event] = initiatives_service.history(world.session, initiative.id)
    assert event.note == "No budget this year."


def test_a_rejected_initiative_cannot_be_implemented(world):
    initiative = initiative_in(world, State.answered, outcome=Outcome.rejected)
    with pytest.raises(ValidationFailed) as refused:
        transitions.transition(world.session, initiative, "implement", world.user("manager_a"))
    assert refused.value.errors == {"action": "A rejected initiative cannot be implemented."}
    assert initiative.state == State.answered


def test_implement_records_the_day(world):
    initiative = initiative_in(world, State.answered, implemented_at=None)
    now = utcnow()
    transitions.transition(world.session, initiative, "implement", world.user("manager_a"), now)
    assert initiative.implemented_at == now


def test_each_evaluator_rates_once(world):
    initiative = initiative_in(world, State.implemented)
    first = utcnow()
    transitions.transition(
        world.session,
        initiative,
        "evaluate",
        world.user("chair_a"),
        first,
        evaluation=EvaluationInput(rating=5, comment=" Great "),
    )
    assert initiative.state == State.evaluated and initiative.evaluated_at == first
    with pytest.raises(ValidationFailed) as again:
        transitions.transition(
            world.session,
            initiative,
            "evaluate",
            world.user("chair_a"),
            evaluation=EvaluationInput(rating=1),
        )
    assert again.value.errors == {"rating": "You have already evaluated this initiative."}
    transitions.transition(
        world.session,
        initiative,
        "evaluate",
        world.user("member_a"),
        first + timedelta(hours=1),
        evaluation=EvaluationInput(rating=3),
    )
    ratings = initiatives_service.evaluations(world.session, initiative.id)
    assert [(r.person_id, r.rating, r.comment) for r in ratings] == [
        (world.people["chair_a"].id, 5, "Great"),
        (world.people["member_a"].id, 3, ""),
    ]
    assert initiative.evaluated_at == first  # the first evaluation's day stays


def test_evaluate_needs_a_rating(world):
    initiative = initiative_in(world, State.implemented)
    with pytest.raises(ValidationFailed) as refused:
        transitions.move(world.session, initiative, "evaluate", world.user("chair_a"))
    assert refused.value.errors == {"rating": "Give a rating from 1 to 5."}
    with pytest.raises(ValidationFailed):
        transitions.move(world.session, initiative, "evaluate", world.user("chair_a"), rating=6)


@pytest.mark.parametrize("state", sorted(lifecycle.OPEN_BEFORE_ANSWER))
def test_the_filer_withdraws_at_any_time_before_the_answer(world, state):
    initiative = initiative_in(world, state)
    filer = "resident_a" if state == State.suggested else "chair_a"
    now = utcnow()
    transitions.transition(world.session, initiative, "withdraw", world.user(filer), now)
    assert initiative.state == State.withdrawn and initiative.closed_at == now


@pytest.mark.parametrize("state", [State.answered, State.implemented, State.evaluated])
def test_no_withdrawal_after_the_answer(world, state):
    initiative = initiative_in(world, state)
    with pytest.raises(ValidationFailed) as refused:
        transitions.transition(world.session, initiative, "withdraw", world.user("chair_a"))
    assert "action" in refused.value.errors


def test_take_up_makes_the_committee_member_the_filer(world):
    initiative = initiative_in(world, State.suggested)
    member = world.user("member_a")
    transitions.transition(world.session, initiative, "take_up", member)
    assert initiative.state == State.draft
    assert initiative.filed_by_id == member.id
    assert initiative.suggested_by_id == world.people["resident_a"].id
    assert following.is_following(world.session, initiative, member.id)
    # Now the member's draft: only they edit and submit it; the suggester no longer acts.
    assert "filer" not in initiatives_service.policies.initiative_actor_roles(
        world.user("resident_a"), initiative
    )
    with pytest.raises(Forbidden):
        transitions.transition(world.session, initiative, "submit", world.user("chair_a"))
    transitions.transition(world.session, initiative, "submit", member)
    assert initiative.state == State.submitted


def test_decline_closes_a_suggestion(world):
    initiative = initiative_in(world, State.suggested)
    now = utcnow()
    transitions.transition(
        world.session, initiative, "decline", world.user("chair_a"), now, note="Not now."
    )
    assert initiative.state == State.declined and initiative.closed_at == now
    assert initiative.state in lifecycle.CLOSED
    assert lifecycle.moves_from(State.declined) == []
    [event] = initiatives_service.history(world.session, initiative.id)
    assert event.note == "Not now."


def test_every_move_leaves_a_history_row_in_order(world):
    session = world.session
    initiative = initiative_in(world, State.suggested)
    steps = [
        ("take_up", "member_a"),
        ("submit", "member_a"),
        ("receive", "manager_a"),
        ("assign", "manager_a"),
        ("answer", "assignee"),
        ("implement", "manager_a"),
        ("evaluate", "resident_a"),  # the suggester is no evaluator of the member's initiative
    ]
    start = utcnow()
    for i, (action, name) in enumerate(steps[:-1]):
        transitions.transition(
            session,
            initiative,
            action,
            world.user(name),
            start + timedelta(minutes=i),
            **move_data(world, action),
        )
    with pytest.raises(Forbidden):
        transitions.transition(
            session,
            initiative,
            "evaluate",
            world.user("resident_a"),
            **move_data(world, "evaluate"),
        )
    events = initiatives_service.history(session, initiative.id)
    assert [e.action for e in events] == [a for a, _ in steps[:-1]]
    assert [e.to_state for e in events] == [
        State.draft,
        State.submitted,
        State.received,
        State.in_preparation,
        State.answered,
        State.implemented,
    ]
    assert initiative.version == 1 + len(steps) - 1
    rows = session.exec(
        select(InitiativeEvent.id).where(InitiativeEvent.initiative_id == initiative.id)
    ).all()
    assert len(rows) == len(steps) - 1
    audits = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "initiative", AuditEntry.entity_id == str(initiative.id))
        .order_by(col(AuditEntry.id))
    ).all()
    assert len(audits) == len(steps) - 1


def test_lifecycle_data_is_consistent():
    actors = {"filer", "committee", "recipient", "handler", "evaluator"}
    for move in lifecycle.TRANSITIONS:
        assert move.actors <= actors, move.action
        assert move.sources, move.action
        assert lifecycle.find(move.action) is move
    assert set(lifecycle.STATE_LABELS) == set(State)
    assert lifecycle.find("nothing") is None
    # Every state but the closed ones has a way onward.
    for state in set(State) - lifecycle.CLOSED:
        assert lifecycle.moves_from(state), state
