"""What the initiative pages show: list filters from a query, the detail facts and history."""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlmodel import Session

from app.config import get_settings
from app.i18n import N_, _
from app.jinja import fmt_date, participation_name
from app.models.houses import House
from app.models.initiatives import (
    EventKind,
    Initiative,
    InitiativeEvent,
    Outcome,
    Scope,
    State,
)
from app.models.participation import Participation
from app.models.types import local_date
from app.services import stepper
from app.services.access import policies as access_policies
from app.services.access.roles import Principal
from app.services.initiatives import export as export_service
from app.services.initiatives import lifecycle, transitions
from app.services.initiatives import lists as initiative_lists
from app.services.initiatives import policies as initiatives_policies
from app.services.initiatives import records as initiatives_service

E = TypeVar("E", bound=enum.Enum)

# After the answer, a review date tells when the outcome is to be evaluated.
REVIEWABLE = {State.answered, State.implemented, State.evaluated}
TRUE_VALUES = {"1", "on", "true", "yes"}


def positive_int(raw: object) -> int | None:
    """A positive whole number from a form or query value, or None (no overflow possible)."""
    text = str(raw or "").strip()
    if not text.isdigit() or len(text) > 9:
        return None
    number = int(text)
    return number if number > 0 else None


def _choice(kind: type[E], raw: str | None) -> E | None:
    try:
        return kind(raw) if raw else None
    except ValueError:
        return None


def filters_from(params: Mapping[str, str]) -> tuple[initiative_lists.Filters, dict[str, str]]:
    """The list's filters from a query string (unknown values ignored), and the values to keep."""
    year = positive_int(params.get("year"))
    if year is not None and not 1900 <= year <= 2200:
        year = None
    filters = initiative_lists.Filters(
        q=str(params.get("q", "")).strip()[:200],
        house_id=positive_int(params.get("house")),
        scope=_choice(Scope, params.get("scope")),
        state=_choice(State, params.get("state")),
        participation=_choice(Participation, params.get("participation")),
        year=year,
        overdue=str(params.get("overdue", "")).lower() in TRUE_VALUES,
        mine=str(params.get("mine", "")).lower() in TRUE_VALUES,
    )
    values = {
        "q": filters.q,
        "house": str(filters.house_id or ""),
        "scope": filters.scope.value if filters.scope else "",
        "state": filters.state.value if filters.state else "",
        "participation": filters.participation.value if filters.participation else "",
        "year": str(filters.year or ""),
        "overdue": "1" if filters.overdue else "",
        "mine": "1" if filters.mine else "",
    }
    return filters, values


def house_filter_options(session: Session, user: Principal) -> list[House]:
    """The houses offered in the list's house filter: every house for management, else one's own."""
    if access_policies.is_staff_overseer(user):
        return export_service.all_houses(session)
    houses = export_service.houses_by_id(session, user.houses)
    return sorted(houses.values(), key=lambda h: (h.name, h.id or 0))


@dataclass
class FilingHouse:
    """A house the user can file for (as its committee) or suggest to (as a resident)."""

    house: House
    files: bool


def filing_houses(session: Session, user: Principal) -> list[FilingHouse]:
    """The houses offered on the new-initiative form, by name."""
    houses = export_service.houses_by_id(session, user.resident_of | user.committee_of)
    found = [
        FilingHouse(house, initiatives_policies.can_file_initiative(user, house_id))
        for house_id, house in houses.items()
        if initiatives_policies.can_file_initiative(user, house_id)
        or initiatives_policies.can_suggest_initiative(user, house_id)
    ]
    return sorted(found, key=lambda f: (f.house.name, f.house.id or 0))


def available_moves(user: Principal, initiative: Initiative) -> list[lifecycle.Transition]:
    """The moves the user may make now, in the lifecycle's order."""
    return [
        move
        for move in lifecycle.moves_from(initiative.state)
        if initiatives_policies.can_transition(user, initiative, move.action)
    ]


