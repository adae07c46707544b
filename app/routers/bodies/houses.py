"""House pages: the searchable list, a house's page, and administrators' editing."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from app import forms, policies
from app.deps import CurrentUser, FormData, SessionDep, require, today
from app.errors import Conflict, ValidationFailed
from app.i18n import _
from app.models.houses import House
from app.services.access.roles import Principal
from app.services.bodies import demands as demands_service
from app.services.bodies import houses as houses_service
from app.services.bodies import residencies as residencies_service
from app.templating import render

router = APIRouter()

AdminUser = Annotated[Principal, require("can_administer")]


def get_viewable_house(house_id: int, user: CurrentUser, session: SessionDep) -> House:
    """The house of the path, for anyone who may see houses."""
    house = houses_service.get(session, house_id)
    if not policies.can_view_houses(user):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


def get_administrable_house(house_id: int, user: CurrentUser, session: SessionDep) -> House:
    """The house of the path, for administrators."""
    house = houses_service.get(session, house_id)
    if not policies.can_administer(user):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


def get_resident_managed_house(house_id: int, user: CurrentUser, session: SessionDep) -> House:
    """The house of the path, for those who record its residents: its property manager and
    administrators."""
    house = houses_service.get(session, house_id)
    if not policies.can_manage_residents(user, house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


ViewableHouse = Annotated[House, Depends(get_viewable_house)]
AdministrableHouse = Annotated[House, Depends(get_administrable_house)]
ResidentManagedHouse = Annotated[House, Depends(get_resident_managed_house)]


def get_visible_residents(
    house: ViewableHouse, user: CurrentUser, session: SessionDep
) -> list[residencies_service.Resident] | None:
    """The house's current residents when the user may see them, else None."""
    if not policies.can_view_residents(user, house.id or 0):
        return None
    return residencies_service.current(session, house.id or 0, today())


def get_managed_resident(
    house: ResidentManagedHouse, residency_id: int, session: SessionDep
) -> residencies_service.Resident:
    """A residency of the path's house with its person, for those who record its residents."""
    resident = residencies_service.get_resident(session, residency_id)
    if resident is None or resident.residency.house_id != house.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return resident


def get_editable_resident(
    resident: Annotated[residencies_service.Resident, Depends(get_managed_resident)],
    user: CurrentUser,
) -> residencies_service.Resident:
    """A resident whose details the user may change: a property manager looks after the
    residents without email (someone with an email has an account: administrators only)."""
    if resident.person.email is not None and not policies.can_administer(user):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return resident


def get_visible_demands(
    house: ViewableHouse, user: CurrentUser, session: SessionDep
) -> list[demands_service.DemandView] | None:
    """The house's open demands for a resident meeting when the user may see its meetings,
    else None."""
    if not policies.can_view_meetings(user, house.id or 0):
        return None
    return demands_service.for_house(session, house.id or 0, user.id, today(), only_open=True)


VisibleResidents = Annotated[
    list[residencies_service.Resident] | None, Depends(get_visible_residents)
]
VisibleDemands = Annotated[list[demands_service.DemandView] | None, Depends(get_visible_demands)]
ManagedResident = Annotated[residencies_service.Resident, Depends(get_managed_resident)]
EditableResident = Annotated[residencies_service.Resident, Depends(get_editable_resident)]


def _house_values(form: dict[str, str]) -> dict[str, Any]:
    values = dict(form)
    # Finnish decimals are written with a comma and thousands with a space.
    if "floor_area" in values:
        for space in (" ", "\u00a0", "\u202f"):
            values["floor_area"] = values["floor_area"].replace(space, "")
        values["floor_area"] = values["floor_area"].replace(",", ".")
    return values


def _house_form(
    request: Request,
    session: SessionDep,
    house: House | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    saved: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "house": house,
        "values": values,
        "errors": errors or {},
        "saved": saved or {},
        "managers": houses_service.property_managers(session),
    }
    return render(request, "houses/form.html", context, status_code=status_code)


