"""Resident surveys: questions, answering once (anonymously by default), results and CSV.

Questions are written one per line, so that a survey is made in one plain form:
    scale: How satisfied are you with the cleaning?
    single: Did you take part in the budget info? | Yes | No
    multiple: Which channels reach you? | Mail | Notice board | Portal
    text: What should we do better?
Answers go through app/services/ballots/secrecy.py: a participation record per person, the answers
stored apart under a random key with no person (unless the survey is not anonymous).
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.errors import NotFound, ValidationFailed
from app.i18n import N_, _
from app.jinja import fmt_date
from app.models.calendar import Audience
from app.models.houses import House
from app.models.initiatives import Initiative
from app.models.surveys import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyCreate,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
)
from app.services.access.roles import Principal
from app.services.ballots import policies
from app.services.ballots import secrecy as ballots
from app.services.platform import audit

SCALE = [1, 2, 3, 4, 5]
PREFIXES = {
    "scale": QuestionKind.scale,
    "single": QuestionKind.single,
    "multiple": QuestionKind.multiple,
    "text": QuestionKind.text,
}

# Ready-made question sets for the uses of the cooperation model (English msgids; the form
# shows them in the user's language).
TEMPLATES: dict[str, tuple[str, list[str]]] = {
    "satisfaction": (
        N_("Yearly resident satisfaction survey"),
        [
            N_("scale: How satisfied are you with living in your house?"),
            N_("scale: How satisfied are you with the maintenance and cleaning?"),
            N_("scale: How well does the resident committee keep you informed?"),
            N_("single: Would you recommend your house to a friend? | Yes | No | Cannot say"),
            N_("text: What should be done better?"),
        ],
    ),
    "budgeting": (
        N_("Evaluation of the budgeting process with Haso-yte"),
        [
            N_("scale: How well could Haso-yte influence the budget?"),
            N_("scale: How clear was the budget information?"),
            N_("single: Was there enough time to prepare a statement? | Yes | No"),
            N_("text: What should change in the next budgeting round?"),
        ],
    ),
    "initiative": (
        N_("Evaluation of an implemented initiative"),
        [
            N_("scale: How well did the implementation meet the initiative's aim?"),
            N_("scale: How satisfied are you with how the initiative was handled?"),
            N_("text: Comments on the outcome"),
        ],
    ),
}


def parse_questions(text: str) -> list[SurveyQuestion]:
    """Questions from lines "kind: question | option | option"; errors name the line."""
    questions: list[SurveyQuestion] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        prefix, sep, rest = line.partition(":")
        kind = PREFIXES.get(prefix.strip().lower())
        if not sep or kind is None:
            raise ValidationFailed(
                {
                    "questions": _(
                        "Line %(n)s: start with scale:, single:, multiple: or text:.", n=number
                    )
                }
            )
        parts = [p.strip() for p in rest.split("|")]
        question, options = parts[0], [p for p in parts[1:] if p]
        if not question or len(question) > 500:
            raise ValidationFailed(
                {
                    "questions": _(
                        "Line %(n)s: write the question (at most 500 characters).", n=number
                    )
                }
            )
        if kind in (QuestionKind.single, QuestionKind.multiple) and len(options) < 2:
            raise ValidationFailed(
                {"questions": _("Line %(n)s: give at least two options, separated by |.", n=number)}
            )
        if kind in (QuestionKind.scale, QuestionKind.text):
            options = []
        questions.append(
            SurveyQuestion(
                survey_id=0, position=len(questions), kind=kind, text=question, options=options
            )
        )
    if not questions:
        raise ValidationFailed({"questions": _("Write at least one question.")})
    return questions


def survey_houses(session: Session, user: Principal) -> list[House]:
    """The houses whose residents a user may survey, by name."""
    query = select(House).order_by(col(House.name), col(House.id))
    if not (user.is_management or user.is_admin):
        mine = user.manager_of | user.committee_of
        if not mine:
            return []
        query = query.where(col(House.id).in_(sorted(mine)))
    return list(session.exec(query))


def may_create_for(user: Principal, audience: Audience, house_id: int | None) -> bool:
    """Management any audience; a property manager or a committee their own house's residents."""
    if user.is_management or user.is_admin:
        return True
    if audience != Audience.house_residents or house_id is None:
        return False
    return house_id in user.manager_of or house_id in user.committee_of