def errors_at_form(
    user: Principal,
    initiative: Initiative,
    action: str,
    errors: dict[str, str],
    values: dict[str, Any],
) -> tuple[dict[str, str], dict[str, Any]]:
    """Errors and typed values keyed to the move's own form (several forms share field names).

    A move no longer offered from the current state has no form: its reason goes to the top.
    """
    if action in {move.action for move in available_moves(user, initiative)}:
        keyed = {f"{action}-{name}": message for name, message in errors.items()}
        kept = {f"{action}-{name}": value for name, value in values.items()}
        return keyed, kept
    return {"": " ".join(errors.values())}, {}


# ---- the history -----------------------------------------------------------------------------


@dataclass
class Change:
    """One field of an edit, before and after."""

    label: str
    before: str
    after: str


@dataclass
class HistoryLine:
    """One event as the page tells it."""

    at: datetime
    actor: str
    text: str
    note: str = ""
    changes: list[Change] = field(default_factory=list)


FIELD_LABELS = {
    "title": N_("Title"),
    "body": N_("Text"),
    "participation": N_("Kind of participation"),
}


def _state(value: State | None) -> str:
    return _(lifecycle.STATE_LABELS[value]) if value is not None else ""


def _shown(name: str, value: object) -> str:
    text = "" if value is None else str(value)
    if name == "participation" and text in Participation.__members__:
        return participation_name(text)
    return text


# What each move did, as the history tells it: a sentence in the past tense with the actor.
PAST = {
    "take_up": N_("%(name)s took the suggestion up as the committee's initiative."),
    "decline": N_("%(name)s did not take the suggestion up."),
    "submit": N_("%(name)s submitted the initiative."),
    "receive": N_("%(name)s acknowledged receipt of the initiative."),
    "assign": N_("%(name)s assigned the initiative to %(assignee)s for preparation."),
    "answer": N_("%(name)s published the answer."),
    "implement": N_("%(name)s marked the initiative implemented."),
    "evaluate": N_("%(name)s evaluated the outcome."),
    "withdraw": N_("%(name)s withdrew the initiative."),
}


def _history_line(event: InitiativeEvent, names: dict[int, str]) -> HistoryLine:
    actor = names.get(event.actor_id, "") if event.actor_id is not None else ""
    name = actor or _("The portal")
    changes = event.changes or {}
    line = HistoryLine(at=event.at, actor="", text="", note=event.note)
    assignee = changes.get("assignee_id")
    assignee_name = names.get(assignee, "?") if isinstance(assignee, int) else "?"
    if event.kind == EventKind.created:
        line.text = _(
            "%(name)s created the initiative: “%(state)s”.",
            name=name,
            state=_state(event.to_state),
        )
    elif event.kind == EventKind.state:
        said = PAST.get(event.action or "")
        line.text = (
            _(said, name=name, assignee=assignee_name)
            if said
            else _("%(name)s changed the state.", name=name)
        )
        line.text += " " + _("Now: “%(state)s”.", state=_state(event.to_state))
    elif event.kind == EventKind.edited:
        line.text = _("%(name)s edited the initiative.", name=name)
        # An edit made while private names its fields only (the text is not kept).
        named = [_(FIELD_LABELS[n]) for n, c in changes.items() if c is None and n in FIELD_LABELS]
        if named:
            line.text = _(
                "%(name)s edited the initiative: %(fields)s.", name=name, fields=", ".join(named)
            )
        for field_name, change in changes.items():
            label = FIELD_LABELS.get(field_name)
            if label and isinstance(change, dict):
                line.changes.append(
                    Change(
                        _(label),
                        _shown(field_name, change.get("before")),
                        _shown(field_name, change.get("after")),
                    )
                )
    elif event.kind == EventKind.review:
        review_on = changes.get("review_on")
        line.text = (
            _(
                "%(name)s set the review date to %(date)s.",
                name=name,
                date=fmt_date(date.fromisoformat(review_on)),
            )
            if isinstance(review_on, str)
            else _("%(name)s removed the review date.", name=name)
        )
    elif event.kind == EventKind.assigned:
        line.text = _(
            "%(name)s assigned the initiative to %(assignee)s.", name=name, assignee=assignee_name
        )
    else:
        line.text = _("%(name)s evaluated the outcome.", name=name)
    return line


