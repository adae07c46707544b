"""Surveys: questions from lines, answering once and anonymously, results, CSV, permissions."""

from datetime import date, timedelta

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from app import policies
from app.errors import ValidationFailed
from app.models.audit import AuditEntry
from app.models.calendar import Audience
from app.models.committees import CommitteeMember
from app.models.people import StaffKind
from app.models.surveys import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyCreate,
    SurveyParticipation,
    SurveyResponse,
    SurveySealedResponse,
)
from app.services.access.roles import load_principal
from app.services.ballots import survey_results
from app.services.ballots import surveys as service
from tests.support import make_chair, make_house, make_manager, make_resident, make_staff

TODAY = date.today()
QUESTIONS = "\n".join(
    [
        "scale: How satisfied are you?",
        "single: Did you come? | Yes | No",
        "multiple: Channels? | Mail | Board | Portal",
        "text: What else?",
    ]
)


def _principal(session, person):
    return load_principal(session, person, TODAY)


def _survey(session, creator, **fields) -> Survey:
    values = dict(
        title="Asukastyytyväisyys",
        audience=Audience.all_residents,
        opens_on=TODAY - timedelta(days=1),
        closes_on=TODAY + timedelta(days=7),
        questions=QUESTIONS,
    )
    values.update(fields)
    return service.create_survey(session, SurveyCreate(**values), _principal(session, creator))


def _form(survey_questions, scale="4", single="0", multiple=("0", "2"), text="Hyvä talo"):
    q = {k.kind: f"q{k.id}" for k in survey_questions}
    return {
        q[QuestionKind.scale]: [scale],
        q[QuestionKind.single]: [single],
        q[QuestionKind.multiple]: list(multiple),
        q[QuestionKind.text]: [text],
    }


def test_questions_are_parsed_from_lines_and_bad_lines_are_named():
    parsed = service.parse_questions(QUESTIONS)
    assert [q.kind for q in parsed] == list(QuestionKind)
    assert parsed[2].options == ["Mail", "Board", "Portal"]
    with pytest.raises(ValidationFailed) as info:
        service.parse_questions("scale: Fine\nsingle: Only one | Yes")
    assert "2" in info.value.errors["questions"]
    with pytest.raises(ValidationFailed):
        service.parse_questions("what: is this")
    with pytest.raises(ValidationFailed):
        service.parse_questions("   \n")


def test_who_may_create_for_whom(session):
    house, other = make_house(session), make_house(session)
    manager = make_manager(session, house)
    boss = make_staff(session, StaffKind.management)
    survey = _survey(session, boss)
    assert survey.participation == "evaluation" and survey.anonymous
    with pytest.raises(ValidationFailed) as info:
        _survey(session, manager)  # all residents: management only
    assert "audience" in info.value.errors
    with pytest.raises(ValidationFailed):
        _survey(session, manager, audience=Audience.house_residents, house_id=other.id)
    own = _survey(session, manager, audience=Audience.house_residents, house_id=house.id)
    assert own.house_id == house.id
    assert policies.can_manage_survey(_principal(session, manager), own)
    assert not policies.can_manage_survey(_principal(session, manager), survey)
    assert policies.can_manage_survey(_principal(session, boss), own)
    assert not policies.can_manage_survey(None, own)


def test_a_creator_who_leaves_the_house_role_no_longer_manages_the_survey(session):
    house = make_house(session)
    member = make_chair(session, house)
    survey = _survey(session, member, audience=Audience.house_residents, house_id=house.id)
    assert policies.can_manage_survey(_principal(session, member), survey)
    # The chair leaves the committee (the seat is removed); the survey stays the house's.
    for seat in session.exec(select(CommitteeMember).where(CommitteeMember.person_id == member.id)):
        session.delete(seat)
    session.flush()
    former = _principal(session, member)
    assert not policies.can_manage_survey(former, survey)
    assert not policies.can_view_survey_results(former, survey, date.today() + timedelta(days=400))


def test_an_answer_is_stored_once_and_apart_from_the_person(session):
    house = make_house(session)
    resident = make_resident(session, house)
    boss = make_staff(session, StaffKind.management)
    survey = _survey(session, boss)
    qs = service.questions(session, survey)
    user = _principal(session, resident)
    service.answer(session, survey, user, _form(qs), TODAY)
    assert service.has_answered(session, survey, resident.id)
    with pytest.raises(ValidationFailed) as info:
        service.answer(session, survey, user, _form(qs, scale="1"), TODAY)
    assert info.value.errors[""]
    assert len(session.exec(select(SurveySealedResponse)).all()) == 1
    columns = {
        c["name"] for c in inspect(session.connection()).get_columns("survey_sealed_response")
    }
    assert columns == {"id", "survey_id", "sealed"}
    service.open_due(session, survey.closes_on + timedelta(days=1))
    response = session.exec(select(SurveyResponse)).one()
    assert response.person_id is None
    columns = {c["name"] for c in inspect(session.connection()).get_columns("survey_answer")}
    assert columns == {"id", "response_id", "question_id", "value", "text"}
    logged = session.exec(select(AuditEntry).where(AuditEntry.entity.startswith("survey"))).all()
    assert not [e for e in logged if e.entity.startswith(("survey_response", "survey_answer"))]
    assert not [e for e in logged if e.entity == "survey_sealed_response"]
    assert [e for e in logged if e.entity == "survey_participation"]