def create_survey(session: Session, data: SurveyCreate, user: Principal) -> Survey:
    """Record a survey with its questions."""
    errors: dict[str, str] = {}
    if data.closes_on < data.opens_on:
        errors["closes_on"] = _("The survey must close after it opens.")
    house_audience = data.audience in (Audience.house_residents, Audience.house_committee)
    if house_audience and data.house_id is None:
        errors["house_id"] = _("Choose the house.")
    if data.initiative_id is not None and session.get(Initiative, data.initiative_id) is None:
        errors["initiative_id"] = _("There is no such initiative.")
    if not may_create_for(user, data.audience, data.house_id):
        errors["audience"] = _("You can make surveys only for the residents of your own house.")
    if errors:
        raise ValidationFailed(errors)
    questions = parse_questions(data.questions)
    survey = Survey(
        **data.model_dump(exclude={"questions", "house_id"}),
        house_id=data.house_id if house_audience else None,
        created_by=user.id,
    )
    session.add(survey)
    session.flush()
    assert survey.id is not None
    for question in questions:
        question.survey_id = survey.id
        session.add(question)
    session.flush()
    audit.record(session, user.id, "create", survey)
    for question in questions:
        audit.record(session, user.id, "create", question)
    return survey


def get_survey(session: Session, survey_id: int) -> Survey:
    """A survey by id, or NotFound."""
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise NotFound()
    return survey


def questions(session: Session, survey: Survey) -> list[SurveyQuestion]:
    """The survey's questions in order."""
    return list(
        session.exec(
            select(SurveyQuestion)
            .where(SurveyQuestion.survey_id == survey.id)
            .order_by(col(SurveyQuestion.position))
        )
    )


def is_open(survey: Survey, today: date) -> bool:
    """Whether answers are taken on a day."""
    return survey.opens_on <= today <= survey.closes_on


def is_creator(user: Principal, survey: Survey) -> bool:
    """The creator, or management."""
    return policies.can_manage_survey(user, survey)


def can_answer(user: Principal, survey: Survey) -> bool:
    """Whether the person belongs to the survey's audience."""
    return policies.can_answer_survey(user, survey)


def results_visible(user: Principal, survey: Survey, today: date) -> bool:
    """The creator sees results after closing (or live); the audience once shared."""
    return policies.can_view_survey_results(user, survey, today)


def has_answered(session: Session, survey: Survey, person_id: int) -> bool:
    """Whether the person's participation record exists."""
    return session.get(SurveyParticipation, (survey.id, person_id)) is not None


def visible_surveys(session: Session, user: Principal) -> list[Survey]:
    """Surveys the person may answer or created, newest first."""
    found = session.exec(select(Survey).order_by(col(Survey.opens_on).desc(), col(Survey.id)))
    return [s for s in found if is_creator(user, s) or can_answer(user, s)]