def _assignees(events: list[InitiativeEvent]) -> list[int]:
    found = []
    for event in events:
        value = (event.changes or {}).get("assignee_id")
        if isinstance(value, int):
            found.append(value)
    return found


# ---- where the initiative is: the step indicator, the moves offered, the notice after a move ----

# The main path of the lifecycle; a suggestion starts one step earlier, and a declined suggestion
# or a withdrawn initiative ends its path where it was closed.
MAIN_PATH = (
    State.draft,
    State.submitted,
    State.received,
    State.in_preparation,
    State.answered,
    State.implemented,
    State.evaluated,
)
# Moves that close an initiative for good: offered apart, under "More actions", and confirmed.
DESTRUCTIVE = frozenset({"withdraw", "decline"})
# The move a person is expected to make now, of those they may make, in this order of preference.
PRIMARY = ("take_up", "submit", "receive", "answer", "implement", "evaluate")


def recipient_phrase(initiative: Initiative, house: House | None, manager_name: str) -> str:
    """Who a submitted initiative is addressed to, as the subject of a sentence: "the property
    manager Juha Mäkinen", or the role when the house has no manager on record."""
    if initiative.scope == Scope.company:
        return _("Haso's management")
    if manager_name:
        return _("the property manager %(name)s", name=manager_name)
    return _("the property manager of %(house)s", house=house.name if house else "")


def _reached(initiative: Initiative, events: list[InitiativeEvent]) -> dict[str, date | None]:
    """The day each state was first reached, by the history (the initiative's own dates where
    the history is silent)."""
    found: dict[str, date | None] = {}
    for event in events:
        if event.to_state is not None and event.kind in (EventKind.created, EventKind.state):
            found.setdefault(event.to_state.value, local_date(event.at))
    stamps = {
        State.draft: initiative.created_at if initiative.suggested_by_id is None else None,
        State.suggested: initiative.created_at if initiative.suggested_by_id else None,
        State.submitted: initiative.submitted_at,
        State.received: initiative.received_at,
        State.answered: initiative.answered_at,
        State.implemented: initiative.implemented_at,
        State.evaluated: initiative.evaluated_at,
        State.withdrawn: initiative.closed_at,
        State.declined: initiative.closed_at,
    }
    for state, moment in stamps.items():
        if moment is not None and found.get(state.value) is None:
            found[state.value] = local_date(moment)
    return found


def _withdrawn_from(initiative: Initiative, events: list[InitiativeEvent]) -> State:
    """The state an initiative was in when it was withdrawn."""
    for event in reversed(events):
        if event.action == "withdraw" and event.from_state is not None:
            return event.from_state
    if initiative.received_at is not None:
        return State.in_preparation if initiative.assignee_id else State.received
    if initiative.submitted_at is not None:
        return State.submitted
    return State.draft if initiative.filed_by_id is not None else State.suggested


