"""Surveys API: the surveys one may answer or made, answering, and the results."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status

from app import policies
from app.deps import SessionDep, require_api, today
from app.models.surveys import Survey, SurveyPublic
from app.routers.api import ERROR_RESPONSES
from app.services.access.roles import Principal
from app.services.ballots import survey_results
from app.services.ballots import surveys as service

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"], responses=ERROR_RESPONSES)

Reader = Annotated[Principal, require_api("can_view_surveys", "read")]
Writer = Annotated[Principal, require_api("can_view_surveys", "write")]


def get_viewable_survey(survey_id: int, user: Reader, session: SessionDep) -> Survey:
    """A survey the caller made or belongs to the audience of; 404 otherwise."""
    survey = service.get_survey(session, survey_id)
    if not policies.can_view_survey(user, survey):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return survey


def get_survey_with_results(survey_id: int, user: Reader, session: SessionDep) -> Survey:
    """A survey whose results the caller may see today; 403 before."""
    survey = get_viewable_survey(survey_id, user, session)
    if not policies.can_view_survey_results(user, survey, today()):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return survey


ViewableSurvey = Annotated[Survey, Depends(get_viewable_survey)]
SurveyWithResults = Annotated[Survey, Depends(get_survey_with_results)]


def _public(session: SessionDep, survey: Survey) -> SurveyPublic:
    public = SurveyPublic.model_validate(survey, from_attributes=True)
    public.questions = [
        {"id": q.id, "kind": q.kind, "text": q.text, "options": q.options}
        for q in service.questions(session, survey)
    ]
    return public


@router.get("", response_model=list[SurveyPublic])
def list_surveys(session: SessionDep, user: Reader) -> list[SurveyPublic]:
    """The surveys the caller may answer or made, newest first."""
    return [_public(session, s) for s in service.visible_surveys(session, user)]


@router.get("/{survey_id}", response_model=SurveyPublic)
def read_survey(session: SessionDep, user: Reader, survey: ViewableSurvey) -> SurveyPublic:
    """One survey with its questions."""
    return _public(session, survey)


@router.post("/{survey_id}/answers", status_code=201, response_model=dict[str, bool])
def answer_survey(
    session: SessionDep, user: Writer, survey: ViewableSurvey, data: dict[str, list[str]]
) -> dict[str, bool]:
    """Answer once: {"q<question id>": ["value", ...]} (scale 1–5, option indexes, text)."""
    service.answer(session, survey, user, data, today())
    return {"recorded": True}


@router.get("/{survey_id}/results", response_model=dict[str, Any])
def read_results(session: SessionDep, user: Reader, survey: SurveyWithResults) -> dict[str, Any]:
    """Counts per choice and the free texts, once the caller may see them (403 before)."""
    return {
        "respondents": survey_results.respondents(session, survey),
        "questions": [
            {
                "id": r.question.id,
                "text": r.question.text,
                "choices": dict(zip(r.labels, r.counts, strict=True)),
                "texts": r.texts,
            }
            for r in survey_results.results(session, survey)
        ],
    }
