"""Election pages: the list, creating an election, standing, voting, receipts and the count."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from app import policies
from app.deps import FormData, SessionDep, require, today
from app.errors import Forbidden, ValidationFailed
from app.forms import parse
from app.i18n import N_, _
from app.models.ballots import Election, ElectionCreate, ElectionPurpose
from app.models.calendar import CalendarEvent
from app.models.types import local_date, utcnow
from app.services.access.roles import Principal
from app.services.ballots import counting as counting_service
from app.services.ballots import election_mail
from app.services.ballots import elections as service
from app.services.ballots import voting as voting_service
from app.services.stepper import Step, in_order
from app.templating import render

router = APIRouter()

Viewer = Annotated[Principal, require("can_view_elections")]
Manager = Annotated[Principal, require("can_manage_elections")]
Candidate = Annotated[Principal, require("can_stand_in_elections")]
Committee = Annotated[Principal, require("can_name_election_delegate")]
UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_CONTENT

PURPOSE_LABELS = {
    ElectionPurpose.yte: N_("Haso-yte election"),
    ElectionPurpose.board_nomination: N_("Nomination of resident board-member candidates"),
}
PHASE_LABELS = {
    service.Phase.upcoming: N_("Upcoming"),
    service.Phase.nomination: N_("Nomination open"),
    service.Phase.waiting: N_("Voting opens soon"),
    service.Phase.voting: N_("Voting open"),
    service.Phase.counting: N_("Voting closed, votes not yet counted"),
    service.Phase.results: N_("Results"),
}


# The election's steps as its page's step indicator shows them, and the phase each is current in.
STEPS = (
    ("nomination", N_("Nomination")),
    ("voting", N_("Voting")),
    ("counting", N_("Counting")),
    ("results", N_("Results")),
)


def progress(election: Election, phase: service.Phase) -> list[Step]:
    """Where the election is: the step now, who acts in it and until when (or from when)."""
    keys = [key for key, _label in STEPS]
    labels = {key: _(label) for key, label in STEPS}
    counted = local_date(election.counted_at) if election.counted_at else None
    done_on: dict[str, date | None] = {
        "nomination": election.nomination_closes_on,
        "voting": election.voting_closes_on,
        "counting": counted,
        "results": counted,
    }
    if phase == service.Phase.results:
        return in_order(keys, "results", labels, done_on=done_on, final=True)
    if phase == service.Phase.counting:
        return in_order(keys, "counting", labels, done_on=done_on, holder=_("Haso's management"))
    if phase == service.Phase.voting:
        holder = _("the houses, each casting one vote")
        due, due_label = election.voting_closes_on, _("Closes on")
        return in_order(
            keys, "voting", labels, done_on=done_on, holder=holder, due=due, due_label=due_label
        )
    if phase == service.Phase.waiting:
        due, due_label = election.voting_opens_on, _("Opens on")
        return in_order(keys, "voting", labels, done_on=done_on, due=due, due_label=due_label)
    if phase == service.Phase.nomination:
        holder = _("the sitting chairs, who may stand as candidates")
        due, due_label = election.nomination_closes_on, _("Closes on")
        return in_order(keys, "nomination", labels, holder=holder, due=due, due_label=due_label)
    due, due_label = election.nomination_opens_on, _("Opens on")
    return in_order(keys, "nomination", labels, due=due, due_label=due_label)


def get_election(election_id: int, user: Viewer, session: SessionDep) -> Election:
    """An election (every logged-in person may see the elections)."""
    return service.get_election(session, election_id)


ViewableElection = Annotated[Election, Depends(get_election)]


async def marked_candidates(request: Request) -> list[str]:
    """The ticked candidate boxes of a ballot form (a repeated field)."""
    form = await request.form()
    return [v for v in form.getlist("candidate") if isinstance(v, str)]


Marked = Annotated[list[str], Depends(marked_candidates)]


def _back(election: Election, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/elections/{election.id}{anchor}", status_code=303)


@router.get("/elections", name="elections")
def list_page(request: Request, session: SessionDep, user: Viewer) -> Response:
    """Every election with its phase; management also sees the calendar's election events."""
    day = today()
    rows = [(e, service.phase(e, day)) for e in service.list_elections(session)]
    events = service.election_events(session, day) if policies.can_manage_elections(user) else []
    context = {
        "rows": rows,
        "events": events,
        "phase_labels": PHASE_LABELS,
        "purpose_labels": PURPOSE_LABELS,
    }
    return render(request, "elections/list.html", context)