def initiative_steps(
    initiative: Initiative,
    events: list[InitiativeEvent],
    names: dict[int, str],
    house: House | None,
    manager_name: str,
    today: date,
) -> list[stepper.Step]:
    """The initiative's lifecycle as a step indicator: the path it is on, where it is now, who
    has it and by when."""
    state = initiative.state
    path = [s.value for s in MAIN_PATH]
    if initiative.suggested_by_id is not None or state in (State.suggested, State.declined):
        path.insert(0, State.suggested.value)
    labels = {s.value: _(lifecycle.STATE_LABELS[s]) for s in State}
    reached = _reached(initiative, events)
    prepared = State.in_preparation.value in reached or initiative.assignee_id is not None
    skipped = set() if prepared else {State.in_preparation.value}
    recipient = recipient_phrase(initiative, house, manager_name)
    preparer = names.get(initiative.assignee_id or 0, "")
    handler = _("the preparer %(name)s", name=preparer) if preparer else recipient
    house_name = house.name if house else ""
    outcome = (
        _("Outcome:") + " " + export_service.outcome_label(initiative.outcome)
        if initiative.outcome is not None
        else ""
    )

    def steps(keys: list[str], current: State, **details: Any) -> list[stepper.Step]:
        return stepper.in_order(
            keys, current.value, labels, done_on=reached, skipped=skipped, **details
        )

    if state == State.declined:
        return steps([State.suggested.value, State.declined.value], state, final=True)
    if state == State.withdrawn:
        before = _withdrawn_from(initiative, events).value
        keys = path[: path.index(before) + 1] if before in path else path[:1]
        return steps([*keys, State.withdrawn.value], state, final=True)
    if state == State.suggested:
        holder = _("the resident committee of %(house)s", house=house_name)
        return steps(path, state, holder=holder)
    if state == State.draft:
        return steps(path, state, holder=names.get(initiative.filed_by_id or 0, ""))
    if state == State.submitted:
        due_label = _("Receipt to be acknowledged by")
        return steps(
            path,
            state,
            holder=recipient,
            due=initiative.receipt_due_on,
            due_label=due_label,
            today=today,
        )
    if state in (State.received, State.in_preparation):
        return steps(
            path,
            state,
            holder=handler if state == State.in_preparation else recipient,
            due=initiative.answer_due_on,
            due_label=_("Answer due by"),
            today=today,
        )
    if state == State.answered and initiative.outcome == Outcome.rejected:
        # Nothing is carried out after a rejection: the answer ends the path.
        keys = path[: path.index(State.answered.value) + 1]
        return steps(keys, state, final=True, note=outcome)
    if state == State.answered:
        return steps(path, state, holder=handler, note=outcome)
    if state == State.implemented:
        holder = (
            _("the filer and Haso-yte")
            if initiative.scope == Scope.company
            else _("the filer and the resident committee of %(house)s", house=house_name)
        )
        review = _("Outcome to be reviewed on") if initiative.review_on else ""
        return steps(path, state, holder=holder, due=initiative.review_on, due_label=review)
    return steps(path, state, final=True, note=outcome)


@dataclass
class MoveGroups:
    """The moves offered on the page: the one expected now first, then the others, and apart
    from them those that close the initiative for good."""

    primary: lifecycle.Transition | None
    secondary: list[lifecycle.Transition]
    destructive: list[lifecycle.Transition]


def group_moves(
    user: Principal, initiative: Initiative, moves: list[lifecycle.Transition]
) -> MoveGroups:
    """Which of the user's moves is the one expected of them now."""
    primary = None
    for action in PRIMARY:
        found = next((m for m in moves if m.action == action), None)
        if found is None:
            continue
        # Once someone else prepares the answer, the recipient is no longer expected to.
        if (
            action == "answer"
            and initiative.state == State.in_preparation
            and initiative.assignee_id not in (None, user.id)
        ):
            continue
        primary = found
        break
    return MoveGroups(
        primary=primary,
        secondary=[m for m in moves if m is not primary and m.action not in DESTRUCTIVE],
        destructive=[m for m in moves if m.action in DESTRUCTIVE],
    )


@dataclass
class Notice:
    """What a move just did, shown on the page it leads back to."""

    title: str
    body: str = ""


