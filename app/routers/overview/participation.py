"""Participation profile pages: the company's houses side by side, and one house's profile."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import policies
from app.deps import CurrentUser, SessionDep, permit, today
from app.errors import ValidationFailed
from app.i18n import _
from app.jinja import participation_name
from app.models.houses import House
from app.services.access.roles import Principal
from app.services.bodies import houses as houses_service
from app.services.overview import participation as profile_service
from app.services.platform import charts
from app.templating import render

router = APIRouter()


def get_company_landing(user: CurrentUser) -> int | None:
    """None for those who see the whole company; else the first house whose profile the user
    may see (the page sends them there); 403 for everyone else."""
    permit(policies.can_open_participation_profile(user))
    if policies.can_view_company_profile(user):
        return None
    return min(h for h in user.houses if policies.can_view_house_profile(user, h))


def get_profile_house(house_id: int, user: CurrentUser, session: SessionDep) -> House:
    """A house whose profile the user may see; 404 or 403 otherwise."""
    house = houses_service.get(session, house_id)
    if not policies.can_view_house_profile(user, house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


CompanyLanding = Annotated[int | None, Depends(get_company_landing)]
ProfileHouse = Annotated[House, Depends(get_profile_house)]


def _checked(
    session: Session, year: str | None, district: str | None = None, smallest: int = 1
) -> tuple[int, str | None, dict[str, str]]:
    """The year and district asked for, and field errors for the bad ones."""
    errors: dict[str, str] = {}
    day = today()
    chosen = day.year
    try:
        chosen = profile_service.check_year(year, day)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        district = profile_service.check_district(session, district, smallest)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        district = None
    return chosen, district, errors


def _kind_names() -> list[str]:
    return [participation_name(kind) for kind in profile_service.KINDS]


def _base_context(year: int, errors: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
    return {
        "year": year,
        "is_current_year": year == today().year,
        "years": profile_service.year_choices(today(), year),
        "errors": errors,
        "values": values,
        "kinds": profile_service.KINDS,
    }


@router.get("/participation-profile", name="participation_profile")
def company_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    landing: CompanyLanding,
    year: str | None = None,
    district: str | None = None,
    sort: str = profile_service.DEFAULT_SORT,
) -> Response:
    """Management: the company's (or a district's) totals and every house side by side.
    Committees and managers are sent to their own house's profile."""
    if landing is not None:
        query = f"?{urlencode({'year': year})}" if year else ""
        return RedirectResponse(f"/houses/{landing}/participation-profile{query}", 303)
    chosen, district, errors = _checked(session, year, district, policies.smallest_group(user))
    values = {"year": year or str(chosen), "district": district or ""}
    context = _base_context(chosen, errors, values)
    context["districts"] = houses_service.districts(session)
    context["district"] = district
    if errors:
        return render(request, "participation_profile/company.html", context, 422)
    found = profile_service.profile(session, chosen, district=district)
    scope_name = district or _("The whole company")
    context.update(
        profile=found,
        sources=found.sources(),
        sort=sort if sort in profile_service.SORT_KEYS else profile_service.DEFAULT_SORT,
        rows=profile_service.houses_side_by_side(session, chosen, district=district, sort=sort),
        scope_name=scope_name,
        chart=charts.horizontal_bar_chart(
            "profile-chart",
            _(
                "%(scope)s: items by kind of participation in %(year)s",
                scope=scope_name,
                year=chosen,
            ),
            _("A bar chart; the same figures are in the table beside it."),
            _kind_names(),
            [charts.Series(scope_name, [found.counts[k] for k in profile_service.KINDS])],
            category_header=_("Kind of participation"),
        ),
    )
    return render(request, "participation_profile/company.html", context)


@router.get("/houses/{house_id}/participation-profile", name="house_participation_profile")
def house_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    house: ProfileHouse,
    year: str | None = None,
) -> Response:
    """A house's items per kind of participation against the company average per house."""
    assert house.id is not None
    chosen, _district, errors = _checked(session, year)
    context = _base_context(chosen, errors, {"year": year or str(chosen)})
    context["house"] = house
    context["other_houses"] = _other_houses(session, user, house.id)
    if errors:
        return render(request, "participation_profile/house.html", context, 422)
    found = profile_service.profile(session, chosen, house_id=house.id)
    average = profile_service.company_average_per_house(session, chosen)
    context.update(
        profile=found,
        sources=found.sources(),
        average=average,
        chart=charts.horizontal_bar_chart(
            "profile-chart",
            _(
                "%(house)s against the company average per house, %(year)s",
                house=house.name,
                year=chosen,
            ),
            _("A bar chart; the same figures are in the table beside it."),
            _kind_names(),
            [
                charts.Series(house.name, [found.counts[k] for k in profile_service.KINDS]),
                charts.Series(
                    _("Company average per house"),
                    [average.counts[k] for k in profile_service.KINDS],
                    digits=1,
                ),
            ],
            category_header=_("Kind of participation"),
        ),
    )
    return render(request, "participation_profile/house.html", context)


def _other_houses(session: Session, user: Principal, house_id: int) -> list[House]:
    """The user's other houses with a profile to see (management reaches all from the company
    page instead)."""
    if policies.can_view_company_profile(user):
        return []
    ids = [h for h in user.houses if h != house_id and policies.can_view_house_profile(user, h)]
    return profile_service.houses_by_name(session, ids)
