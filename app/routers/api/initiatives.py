"""Initiatives API: list and search, file, edit, move through the lifecycle, history, ratings."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from app import policies
from app.db import get_bind
from app.deps import ApiUser, SessionDep, permit, require_api, today
from app.models.initiatives import (
    EventKind,
    Initiative,
    InitiativeCreate,
    InitiativeEvaluation,
    InitiativeEvent,
    InitiativePatch,
    InitiativePublic,
    Outcome,
    Scope,
    State,
)
from app.models.participation import Participation
from app.services.access.roles import Principal
from app.services.initiatives import lists as initiative_lists
from app.services.initiatives import records as initiatives_service
from app.services.initiatives import transitions as transitions_service
from app.services.mail import delivery as mail_service

router = APIRouter(prefix="/api/v1", tags=["initiatives"])


class InitiativePage(BaseModel):
    """One page of a search, and how many matched in all."""

    items: list[InitiativePublic]
    total: int


class TransitionRequest(BaseModel):
    """One lifecycle move and the data it needs (see app/services/initiatives/lifecycle.py)."""

    action: str = Field(max_length=30, description="e.g. submit, receive, assign, answer")
    version: int | None = Field(default=None, description="the version read; 409 if stale")
    note: str = Field(default="", max_length=10000)
    assignee_id: int | None = Field(default=None, description="assign: a staff member")
    outcome: Outcome | None = Field(default=None, description="answer: the verdict")
    answer: str | None = Field(default=None, max_length=50000, description="answer: the text")
    rating: int | None = Field(default=None, ge=1, le=5, description="evaluate: 1 to 5")
    comment: str = Field(default="", max_length=10000, description="evaluate: a comment")


class EventPublic(BaseModel):
    """One row of an initiative's history."""

    id: int
    kind: EventKind
    action: str
    from_state: State | None
    to_state: State | None
    actor_id: int | None
    note: str
    changes: dict[str, Any] | None
    at: datetime


class EvaluationPublic(BaseModel):
    """A rating of an implemented initiative's outcome."""

    id: int
    person_id: int | None
    rating: int
    comment: str
    created_at: datetime


def get_viewable_initiative(initiative_id: int, user: ApiUser, session: SessionDep) -> Initiative:
    """An initiative the caller may see (scope read)."""
    initiative = initiatives_service.get_visible(session, initiative_id, user)
    permit(policies.has_scope(user, "read"))
    return initiative


def get_actionable_initiative(initiative_id: int, user: ApiUser, session: SessionDep) -> Initiative:
    """An initiative the caller may see, for a lifecycle move (scope write; the move's own
    actors are checked by the service, answering 422 or 403)."""
    initiative = initiatives_service.get_visible(session, initiative_id, user)
    permit(policies.has_scope(user, "write"))
    return initiative


def get_editable_initiative(initiative_id: int, user: ApiUser, session: SessionDep) -> Initiative:
    """An initiative whose text the caller may edit (scope write)."""
    initiative = initiatives_service.get_visible(session, initiative_id, user)
    permit(policies.has_scope(user, "write") and policies.can_edit_initiative(user, initiative))
    return initiative


ViewableInitiative = Annotated[Initiative, Depends(get_viewable_initiative)]
ActionableInitiative = Annotated[Initiative, Depends(get_actionable_initiative)]
EditableInitiative = Annotated[Initiative, Depends(get_editable_initiative)]
BindDep = Annotated[Engine, Depends(get_bind)]


def _public(initiative: Initiative) -> InitiativePublic:
    return InitiativePublic.model_validate(initiative, from_attributes=True)


@router.get("/initiatives", response_model=InitiativePage)
def list_initiatives(
    session: SessionDep,
    user: Annotated[Principal, require_api("can_list_initiatives", "read")],
    q: Annotated[str, Query(max_length=200)] = "",
    house_id: int | None = None,
    scope: Scope | None = None,
    state: State | None = None,
    participation: Participation | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    overdue: bool = False,
    mine: Annotated[bool, Query(description="filed, suggested, assigned or followed")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> InitiativePage:
    """The initiatives the caller may see that match the filters, newest first."""
    filters = initiative_lists.Filters(
        q=q,
        house_id=house_id,
        scope=scope,
        state=state,
        participation=participation,
        year=year,
        overdue=overdue,
        mine=mine,
    )
    rows, total = initiative_lists.search(session, user, filters, today(), limit, offset)
    return InitiativePage(items=[_public(i) for i in rows], total=total)


@router.post("/initiatives", response_model=InitiativePublic, status_code=201)
def create_initiative(
    session: SessionDep,
    user: Annotated[Principal, require_api("can_start_initiative", "write")],
    data: InitiativeCreate,
    background: BackgroundTasks,
    bind: BindDep,
) -> InitiativePublic:
    """File a draft (committee members; Haso-yte for company scope) or, for a resident,
    suggest one to the house's committee; 422 with the field for a house or scope refused."""
    initiative = initiatives_service.create(session, data, user)
    background.add_task(mail_service.send_pending, bind)
    return _public(initiative)


@router.get("/initiatives/{initiative_id}", response_model=InitiativePublic)
def read_initiative(initiative: ViewableInitiative) -> InitiativePublic:
    """One initiative; 404 if it does not exist or the caller may not see it."""
    return _public(initiative)


@router.patch("/initiatives/{initiative_id}", response_model=InitiativePublic)
def update_initiative(
    session: SessionDep, user: ApiUser, initiative: EditableInitiative, data: InitiativePatch
) -> InitiativePublic:
    """Edit the text (its filer, until it is received): only the fields sent change, so
    {"title": ..., "version": ...} keeps the text; 409 if the version is stale."""
    return _public(initiatives_service.update(session, initiative, data, user))


@router.post("/initiatives/{initiative_id}/transitions", response_model=InitiativePublic)
def make_transition(
    session: SessionDep,
    user: ApiUser,
    initiative: ActionableInitiative,
    data: TransitionRequest,
    background: BackgroundTasks,
    bind: BindDep,
) -> InitiativePublic:
    """Make a lifecycle move; 422 at "action" if the state does not allow it, 403 if the
    caller is not one of its actors, 409 if the version is stale."""
    transitions_service.move(
        session,
        initiative,
        data.action,
        user,
        version=data.version,
        note=data.note,
        assignee_id=data.assignee_id,
        outcome=data.outcome,
        answer_text=data.answer,
        rating=data.rating,
        comment=data.comment,
    )
    background.add_task(mail_service.send_pending, bind)
    return _public(initiative)


@router.get("/initiatives/{initiative_id}/history", response_model=list[EventPublic])
def read_history(session: SessionDep, initiative: ViewableInitiative) -> list[EventPublic]:
    """Every change to the initiative, oldest first."""
    assert initiative.id is not None
    events: list[InitiativeEvent] = initiatives_service.history(session, initiative.id)
    return [EventPublic.model_validate(e, from_attributes=True) for e in events]


@router.get("/initiatives/{initiative_id}/evaluations", response_model=list[EvaluationPublic])
def read_evaluations(session: SessionDep, initiative: ViewableInitiative) -> list[EvaluationPublic]:
    """The ratings of the outcome, oldest first."""
    assert initiative.id is not None
    rows: list[InitiativeEvaluation] = initiatives_service.evaluations(session, initiative.id)
    return [EvaluationPublic.model_validate(r, from_attributes=True) for r in rows]