def _form(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    options = [(p.value, _(label)) for p, label in PURPOSE_LABELS.items()]
    context = {"values": values, "errors": errors or {}, "purpose_options": options}
    return render(request, "elections/form.html", context, status_code=status_code)


@router.get("/elections/new", name="new_election")
def new_form(request: Request, user: Manager) -> Response:
    """The form for an election by hand."""
    return _form(request, {"purpose": ElectionPurpose.yte.value, "min_choices": 1})


@router.post("/elections/new")
def create(request: Request, session: SessionDep, user: Manager, form: FormData) -> Response:
    """Record the election and go to its page."""
    values = dict(form)
    try:
        data = parse(ElectionCreate, values)
        election, counting_key = service.create_election(session, data, user.id)
    except ValidationFailed as exc:
        return _form(request, values, exc.errors, UNPROCESSABLE)
    return _counting_key_page(request, election, counting_key)


def _counting_key_page(request: Request, election: Election, counting_key: str) -> Response:
    """The new election's counting key, shown this once (never stored, never cached)."""
    context = {"election": election, "counting_key": counting_key}
    response = render(request, "elections/created.html", context, status_code=201)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/elections/from-event/{event_id}")
def create_from_event(
    request: Request, event_id: int, session: SessionDep, user: Manager
) -> Response:
    """The Haso-yte election of a calendar election event."""
    event = session.get(CalendarEvent, event_id)
    if event is None or event not in service.election_events(session, today()):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    election, counting_key = service.create_from_event(session, event, user.id, today())
    return _counting_key_page(request, election, counting_key)


def _detail(
    request: Request,
    session: SessionDep,
    user: Principal,
    election: Election,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
    verified: bool | None = None,
) -> Response:
    day = today()
    current = service.phase(election, day)
    mine = voting_service.voting_houses(session, election, user.id, day)
    voted = voting_service.voted_houses(session, election, mine)
    candidates = service.candidates(session, election)
    officer_of = voting_service.officer_houses(session, user.id, day)
    names = voting_service.house_names(session, mine | set(officer_of))
    context = {
        "election": election,
        "phase": current,
        "steps": progress(election, current),
        "Phase": service.Phase,
        "phase_labels": PHASE_LABELS,
        "purpose_label": _(PURPOSE_LABELS[ElectionPurpose(election.purpose)]),
        "candidates": candidates,
        "own_candidacy": next((c for c in candidates if c.candidate.person_id == user.id), None),
        "chair_houses": sorted(user.chair_of),
        "vote_houses": sorted(mine - voted),
        "voted_houses": sorted(voted),
        "house_names": names,
        "officer_houses": [(house_id, names[house_id]) for house_id in officer_of],
        "delegate_options": [
            (person.id, person.name if len(officer_of) == 1 else f"{person.name} ({names[h]})")
            for h in officer_of
            for person in voting_service.delegate_choices(session, h, day)
        ],
        "named_delegates": [
            (names[h], person.name)
            for h, person in sorted(
                voting_service.named_delegates(session, election, officer_of).items()
            )
        ],
        "turnout": (
            voting_service.turnout_text(voting_service.turnout(session, election, day))
            if policies.can_manage_elections(user)
            else None
        ),
        "errors": errors or {},
        "values": values or {},
        "verified": verified,
    }
    return render(request, "elections/detail.html", context, status_code=status_code)


@router.get("/elections/{election_id}", name="election")
def detail(
    request: Request, session: SessionDep, user: Viewer, election: ViewableElection
) -> Response:
    """The election: its periods, candidates, the ballot for those who cast a house's vote."""
    return _detail(request, session, user, election)


@router.post("/elections/{election_id}/candidacy")
def stand(
    request: Request,
    session: SessionDep,
    user: Candidate,
    election: ViewableElection,
    form: FormData,
) -> Response:
    """A sitting chair stands, or rewrites their presentation."""
    house = next(iter(sorted(user.chair_of)))
    try:
        house = int(form.get("house_id") or house)
        service.stand(session, election, user.id, house, form.get("presentation", ""), today())
    except ValueError:
        errors = {"house_id": _("Choose the house you chair.")}
        return _detail(request, session, user, election, errors, dict(form), UNPROCESSABLE)
    except ValidationFailed as exc:
        return _detail(request, session, user, election, exc.errors, dict(form), UNPROCESSABLE)
    return _back(election, "#candidates")


@router.post("/elections/{election_id}/candidacy/withdraw")
def withdraw(
    request: Request,
    session: SessionDep,
    user: Candidate,
    election: ViewableElection,
    form: FormData,
) -> Response:
    """A candidate withdraws during the nomination, having ticked the box that confirms it."""
    try:
        if form.get("confirm") not in ("on", "1", "true"):
            raise ValidationFailed(
                {"confirm": _("Tick the box to confirm that you withdraw your candidacy.")}
            )
        service.withdraw(session, election, user.id, today())
    except ValidationFailed as exc:
        return _detail(request, session, user, election, exc.errors, None, UNPROCESSABLE)
    return _back(election, "#candidates")


@router.post("/elections/{election_id}/delegate")
def name_delegate(
    request: Request,
    session: SessionDep,
    user: Committee,
    election: ViewableElection,
    form: FormData,
) -> Response:
    """The house's chair or vice-chair names who casts its vote; the named member is mailed."""
    try:
        house_id = int(form.get("house_id", ""))
        person_id = int(form.get("person_id", ""))
    except ValueError:
        errors = {"person_id": _("Choose a member of the house's committee to cast its vote.")}
        return _detail(request, session, user, election, errors, dict(form), UNPROCESSABLE)
    try:
        voting_service.name_delegate(session, election, house_id, person_id, user.id, today())
    except Forbidden as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN) from exc
    except ValidationFailed as exc:
        return _detail(request, session, user, election, exc.errors, dict(form), UNPROCESSABLE)
    # The named member must act next: they are told which house's vote they cast, and when.
    delegate = voting_service.person(session, person_id)
    if delegate is not None:
        house = voting_service.house_names(session, {house_id}).get(house_id, "")
        election_mail.tell_delegate(session, election, delegate, house)
    return _back(election)


