"""The compliance page: each house's meeting and committee term, and the company's newsletters,
against what the cooperation model promises."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import policies
from app.deps import SessionDep, require, today
from app.errors import ValidationFailed
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.compliance import status as compliance_service
from app.templating import render

router = APIRouter()

Viewer = Annotated[Principal, require("can_view_compliance")]


@router.get("/compliance", name="compliance")
def compliance_page(
    request: Request,
    session: SessionDep,
    user: Viewer,
    year: str | None = None,
    sort: str = compliance_service.DEFAULT_SORT,
    problems: str | None = None,
) -> Response:
    """The year's table of houses (problems first) and, for management, the newsletters."""
    day = today()
    errors: dict[str, str] = {}
    try:
        chosen = compliance_service.check_year(year, day)
    except ValidationFailed as exc:
        errors, chosen = exc.errors, day.year
    sort = sort if sort in compliance_service.SORT_KEYS else compliance_service.DEFAULT_SORT
    only_problems = problems == "1"
    context = {
        "year": chosen,
        "years": compliance_service.years(day),
        "is_current_year": chosen == day.year,
        "sort": sort,
        "only_problems": only_problems,
        "errors": errors,
        "values": {"year": year or str(chosen), "sort": sort},
        "rows": [],
        "letters": None,
        "c": compliance_service,
        "term_warning_days": compliance_service.TERM_WARNING_DAYS,
    }
    if errors:
        return render(request, "compliance/index.html", context, 422)
    context["rows"] = compliance_service.house_rows(
        session,
        chosen,
        utcnow(),
        house_ids=compliance_service.visible_house_ids(user),
        sort=sort,
        only_problems=only_problems,
    )
    if policies.can_view_company_compliance(user):
        context["letters"] = compliance_service.newsletters(session, chosen, day)
    return render(request, "compliance/index.html", context)
