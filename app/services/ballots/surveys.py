"""Resident surveys: questions, answering once (anonymously by default), results and CSV.

Questions are written one per line, so that a survey is made in one plain form:
    scale: How satisfied are you with the cleaning?
    single: Did you take part in the budget info? | Yes | No
    multiple: Which channels reach you? | Mail | Notice board | Portal
    text: What should we do better?
Answers go through app/services/ballots/secrecy.py: a participation record per person, the answers
stored apart with no person (unless the survey is not anonymous). An anonymous survey's answers
are sealed while it is open (app/services/ballots/sealing.py: to a key derived from the portal's
secret key, padded to one size per survey) and opened into SurveyResponse rows in a random order,
all at once, after it closes.
"""

from datetime import date
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
    SurveySealedResponse,
)
from app.services.access.roles import Principal
from app.services.ballots import policies, sealing
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
    asked = questions(session, survey)
    given_answers, errors = _read_answers(asked, values)
    if errors:
        raise ValidationFailed(errors)
    rows: list[Any]
    if survey.anonymous:
        content = [list(answer) for answer in given_answers]
        sealed = sealing.seal(_public_key(survey), content, sealed_size(asked))
        rows = [SurveySealedResponse(survey_id=survey.id, sealed=sealed)]
    else:
        response = SurveyResponse(survey_id=survey.id, person_id=user.id)
        rows = [response]
        rows += [
            SurveyAnswer(response_id=response.id, question_id=q, value=v, text=t)
            for q, v, t in given_answers
        ]
    participation = SurveyParticipation(survey_id=survey.id, person_id=user.id, answered_on=today)
    try:
        ballots.cast(session, participation, rows)
    except ballots.AlreadyVoted as exc:
        raise ValidationFailed({"": _("You have already answered this survey.")}) from exc
    audit.record(session, user.id, "create", participation)


# The longest free-text answer kept, in characters.
TEXT_LIMIT = 4000
Answer = tuple[int, int | None, str | None]  # question id, value, text


def _clean_text(text: str) -> str:
    """Free text without control characters (line breaks and tabs kept), as valid UTF-8."""
    kept = "".join(ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127))
    return kept.encode("utf-8", "replace").decode("utf-8")[:TEXT_LIMIT]


def _read_answers(
    asked: list[SurveyQuestion], values: dict[str, list[str]]
) -> tuple[list[Answer], dict[str, str]]:
    """The answers given in a form, and the errors by field."""
    out: list[Answer] = []
    errors: dict[str, str] = {}
    for question in asked:
        key = f"q{question.id}"
        given = [v.strip() for v in values.get(key, []) if v.strip()]
        if not given:
            continue  # every question may be left unanswered
        if question.kind == QuestionKind.text:
            text = _clean_text(given[0])
            if text:
                out.append((question.id or 0, None, text))
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
        out += [(question.id or 0, p, None) for p in picked]
    return out, errors


def sealed_size(asked: list[SurveyQuestion]) -> int:
    """The one size every sealed response of a survey is padded to: room for the longest
    answer to every question (a character takes at most 4 bytes in UTF-8; line breaks, tabs,
    quotes and backslashes 2 in JSON)."""
    size = 64
    for question in asked:
        if question.kind == QuestionKind.text:
            size += 48 + 4 * TEXT_LIMIT
        elif question.kind == QuestionKind.multiple:
            size += 48 * max(len(question.options), 1)
        else:
            size += 48
    return size


def _private_key(survey: Survey) -> Any:
    assert survey.id is not None
    return sealing.survey_private_key(survey.id)


def _public_key(survey: Survey) -> str:
    return sealing.public_key_of(_private_key(survey))


def _opened(session: Session, survey: Survey) -> list[tuple[SurveySealedResponse, list[Answer]]]:
    """The survey's sealed responses, each with its answers opened in memory."""
    sealed = session.exec(
        select(SurveySealedResponse).where(SurveySealedResponse.survey_id == survey.id)
    ).all()
    if not sealed:
        return []
    private = _private_key(survey)
    out = []
    for row in sealed:
        content = sealing.open_sealed(private, row.sealed)
        out.append((row, [(int(q), v, t) for q, v, t in content]))
    return out


def answers(session: Session, survey: Survey) -> list[Answer]:
    """Every answer given to the survey: the opened ones and, while it is open, the sealed ones
    opened in memory (live results)."""
    stored = session.exec(
        select(SurveyAnswer.question_id, SurveyAnswer.value, SurveyAnswer.text)
        .join(SurveyResponse, col(SurveyResponse.id) == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey.id)
    ).all()
    out: list[Answer] = [(q, v, t) for q, v, t in stored]
    for _row, opened in _opened(session, survey):
        out += opened
    return out


def open_sealed_responses(session: Session, survey: Survey) -> int:
    """Open an anonymous survey's sealed responses and store them in the clear, in a random
    order, in this one transaction; the sealed rows are deleted. Returns how many.

    Done once the survey has closed: one batch, so that the order the rows are stored in tells
    nothing of the order in which people answered."""
    assert survey.id is not None
    opened = _opened(session, survey)
    if not opened:
        return 0
    for row, _answers in opened:
        session.expunge(row)
    session.execute(
        delete(SurveySealedResponse).where(col(SurveySealedResponse.survey_id) == survey.id)
    )
    for _row, given in ballots.shuffled(opened):
        response = SurveyResponse(survey_id=survey.id)
        session.add(response)
        session.flush()
        for question_id, value, text in ballots.shuffled(given):
            session.add(
                SurveyAnswer(
                    response_id=response.id, question_id=question_id, value=value, text=text
                )
            )
    session.flush()
    return len(opened)


def open_due(session: Session, today: date) -> int:
    """Open the sealed responses of every anonymous survey that has closed; returns how many."""
    with_sealed = select(SurveySealedResponse.survey_id).distinct()
    due = session.exec(
        select(Survey)
        .where(col(Survey.closes_on) < today, col(Survey.id).in_(with_sealed))
        .order_by(col(Survey.id))
    ).all()
    return sum(open_sealed_responses(session, survey) for survey in due)


def set_shared(session: Session, survey: Survey, shared: bool, actor_id: int) -> Survey:
    """Share the results with the audience, or stop sharing."""
    before = audit.snapshot(survey)
    survey.results_shared = shared
    session.add(survey)
    session.flush()
    audit.record(session, actor_id, "update", survey, before)
    return survey