def answer(
    session: Session,
    survey: Survey,
    user: Principal,
    values: dict[str, list[str]],
    today: date,
) -> None:
    """Store a person's answers once. Nothing is stored on refusal."""
    if not is_open(survey, today):
        raise ValidationFailed(
            {
                "": _(
                    "The survey is open from %(start)s to %(end)s.",
                    start=fmt_date(survey.opens_on),
                    end=fmt_date(survey.closes_on),
                )
            }
        )
    if not can_answer(user, survey):
        raise ValidationFailed({"": _("This survey is not meant for you.")})
    assert survey.id is not None
    response = SurveyResponse(survey_id=survey.id, person_id=None if survey.anonymous else user.id)
    rows: list[Any] = [response]
    errors: dict[str, str] = {}
    for question in questions(session, survey):
        key = f"q{question.id}"
        given = [v.strip() for v in values.get(key, []) if v.strip()]
        if not given:
            continue  # every question may be left unanswered
        if question.kind == QuestionKind.text:
            rows.append(
                SurveyAnswer(
                    response_id=response.id, question_id=question.id or 0, text=given[0][:4000]
                )
            )
            continue
        allowed = SCALE if question.kind == QuestionKind.scale else range(len(question.options))
        try:
            picked = sorted({int(v) for v in given})
        except ValueError:
            picked = [-1]
        if any(p not in allowed for p in picked) or (
            question.kind != QuestionKind.multiple and len(picked) > 1
        ):
            errors[key] = _("Choose one of the given options.")
            continue
        rows += [
            SurveyAnswer(response_id=response.id, question_id=question.id or 0, value=p)
            for p in picked
        ]
    if errors:
        raise ValidationFailed(errors)
    participation = SurveyParticipation(survey_id=survey.id, person_id=user.id, answered_on=today)
    try:
        ballots.cast(session, participation, rows)
    except ballots.AlreadyVoted as exc:
        raise ValidationFailed({"": _("You have already answered this survey.")}) from exc
    audit.record(session, user.id, "create", participation)


# An anonymous survey's responses are rewritten daily while it is open and for this many days
# after it closes, so that the order the rows were stored in leaves no trace of who answered.
MIX_DAYS_AFTER_CLOSING = 7


def mix_responses(session: Session, survey: Survey) -> int:
    """Rewrite an anonymous survey's responses in a random order; returns how many.

    A response is stored in the same transaction as its participation record: the database's
    order of insertion (SQLite's rowid, PostgreSQL's transaction ids) would otherwise pair the
    n-th person who answered with the n-th response. As _reshuffle_ballots does for elections.
    """
    if not survey.anonymous:
        return 0
    rows = session.exec(
        select(SurveyResponse, SurveyAnswer)
        .outerjoin(SurveyAnswer, col(SurveyAnswer.response_id) == SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id)
    ).all()
    answers: dict[Any, list[tuple[int, int | None, str | None]]] = {}
    for response, answer in rows:
        marks = answers.setdefault(response.id, [])
        if answer is not None:
            marks.append((answer.question_id, answer.value, answer.text))
    for response, answer in rows:
        for obj in (answer, response):
            if obj is not None and obj in session:
                session.expunge(obj)
    response_ids = select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id)
    session.execute(delete(SurveyAnswer).where(col(SurveyAnswer.response_id).in_(response_ids)))
    session.execute(delete(SurveyResponse).where(col(SurveyResponse.survey_id) == survey.id))
    assert survey.id is not None
    for response_id in ballots.shuffled(list(answers)):
        session.add(SurveyResponse(id=response_id, survey_id=survey.id))
        session.flush()
        for question_id, value, text in ballots.shuffled(answers[response_id]):
            session.add(
                SurveyAnswer(
                    response_id=response_id, question_id=question_id, value=value, text=text
                )
            )
    session.flush()
    return len(answers)


def mix_due(session: Session, today: date) -> int:
    """Mix the responses of every anonymous survey open today or closed in the last days."""
    due = session.exec(
        select(Survey)
        .where(
            col(Survey.anonymous).is_(True),
            col(Survey.opens_on) <= today,
            col(Survey.closes_on) >= today - timedelta(days=MIX_DAYS_AFTER_CLOSING),
        )
        .order_by(col(Survey.id))
    ).all()
    return sum(mix_responses(session, survey) for survey in due)


def set_shared(session: Session, survey: Survey, shared: bool, actor_id: int) -> Survey:
    """Share the results with the audience, or stop sharing."""
    before = audit.snapshot(survey)
    survey.results_shared = shared
    session.add(survey)
    session.flush()
    audit.record(session, actor_id, "update", survey, before)
    return survey