@router.get("/houses", name="houses")
def house_list(
    request: Request,
    session: SessionDep,
    user: Annotated[Principal, require("can_view_houses")],
    q: Annotated[str, Query(max_length=200)] = "",
    district: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    """Every house, searchable by name, code, address and district, 50 to a page."""
    context = {
        "result": houses_service.browse(session, q, district, page),
        "districts": houses_service.districts(session),
        "q": q,
        "district": district,
    }
    return render(request, "houses/list.html", context)


@router.get("/houses/new", name="house_new")
def new_house_page(request: Request, session: SessionDep, user: AdminUser) -> Response:
    """The form for a new house."""
    return _house_form(request, session, None, {"city": "Helsinki"})


@router.post("/houses/new")
def create_house(
    request: Request, session: SessionDep, user: AdminUser, form: FormData
) -> Response:
    """Add a house."""
    values = _house_values(form)
    try:
        house = houses_service.create(
            session, forms.parse(houses_service.HouseInput, values), user.id
        )
    except ValidationFailed as exc:
        return _house_form(request, session, None, values, exc.errors, status_code=422)
    return RedirectResponse(f"/houses/{house.id}", status_code=303)


@router.get("/houses/{house_id}", name="house")
def house_page(
    request: Request,
    session: SessionDep,
    house: ViewableHouse,
    residents: VisibleResidents,
    demands: VisibleDemands,
) -> Response:
    """A house: its facts, manager, committee and meetings, the residents' open demands for a
    meeting; residents for those who may see."""
    context = {
        "view": houses_service.house_overview(session, house, today()),
        "residents": residents,
        "demands": demands,
        "today": today(),
    }
    return render(request, "houses/detail.html", context)


@router.get("/houses/{house_id}/edit", name="house_edit")
def edit_house_page(request: Request, session: SessionDep, house: AdministrableHouse) -> Response:
    """The form for changing a house."""
    return _house_form(request, session, house, house.model_dump())


@router.post("/houses/{house_id}/edit")
def update_house(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    house: AdministrableHouse,
    form: FormData,
) -> Response:
    """Change a house; a change made by someone else meanwhile is shown, not overwritten."""
    values = _house_values(form)
    try:
        version = int(values.get("version", ""))
    except ValueError:
        version = -1
    try:
        data = forms.parse(houses_service.HouseInput, values)
        houses_service.update(session, house, data, user.id, version)
    except ValidationFailed as exc:
        return _house_form(request, session, house, values, exc.errors, status_code=422)
    except Conflict:
        message = _(
            "Someone else changed this house while you were editing it, so your changes were "
            "not saved. The form keeps what you entered and shows the saved values beside it. "
            "Check them and save again."
        )
        values["version"] = house.version
        saved = houses_service.differences(house, data)
        return _house_form(request, session, house, values, {"": message}, saved, 409)
    return RedirectResponse(f"/houses/{house.id}", status_code=303)


def _resident_form(
    request: Request,
    house: House,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"house": house, "values": values, "errors": errors or {}}
    return render(request, "houses/resident_form.html", context, status_code=status_code)


@router.get("/houses/{house_id}/residents/new", name="resident_new")
def new_resident_page(request: Request, house: ResidentManagedHouse) -> Response:
    """The form for recording a new resident of a house."""
    return _resident_form(request, house, {"tenure": "holder", "starts_on": today().isoformat()})


@router.post("/houses/{house_id}/residents/new")
def add_resident(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    house: ResidentManagedHouse,
    form: FormData,
) -> Response:
    """Record that a person (picked by email) lives in an apartment of the house."""
    values = dict(form)
    try:
        data = forms.parse(residencies_service.ResidentByEmail, values)
        residencies_service.add_by_email(session, house.id or 0, data, user.id)
    except ValidationFailed as exc:
        return _resident_form(request, house, values, exc.errors, status_code=422)
    return RedirectResponse(f"/houses/{house.id}#residents", status_code=303)


def _paper_form(
    request: Request,
    house: House,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"house": house, "values": values, "errors": errors or {}}
    return render(request, "houses/resident_paper_form.html", context, status_code=status_code)


@router.get("/houses/{house_id}/residents/new-without-email", name="resident_new_on_paper")
def new_paper_resident_page(request: Request, house: ResidentManagedHouse) -> Response:
    """The form for a new resident without email (their notices go on paper)."""
    values = {"tenure": "holder", "language": "fi", "starts_on": today().isoformat()}
    return _paper_form(request, house, values)


@router.post("/houses/{house_id}/residents/new-without-email")
def add_paper_resident(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    house: ResidentManagedHouse,
    form: FormData,
) -> Response:
    """Add a person without email and their residency in an apartment of the house."""
    values = dict(form)
    try:
        data = forms.parse(residencies_service.ResidentOnPaper, values)
        residencies_service.add_on_paper(session, house.id or 0, data, user.id)
    except ValidationFailed as exc:
        return _paper_form(request, house, values, exc.errors, status_code=422)
    return RedirectResponse(f"/houses/{house.id}#residents", status_code=303)


def _details_form(
    request: Request,
    house: House,
    resident: residencies_service.Resident,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"house": house, "resident": resident, "values": values, "errors": errors or {}}
    return render(request, "houses/resident_person_form.html", context, status_code=status_code)


@router.get("/houses/{house_id}/residents/{residency_id}/person", name="resident_person")
def resident_details_page(
    request: Request, house: ResidentManagedHouse, resident: EditableResident
) -> Response:
    """The form for a resident's details: name, contact details, language, how notices reach
    them; adding an email gives them a login."""
    person = resident.person
    values = {
        "name": person.name,
        "email": person.email or "",
        "phone": person.phone or "",
        "language": person.language.value,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "notice_channel": person.notice_channel.value,
        "version": person.version,
    }
    return _details_form(request, house, resident, values)


@router.post("/houses/{house_id}/residents/{residency_id}/person")
def change_resident_details(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    house: ResidentManagedHouse,
    resident: EditableResident,
    form: FormData,
) -> Response:
    """Change a resident's details; refused when someone else changed them meanwhile."""
    values = dict(form)
    try:
        data = forms.parse(residencies_service.ResidentDetails, values)
        residencies_service.change_details(session, resident.person, data, user.id)
    except ValidationFailed as exc:
        return _details_form(request, house, resident, values, exc.errors, status_code=422)
    except Conflict:
        message = _(
            "Someone else changed this person in the meantime. Reload the page and try again."
        )
        return _details_form(request, house, resident, values, {"": message}, status_code=409)
    return RedirectResponse(f"/houses/{house.id}#residents", status_code=303)


def _end_form(
    request: Request,
    house: House,
    resident: residencies_service.Resident,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"house": house, "resident": resident, "values": values, "errors": errors or {}}
    return render(request, "houses/end_form.html", context, status_code=status_code)


@router.get("/houses/{house_id}/residents/{residency_id}/end", name="resident_end")
def end_residency_page(
    request: Request, house: ResidentManagedHouse, resident: ManagedResident
) -> Response:
    """The form for ending a residency, today by default."""
    return _end_form(request, house, resident, {"ends_on": today().isoformat()})


@router.post("/houses/{house_id}/residents/{residency_id}/end")
def end_residency(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    house: ResidentManagedHouse,
    resident: ManagedResident,
    form: FormData,
) -> Response:
    """Set the last day of a residency."""
    values = dict(form)
    try:
        data = forms.parse(residencies_service.ResidencyEnd, values)
        residencies_service.end(session, resident.residency, data.ends_on, user.id)
    except ValidationFailed as exc:
        return _end_form(request, house, resident, values, exc.errors, status_code=422)
    return RedirectResponse(f"/houses/{house.id}#residents", status_code=303)
