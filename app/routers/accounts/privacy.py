"""Data protection: one's own data as JSON (page and API), erasure on request (administrators)."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from app.deps import FormData, SessionDep, require, require_api
from app.i18n import _
from app.models.people import Person
from app.services.access.roles import Principal
from app.services.bodies import people as people_service
from app.services.privacy import data_protection
from app.templating import render

router = APIRouter()
api_router = APIRouter(prefix="/api/v1", tags=["me"])

DataOwner = Annotated[Principal, require("can_download_own_data")]
ApiDataOwner = Annotated[Principal, require_api("can_download_own_data")]
Eraser = Annotated[Principal, require("can_erase_people")]


class DataExport(BaseModel):
    """Everything the portal holds about a person: their own row, and every row of every table
    that refers to them (by table, then by the referring column)."""

    exported_at: str
    person: dict[str, Any]
    records: dict[str, dict[str, list[dict[str, Any]]]]


@router.get("/account/data.json", name="account_data")
def download_my_data(session: SessionDep, user: DataOwner) -> Response:
    """One's own data as a JSON file."""
    data = data_protection.export(session, user.person)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="my-data-{user.id}.json"',
            "Cache-Control": "private, no-store",
        },
    )


@api_router.get("/me/data", response_model=DataExport)
def my_data(session: SessionDep, user: ApiDataOwner) -> DataExport:
    """Everything the portal holds about the caller."""
    return DataExport(**data_protection.export(session, user.person))


def get_erasable_person(person_id: int, user: Eraser, session: SessionDep) -> Person:
    """A person an administrator may erase: 403 for everyone else, 404 when there is none."""
    return people_service.get(session, person_id)


ErasablePerson = Annotated[Person, Depends(get_erasable_person)]


def _page(
    request: Request,
    person: Person,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "privacy/erase.html",
        {
            "person": person,
            "erased": data_protection.is_erased(person),
            "pseudonym": data_protection.ERASED_NAME % {"id": person.id},
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


@router.get("/admin/people/{person_id}/erase", name="admin_person_erase")
def erase_form(request: Request, person: ErasablePerson) -> Response:
    """The confirmation step before erasing a person's data."""
    return _page(request, person)


@router.post("/admin/people/{person_id}/erase")
def erase(
    request: Request, session: SessionDep, user: Eraser, person: ErasablePerson, form: FormData
) -> Response:
    """Erase a person's data once the administrator has typed their email address."""
    if data_protection.is_erased(person):
        return _page(request, person)
    typed = form.get("confirm_email", "").strip().lower()
    # A person without email (a resident on paper) is confirmed by their name.
    expected = person.email or " ".join(person.name.split())
    if " ".join(typed.split()) != expected.lower():
        message = (
            _("Type the person's email address exactly as shown.")
            if person.email
            else _("Type the person's name exactly as shown.")
        )
        errors = {"confirm_email": message}
        return _page(request, person, errors, {"confirm_email": typed}, status_code=422)
    if person.id == user.id:
        errors = {"confirm_email": _("You cannot erase your own data while logged in.")}
        return _page(request, person, errors, {"confirm_email": typed}, status_code=422)
    data_protection.erase(session, person, user.id)
    return RedirectResponse(f"/admin/people/{person.id}/erase", status_code=303)