DONE_TITLES = {
    "take_up": N_("The suggestion is now the committee's initiative"),
    "decline": N_("The suggestion was not taken up"),
    "submit": N_("The initiative has been submitted"),
    "receive": N_("Receipt acknowledged"),
    "assign": N_("Assigned for preparation"),
    "answer": N_("The answer has been published"),
    "implement": N_("The initiative is marked implemented"),
    "evaluate": N_("Thank you for your evaluation"),
    "withdraw": N_("The initiative has been withdrawn"),
}


def done_notice(
    initiative: Initiative,
    action: str,
    house: House | None,
    manager_name: str,
    names: dict[int, str],
) -> Notice | None:
    """The confirmation of a move just made (the page's ?done=ACTION), while the initiative is
    still where that move took it; None for anything else, so an old address says nothing."""
    move = lifecycle.find(action)
    if move is None or initiative.state != move.target or action not in DONE_TITLES:
        return None
    notice = Notice(_(DONE_TITLES[action]))
    if action == "submit" and initiative.receipt_due_on is not None:
        recipient = recipient_phrase(initiative, house, manager_name)
        notice.body = _(
            "%(recipient)s has received it and must acknowledge receipt by %(date)s.",
            recipient=recipient[:1].upper() + recipient[1:],
            date=fmt_date(initiative.receipt_due_on),
        )
    elif action == "take_up":
        notice.body = _("It is now a draft: edit it if needed, then submit it.")
    elif action == "receive" and initiative.answer_due_on is not None:
        notice.body = _("The answer is due by %(date)s.", date=fmt_date(initiative.answer_due_on))
    elif action == "assign" and initiative.assignee_id is not None:
        notice.body = _(
            "%(name)s prepares the answer and has been told.",
            name=names.get(initiative.assignee_id, ""),
        )
    return notice


# ---- the detail page -------------------------------------------------------------------------


def detail_context(
    session: Session, user: Principal, initiative: Initiative, today: date, done: str = ""
) -> dict[str, Any]:
    """Everything the detail page shows, as template context; done names the move just made
    (the notice that confirms it)."""
    assert initiative.id is not None
    events = initiatives_service.history(session, initiative.id)
    evaluations = initiatives_service.evaluations(session, initiative.id)
    moves = available_moves(user, initiative)
    house = (
        export_service.houses_by_id(session, [initiative.house_id]).get(initiative.house_id)
        if initiative.house_id is not None
        else None
    )
    manager_id = house.property_manager_id if house is not None else None
    names = export_service.person_names(
        session,
        [
            initiative.filed_by_id,
            initiative.suggested_by_id,
            initiative.assignee_id,
            initiative.answered_by_id,
            *[event.actor_id for event in events],
            *[evaluation.person_id for evaluation in evaluations],
            *_assignees(events),
            manager_id,
        ],
    )
    manager_name = names.get(manager_id or 0, "")
    ratings = [evaluation.rating for evaluation in evaluations]
    settings = get_settings()
    return {
        "initiative": initiative,
        "house": house,
        "names": names,
        "moves": moves,
        "move_groups": group_moves(user, initiative, moves),
        "steps": initiative_steps(initiative, events, names, house, manager_name, today),
        "done_notice": (
            done_notice(initiative, done, house, manager_name, names) if done else None
        ),
        "staff": (
            transitions.staff_members(session) if any(m.action == "assign" for m in moves) else []
        ),
        "evaluations": evaluations,
        "average_rating": (sum(ratings) / len(ratings)) if ratings else None,
        "history": [_history_line(event, names) for event in events],
        "overdue": initiative_lists.is_overdue(initiative, today),
        "today": today,
        "state_label": _state(initiative.state),
        "outcome_label": export_service.outcome_label(initiative.outcome),
        "outcomes": [(o.value, export_service.outcome_label(o)) for o in Outcome],
        "can_edit": initiatives_policies.can_edit_initiative(user, initiative),
        "can_review": initiative.state in REVIEWABLE
        and initiatives_policies.can_set_review(user, initiative),
        "receipt_days": settings.initiative_receipt_days,
        "answer_days": settings.initiative_answer_days,
    }
