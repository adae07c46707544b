"""Haso-yte pages: the body's members for everyone; its terms and seats for management."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app import forms
from app.deps import FormData, SessionDep, require, today
from app.errors import ValidationFailed
from app.i18n import _
from app.models.yte import YteTerm, YteTermCreate
from app.services.access.roles import Principal
from app.services.bodies import yte as yte_service
from app.templating import render

router = APIRouter()

YteViewer = Annotated[Principal, require("can_view_yte")]
YteManager = Annotated[Principal, require("can_manage_yte")]


def get_managed_term(term_id: int, user: YteManager, session: SessionDep) -> YteTerm:
    """A term its manager may change: 403 for others, 404 when there is none."""
    return yte_service.get_term(session, term_id)


ManagedTerm = Annotated[YteTerm, Depends(get_managed_term)]


def _term_page(
    request: Request,
    session: SessionDep,
    term: YteTerm,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "view": yte_service.term_view(session, term),
        "candidates": yte_service.eligible_chairs(session, term),
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "yte/term.html", context, status_code=status_code)


@router.get("/yte", name="yte")
def yte_page(request: Request, session: SessionDep, user: YteViewer) -> Response:
    """The current term's members, and the earlier terms."""
    day = today()
    current = yte_service.current_term(session, day)
    others = [
        v
        for v in yte_service.list_terms(session)
        if current is None or v.term.id != current.term.id
    ]
    context = {
        "current": current,
        "earlier": [v for v in others if v.term.ends_on < day],
        "upcoming": [v for v in others if v.term.starts_on > day],
    }
    return render(request, "yte/index.html", context)


@router.get("/yte/terms/new", name="yte_term_new")
def new_term_form(request: Request, user: YteManager) -> Response:
    """The form for a new term."""
    return render(request, "yte/term_new.html")


@router.post("/yte/terms/new")
def create_term(
    request: Request, session: SessionDep, user: YteManager, form: FormData
) -> Response:
    """Record a new term."""
    try:
        term = yte_service.create_term(session, forms.parse(YteTermCreate, form), user.id)
    except ValidationFailed as exc:
        return render(
            request, "yte/term_new.html", {"errors": exc.errors, "values": form}, status_code=422
        )
    return RedirectResponse(f"/yte/terms/{term.id}", status_code=303)


@router.get("/yte/terms/{term_id}", name="yte_term")
def term_page(request: Request, session: SessionDep, term: ManagedTerm) -> Response:
    """A term's members, with the form that adds a sitting chair."""
    return _term_page(request, session, term)


@router.post("/yte/terms/{term_id}/members")
def add_member(
    request: Request, session: SessionDep, user: YteManager, term: ManagedTerm, form: FormData
) -> Response:
    """Seat a sitting chair (the candidate field is "person_id:house_id")."""
    try:
        person_id, house_id = _candidate(form.get("candidate", ""))
        yte_service.add_member(session, term, person_id, house_id, user.id)
    except ValidationFailed as exc:
        # The form has one field; whatever the service names, the error belongs there.
        errors = {("candidate" if k else k): v for k, v in exc.errors.items()}
        return _term_page(request, session, term, errors, form, status_code=422)
    return RedirectResponse(f"/yte/terms/{term.id}", status_code=303)


def _candidate(value: str) -> tuple[int, int]:
    person, _sep, house = value.partition(":")
    if not (person.isdigit() and house.isdigit()):
        raise ValidationFailed({"candidate": _("Choose a chair from the list.")})
    return int(person), int(house)


@router.post("/yte/terms/{term_id}/members/{member_id}/remove")
def remove_member(
    session: SessionDep, user: YteManager, term: ManagedTerm, member_id: int
) -> Response:
    """Take a member off the term."""
    yte_service.remove_member(session, term, member_id, user.id)
    return RedirectResponse(f"/yte/terms/{term.id}", status_code=303)


@router.post("/yte/terms/{term_id}/members/{member_id}/chair")
def make_body_chair(
    session: SessionDep, user: YteManager, term: ManagedTerm, member_id: int
) -> Response:
    """Make a member the chair of Haso-yte for the term."""
    yte_service.set_body_chair(session, term, member_id, user.id)
    return RedirectResponse(f"/yte/terms/{term.id}", status_code=303)
