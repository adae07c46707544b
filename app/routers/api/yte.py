"""Haso-yte API: the current term and every term for anyone; terms and seats for management."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from sqlmodel import SQLModel

from app.deps import SessionDep, require_api, today
from app.models.yte import YteMemberPublic, YteTerm, YteTermCreate, YteTermPublic
from app.services.access.roles import Principal
from app.services.bodies import yte as yte_service

router = APIRouter(prefix="/api/v1", tags=["yte"])

Reader = Annotated[Principal, require_api("can_view_yte", "read")]
Manager = Annotated[Principal, require_api("can_manage_yte", "write")]


class YteMemberCreate(SQLModel):
    """Input for a seat: a sitting chair and the house they chair."""

    person_id: int
    house_id: int


def get_managed_term(term_id: int, user: Manager, session: SessionDep) -> YteTerm:
    """A term its manager may change: 403 for others, 404 when there is none."""
    return yte_service.get_term(session, term_id)


@router.get("/yte", response_model=YteTermPublic)
def current(session: SessionDep, user: Reader) -> YteTermPublic:
    """The term in force today with its members; 404 between terms."""
    view = yte_service.current_term(session, today())
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No term of Haso-yte is in force")
    return yte_service.public(view)


@router.get("/yte/terms", response_model=list[YteTermPublic])
def terms(session: SessionDep, user: Reader) -> list[YteTermPublic]:
    """Every term with its members, newest first."""
    return [yte_service.public(view) for view in yte_service.list_terms(session)]


@router.post("/yte/terms", response_model=YteTermPublic, status_code=201)
def create_term(session: SessionDep, user: Manager, data: YteTermCreate) -> YteTermPublic:
    """Record a new term (no overlap, at most two years)."""
    term = yte_service.create_term(session, data, user.id)
    return yte_service.public(yte_service.term_view(session, term))


@router.post("/yte/terms/{term_id}/members", response_model=YteMemberPublic, status_code=201)
def add_member(
    session: SessionDep,
    user: Manager,
    term: Annotated[YteTerm, Depends(get_managed_term)],
    data: YteMemberCreate,
) -> YteMemberPublic:
    """Seat a sitting chair of a house on the term."""
    member = yte_service.add_member(session, term, data.person_id, data.house_id, user.id)
    row = next(m for m in yte_service.term_view(session, term).members if m.id == member.id)
    return yte_service.member_public(row)