@router.post("/elections/{election_id}/vote")
def vote(
    request: Request,
    session: SessionDep,
    user: Viewer,
    election: ViewableElection,
    form: FormData,
    marked: Marked,
) -> Response:
    """Cast a house's ballot; the receipt code is shown on the answer page, once."""
    try:
        house_id = int(form.get("house_id", ""))
        chosen = [int(v) for v in marked]
    except ValueError:
        errors = {"house_id": _("Choose the house whose vote you cast.")}
        return _detail(request, session, user, election, errors, dict(form), UNPROCESSABLE)
    try:
        receipt = voting_service.cast_vote(session, election, user.id, house_id, chosen, today())
    except ValidationFailed as exc:
        values = dict(form) | {"candidate": chosen}
        return _detail(request, session, user, election, exc.errors, values, UNPROCESSABLE)
    response = render(request, "elections/receipt.html", {"election": election, "receipt": receipt})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/elections/{election_id}/receipt")
def check_receipt(
    request: Request,
    session: SessionDep,
    user: Viewer,
    election: ViewableElection,
    form: FormData,
) -> Response:
    """Check that a ballot with a receipt code is in the ballot box."""
    code = form.get("receipt", "")
    try:
        found = voting_service.verify_receipt(session, election, code)
    except ValidationFailed as exc:
        values = {"receipt": code}
        return _detail(request, session, user, election, exc.errors, values, UNPROCESSABLE)
    return _detail(request, session, user, election, None, {"receipt": code}, verified=found)


@router.post("/elections/{election_id}/count")
def count(
    request: Request,
    session: SessionDep,
    user: Manager,
    election: ViewableElection,
    form: FormData,
) -> Response:
    """Count the votes after the voting has closed, with the election's counting key; the
    chairs and the candidates are mailed the results."""
    now = utcnow()
    try:
        counting_service.count(session, election, user.id, form.get("counting_key"), now=now)
    except ValidationFailed as exc:
        return _detail(request, session, user, election, exc.errors, None, UNPROCESSABLE)
    election_mail.announce_results(session, election, now)
    return _back(election, "#results")
