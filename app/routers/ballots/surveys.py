"""Survey pages: the list, making a survey from a template, answering, results, CSV, sharing."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from app import policies
from app.deps import CSRF_FIELD, FormData, SessionDep, require, today
from app.errors import ValidationFailed
from app.forms import parse
from app.i18n import N_, _
from app.jinja import participation_name
from app.models.calendar import Audience
from app.models.participation import Participation
from app.models.surveys import Survey, SurveyCreate
from app.services.access.roles import Principal
from app.services.ballots import survey_results
from app.services.ballots import surveys as service
from app.templating import render

router = APIRouter()

Viewer = Annotated[Principal, require("can_view_surveys")]
Creator = Annotated[Principal, require("can_create_surveys")]
UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_CONTENT
AUDIENCE_LABELS = {
    Audience.house_residents: N_("The residents of a house"),
    Audience.all_chairs: N_("All chairs"),
    Audience.yte: N_("Haso-yte"),
    Audience.all_residents: N_("All residents"),
}


def get_viewable_survey(survey_id: int, user: Viewer, session: SessionDep) -> Survey:
    """A survey the person made or belongs to the audience of; others get 404."""
    survey = service.get_survey(session, survey_id)
    if not policies.can_view_survey(user, survey):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return survey


def get_managed_survey(survey_id: int, user: Viewer, session: SessionDep) -> Survey:
    """A survey whose results the person may export and share."""
    survey = get_viewable_survey(survey_id, user, session)
    if not policies.can_manage_survey(user, survey):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return survey


def get_exportable_survey(survey_id: int, user: Viewer, session: SessionDep) -> Survey:
    """A survey whose results the person manages and may see today (not while sealed)."""
    survey = get_managed_survey(survey_id, user, session)
    if not policies.can_view_survey_results(user, survey, today()):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return survey


ViewableSurvey = Annotated[Survey, Depends(get_viewable_survey)]
ManagedSurvey = Annotated[Survey, Depends(get_managed_survey)]
ExportableSurvey = Annotated[Survey, Depends(get_exportable_survey)]


async def answer_values(request: Request) -> dict[str, list[str]]:
    """Every posted field with all its values (check boxes repeat a field)."""
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key != CSRF_FIELD and isinstance(value, str):
            values.setdefault(key, []).append(value)
    return values


Answers = Annotated[dict[str, list[str]], Depends(answer_values)]


@router.get("/surveys", name="surveys")
def list_page(request: Request, session: SessionDep, user: Viewer) -> Response:
    """The surveys one may answer or made."""
    day = today()
    rows = [
        (s, service.is_open(s, day), service.has_answered(session, s, user.id))
        for s in service.visible_surveys(session, user)
    ]
    context = {"rows": rows, "templates": service.TEMPLATES}
    return render(request, "surveys/list.html", context)


def _form(
    request: Request,
    session: SessionDep,
    user: Principal,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "house_options": [("", _("Choose the house"))]
        + [(h.id, f"{h.name} ({h.code})") for h in service.survey_houses(session, user)],
        "audience_options": [(a.value, _(label)) for a, label in AUDIENCE_LABELS.items()],
        "participation_options": [(p.value, participation_name(p)) for p in Participation],
    }
    return render(request, "surveys/form.html", context, status_code=status_code)


@router.get("/surveys/new", name="new_survey")
def new_form(
    request: Request, session: SessionDep, user: Creator, template: str = "", initiative: str = ""
) -> Response:
    """The form, filled from a template when one is chosen."""
    day = today()
    title, lines = service.TEMPLATES.get(template, ("", []))
    values: dict[str, Any] = {
        "title": _(title) if title else "",
        "questions": "\n".join(_(line) for line in lines),
        "audience": Audience.house_residents.value,
        "participation": Participation.evaluation.value,
        "opens_on": day.isoformat(),
        "closes_on": (day + timedelta(days=14)).isoformat(),
        "anonymous": "on",
        "initiative_id": initiative if initiative.isdigit() else "",
    }
    if template == "budgeting":
        values["audience"] = Audience.yte.value
    if len(mine := service.survey_houses(session, user)) == 1:
        values["house_id"] = str(mine[0].id)
    return _form(request, session, user, values)


@router.post("/surveys/new")
def create(request: Request, session: SessionDep, user: Creator, form: FormData) -> Response:
    """Record the survey and go to its page."""
    values: dict[str, Any] = dict(form)
    data = values | {
        "anonymous": values.get("anonymous") == "on",
        "live_results": values.get("live_results") == "on",
    }
    try:
        survey = service.create_survey(session, parse(SurveyCreate, data), user)
    except ValidationFailed as exc:
        return _form(request, session, user, values, exc.errors, UNPROCESSABLE)
    return RedirectResponse(f"/surveys/{survey.id}", status_code=303)


def _detail(
    request: Request,
    session: SessionDep,
    user: Principal,
    survey: Survey,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    answered_now: bool = False,
) -> Response:
    day = today()
    visible = policies.can_view_survey_results(user, survey, day)
    context = {
        "survey": survey,
        "questions": service.questions(session, survey),
        "open": service.is_open(survey, day),
        "may_answer": policies.can_answer_survey(user, survey),
        "answered": service.has_answered(session, survey, user.id),
        "answered_now": answered_now,
        "results": survey_results.results(session, survey) if visible else None,
        "results_visible": visible,
        "respondents": survey_results.respondents(session, survey),
        "manage": policies.can_manage_survey(user, survey),
        "audience_label": _(AUDIENCE_LABELS.get(Audience(survey.audience), "")),
        "scale": service.SCALE,
        "errors": errors or {},
    }
    return render(request, "surveys/detail.html", context, status_code=status_code)


@router.get("/surveys/{survey_id}", name="survey")
def detail(request: Request, session: SessionDep, user: Viewer, survey: ViewableSurvey) -> Response:
    """The survey: the answer form while open, the results when they may be seen."""
    return _detail(request, session, user, survey)


@router.post("/surveys/{survey_id}/answer")
def answer(
    request: Request,
    session: SessionDep,
    user: Viewer,
    survey: ViewableSurvey,
    values: Answers,
) -> Response:
    """Store the answers once."""
    try:
        service.answer(session, survey, user, values, today())
    except ValidationFailed as exc:
        return _detail(request, session, user, survey, exc.errors, UNPROCESSABLE)
    return _detail(request, session, user, survey, answered_now=True)


@router.post("/surveys/{survey_id}/share")
def share(session: SessionDep, user: Viewer, survey: ManagedSurvey, form: FormData) -> Response:
    """Share the results with the audience, or stop sharing."""
    service.set_shared(session, survey, form.get("shared") == "on", user.id)
    return RedirectResponse(f"/surveys/{survey.id}#results", status_code=303)


@router.get("/surveys/{survey_id}/results.csv")
def results_csv(session: SessionDep, user: Viewer, survey: ExportableSurvey) -> Response:
    """The results as a CSV file for Excel."""
    return Response(
        survey_results.to_csv(session, survey),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="survey-{survey.id}.csv"'},
    )
