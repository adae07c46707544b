"""Administration pages: people and their staff roles, and the (read-only) audit log."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import SQLModel

from app import forms
from app.deps import FormData, SessionDep, require
from app.errors import Conflict, ValidationFailed
from app.i18n import _
from app.models.people import Person, PersonCreate, PersonUpdate, StaffKind
from app.services.access.roles import Principal
from app.services.bodies import apartments as apartments_service
from app.services.bodies import people as people_service
from app.templating import render

router = APIRouter()

AdminUser = Annotated[Principal, require("can_administer")]
AuditReader = Annotated[Principal, require("can_view_audit")]
PER_PAGE = 50


class PersonEditForm(PersonCreate):
    """The edit form: a person's fields and the version they were read at."""

    version: int


class RoleForm(SQLModel):
    """The grant form: which staff role."""

    kind: StaffKind


def get_administered_person(person_id: int, user: AdminUser, session: SessionDep) -> Person:
    """A person an administrator looks after: 403 for everyone else, 404 when there is none."""
    return people_service.get(session, person_id)


AdministeredPerson = Annotated[Person, Depends(get_administered_person)]


def _person_values(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "email": person.email or "",
        "notice_channel": person.notice_channel.value,
        "phone": person.phone or "",
        "language": person.language.value,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "version": person.version,
    }


def _person_page(
    request: Request,
    session: SessionDep,
    person: Person,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    assert person.id is not None
    held = {role.kind for role in people_service.staff_roles(session, person.id)}
    residencies = people_service.residencies(session, person.id)
    context = {
        "person": person,
        "residencies": residencies,
        "floor_areas": apartments_service.floor_areas(session, (r for r, _house in residencies)),
        "held": [kind for kind in StaffKind if kind in held],
        "grantable": [kind for kind in StaffKind if kind not in held],
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "admin/person.html", context, status_code=status_code)


@router.get("/admin", name="admin")
def admin_index(request: Request, user: AdminUser) -> Response:
    """Where administration starts."""
    return render(request, "admin/index.html")


@router.get("/admin/people", name="admin_people")
def people_list(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    """Everyone, searchable by name or email, a page at a time."""
    found = people_service.search_page(session, q, page, PER_PAGE)
    return render(request, "admin/people.html", {"found": found, "q": q, "values": {"q": q}})


@router.get("/admin/people/new", name="admin_person_new")
def new_person_form(request: Request, user: AdminUser) -> Response:
    """The form for a new person."""
    values = {"language": "fi", "notice_channel": "email"}
    return render(request, "admin/person_form.html", {"values": values})


@router.post("/admin/people/new")
def create_person(
    request: Request, session: SessionDep, user: AdminUser, form: FormData
) -> Response:
    """Add a person."""
    try:
        person = people_service.create(session, forms.parse(PersonCreate, form), user.id)
    except ValidationFailed as exc:
        return render(
            request,
            "admin/person_form.html",
            {"errors": exc.errors, "values": form},
            status_code=422,
        )
    return RedirectResponse(f"/admin/people/{person.id}", status_code=303)


@router.get("/admin/people/{person_id}", name="admin_person")
def person_page(request: Request, session: SessionDep, person: AdministeredPerson) -> Response:
    """A person's details, homes and staff roles."""
    return _person_page(request, session, person)


@router.get("/admin/people/{person_id}/edit", name="admin_person_edit")
def edit_person_form(request: Request, person: AdministeredPerson) -> Response:
    """The form that changes a person."""
    return render(
        request, "admin/person_form.html", {"person": person, "values": _person_values(person)}
    )


@router.post("/admin/people/{person_id}/edit")
def edit_person(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    person: AdministeredPerson,
    form: FormData,
) -> Response:
    """Change a person; refused when someone else changed them since the form was opened."""
    context: dict[str, Any] = {"person": person, "values": form}
    try:
        data = forms.parse(PersonEditForm, form)
        # Every field is passed, so an emptied phone or birth date is cleared.
        changes = PersonUpdate(**data.model_dump(exclude={"version"}))
        people_service.update(session, person, changes, user.id, data.version)
    except ValidationFailed as exc:
        return render(
            request, "admin/person_form.html", {**context, "errors": exc.errors}, status_code=422
        )
    except Conflict:
        message = _(
            "Someone else changed this person in the meantime. Reload the page and try again."
        )
        return render(
            request, "admin/person_form.html", {**context, "errors": {"": message}}, status_code=409
        )
    return RedirectResponse(f"/admin/people/{person.id}", status_code=303)


@router.post("/admin/people/{person_id}/roles")
def grant_role(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    person: AdministeredPerson,
    form: FormData,
) -> Response:
    """Give a person a staff role."""
    try:
        people_service.grant(session, person, forms.parse(RoleForm, form).kind, user.id)
    except ValidationFailed as exc:
        return _person_page(request, session, person, exc.errors, form, status_code=422)
    return RedirectResponse(f"/admin/people/{person.id}", status_code=303)


@router.post("/admin/people/{person_id}/roles/{kind}/revoke")
def revoke_role(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    person: AdministeredPerson,
    kind: StaffKind,
) -> Response:
    """Take a staff role away."""
    try:
        people_service.revoke(session, person, kind, user.id)
    except ValidationFailed as exc:
        return _person_page(request, session, person, exc.errors, status_code=422)
    return RedirectResponse(f"/admin/people/{person.id}", status_code=303)


@router.post("/admin/people/{person_id}/password")
def set_password(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    person: AdministeredPerson,
    form: FormData,
) -> Response:
    """Set a person's password (typed twice)."""
    try:
        people_service.change_password(
            session, person, form.get("password", ""), form.get("password_confirm", ""), user.id
        )
    except ValidationFailed as exc:
        return _person_page(request, session, person, exc.errors, status_code=422)
    return RedirectResponse(f"/admin/people/{person.id}?password=set", status_code=303)


@router.get("/admin/audit", name="admin_audit")
def audit_page(
    request: Request,
    session: SessionDep,
    user: AuditReader,
    entity: Annotated[str, Query(max_length=50)] = "",
    entity_id: Annotated[str, Query(max_length=50)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    """The audit log, newest first; nothing here changes it."""
    log = people_service.audit_log(session, entity, entity_id, page, PER_PAGE)
    context = {
        "log": log,
        "entities": people_service.audit_entities(session),
        "entity": entity,
        "entity_id": entity_id if entity else "",
        "values": {"entity": entity},
    }
    return render(request, "admin/audit.html", context)