@pytest.mark.parametrize("case", ["closed", "outsider", "bad_scale", "two_singles", "junk"])
def test_bad_answers_store_nothing(session, case):
    house, elsewhere = make_house(session), make_house(session)
    resident = make_resident(session, house)
    boss = make_staff(session, StaffKind.management)
    survey = _survey(session, boss, audience=Audience.house_residents, house_id=house.id)
    qs = service.questions(session, survey)
    person, form, day = resident, _form(qs), TODAY
    if case == "closed":
        day = survey.closes_on + timedelta(days=1)
    elif case == "outsider":
        person = make_resident(session, elsewhere)
    elif case == "bad_scale":
        form = _form(qs, scale="6")
    elif case == "two_singles":
        form = _form(qs) | {f"q{qs[1].id}": ["0", "1"]}
    elif case == "junk":
        form = _form(qs, multiple=("x",))
    with pytest.raises(ValidationFailed):
        service.answer(session, survey, _principal(session, person), form, day)
    assert session.exec(select(SurveySealedResponse)).all() == []
    assert session.exec(select(SurveyResponse)).all() == []
    assert session.exec(select(SurveyAnswer)).all() == []
    assert session.exec(select(SurveyParticipation)).all() == []


def test_results_charts_csv_and_sharing(session):
    house = make_house(session)
    boss = make_staff(session, StaffKind.management)
    survey = _survey(session, boss)
    qs = service.questions(session, survey)
    people = [make_resident(session, house) for _ in range(3)]
    service.answer(session, survey, _principal(session, people[0]), _form(qs, scale="5"), TODAY)
    service.answer(
        session, survey, _principal(session, people[1]), _form(qs, text="=HYPERLINK(1)"), TODAY
    )
    service.answer(session, survey, _principal(session, people[2]), {}, TODAY)  # all left empty
    assert survey_results.respondents(session, survey) == 3
    results = survey_results.results(session, survey)
    assert results[0].counts == [0, 0, 0, 1, 1]
    assert results[1].counts == [2, 0]
    assert results[2].counts == [2, 0, 2]
    assert results[0].chart is not None and results[3].chart is None
    assert results[3].texts == sorted(["Hyvä talo", "=HYPERLINK(1)"])
    text = survey_results.to_csv(session, survey)
    assert text.startswith("\ufeff")
    assert "'=HYPERLINK(1)" in text and ";" in text

    reader = _principal(session, people[0])
    closed = survey.closes_on + timedelta(days=1)
    assert not service.results_visible(reader, survey, TODAY)
    assert not service.results_visible(reader, survey, closed)
    assert service.results_visible(_principal(session, boss), survey, closed)
    service.set_shared(session, survey, True, boss.id)
    assert service.results_visible(reader, survey, closed)
    survey.live_results = True
    assert service.results_visible(_principal(session, boss), survey, TODAY)


@pytest.mark.parametrize("key", sorted(service.TEMPLATES))
def test_every_template_parses(key):
    _title, lines = service.TEMPLATES[key]
    assert len(service.parse_questions("\n".join(lines))) == len(lines)


def test_anonymous_answers_stay_sealed_until_the_close_then_are_stored_shuffled(
    session, monkeypatch
):
    house = make_house(session)
    boss = make_staff(session, StaffKind.management)
    survey = _survey(session, boss)
    named = _survey(session, boss, anonymous=False)
    qs = service.questions(session, survey)
    people = [make_resident(session, house) for _ in range(3)]
    for n, person in enumerate(people, start=1):
        form = _form(qs, scale=str(n), text=f"Vastaus {n} " + "ä" * (n * 300))
        service.answer(session, survey, _principal(session, person), form, TODAY)
    service.answer(session, named, _principal(session, people[0]), _form(qs, scale="2"), TODAY)
    # While the survey is open nothing of an anonymous answer is in the clear, and every sealed
    # response has the same length whatever was written.
    assert (
        session.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).all()
        == []
    )
    sealed = session.exec(select(SurveySealedResponse)).all()
    assert len(sealed) == 3 and len({len(row.sealed) for row in sealed}) == 1
    assert all(b"Vastaus" not in row.sealed for row in sealed)
    # The live results read them all the same.
    before = [(r.counts, r.texts) for r in survey_results.results(session, survey)]
    assert before[0][0] == [1, 1, 1, 0, 0]
    assert len(before[3][1]) == 3

    monkeypatch.setattr(service.ballots, "shuffled", lambda rows, seed=None: list(rows)[::-1])
    assert service.open_due(session, TODAY) == 0  # still open: stays sealed
    assert service.open_due(session, survey.closes_on + timedelta(days=1)) == 3
    assert service.open_due(session, survey.closes_on + timedelta(days=2)) == 0
    session.expire_all()
    assert session.exec(select(SurveySealedResponse)).all() == []
    assert [(r.counts, r.texts) for r in survey_results.results(session, survey)] == before
    assert survey_results.respondents(session, survey) == 3
    stored = session.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).all()
    assert len(stored) == 3 and all(r.person_id is None for r in stored)
    # A survey that says it is not anonymous keeps the person and is never sealed.
    kept = session.exec(select(SurveyResponse).where(SurveyResponse.survey_id == named.id)).one()
    assert kept.person_id == people[0].id
