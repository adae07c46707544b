"""Survey pages and API: a template, answering once, results with charts, CSV and sharing."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app.deps import today
from app.models.calendar import Audience
from app.models.houses import House
from app.models.people import StaffKind
from app.models.surveys import (
    Survey,
    SurveyCreate,
    SurveyParticipation,
    SurveyResponse,
    SurveySealedResponse,
)
from app.services.access.roles import load_principal
from app.services.ballots import surveys as service
from tests.support import api_headers, fi, make_house, make_manager, make_resident, make_staff


@pytest.fixture()
def world(session):
    house, other = make_house(session), make_house(session)
    boss = make_staff(session, StaffKind.management)
    survey = service.create_survey(
        session,
        SurveyCreate(
            title="Tyytyväisyys",
            audience=Audience.house_residents,
            house_id=house.id,
            opens_on=today() - timedelta(days=1),
            closes_on=today() + timedelta(days=5),
            questions="scale: Viihtyvyys?\nmultiple: Kanavat? | Posti | Portaali\ntext: Muuta?",
        ),
        load_principal(session, boss, today()),
    )
    people = SimpleNamespace(
        house=house,
        boss=boss,
        manager=make_manager(session, house),
        resident=make_resident(session, house),
        outsider=make_resident(session, other),
        survey=survey,
        questions=service.questions(session, survey),
    )
    session.commit()
    return people


def test_a_manager_makes_a_survey_from_the_template(client, session, world):
    client.login_as(session, world.manager)
    page = client.get("/surveys/new?template=satisfaction")
    assert page.status_code == 200
    assert "scale:" in page.text
    # The house is chosen by name from the manager's own houses, already chosen when only one.
    house = world.house
    assert f'<option value="{house.id}" selected>{house.name} ({house.code})</option>' in page.text
    other = session.exec(select(House).where(House.id != house.id)).one()
    assert f'<option value="{other.id}"' not in page.text  # not the manager's house
    form = {
        "title": "Talon kysely",
        "audience": "house_residents",
        "house_id": str(world.house.id),
        "participation": "evaluation",
        "opens_on": today().isoformat(),
        "closes_on": (today() - timedelta(days=1)).isoformat(),
        "questions": "scale: Miten menee?",
        "anonymous": "on",
    }
    response = client.submit("/surveys/new", form)
    assert response.status_code == 422
    assert 'id="error-closes_on"' in response.text
    form["closes_on"] = (today() + timedelta(days=3)).isoformat()
    response = client.submit("/surveys/new", form)
    assert response.status_code == 303
    created = session.exec(select(Survey).where(Survey.title == "Talon kysely")).one()
    assert created.anonymous and created.participation == "evaluation"
    form["audience"] = "all_residents"
    assert client.submit("/surveys/new", form).status_code == 422


def test_answering_once_and_outsiders_do_not_see_it(client, session, world):
    url = f"/surveys/{world.survey.id}"
    client.login_as(session, world.outsider)
    assert client.get(url).status_code == 404
    client.login_as(session, world.resident)
    page = client.get(url)
    assert "Viihtyvyys?" in page.text
    scale, multiple, text = (f"q{q.id}" for q in world.questions)
    answers = {scale: "4", multiple: ["0", "1"], text: "Kiitos"}
    response = client.submit(url + "/answer", answers)
    assert response.status_code == 200
    assert fi("Thank you: your answers were recorded.") in response.text
    again = client.submit(url + "/answer", answers)
    assert again.status_code == 422
    assert fi("You have already answered this survey.") in again.text
    assert len(session.exec(select(SurveySealedResponse)).all()) == 1  # sealed until the close
    assert session.exec(select(SurveyResponse)).all() == []
    assert len(session.exec(select(SurveyParticipation)).all()) == 1


def test_results_csv_and_sharing(client, session, world):
    scale = f"q{world.questions[0].id}"
    text = f"q{world.questions[2].id}"
    service.answer(
        session,
        world.survey,
        load_principal(session, world.resident, today()),
        {scale: ["5"], text: ["@SUM(A1)"]},
        today(),
    )
    world.survey.closes_on = today() - timedelta(days=1)
    world.survey.opens_on = today() - timedelta(days=3)
    session.add(world.survey)
    session.commit()
    url = f"/surveys/{world.survey.id}"
    client.login_as(session, world.resident)
    assert 'id="results"' not in client.get(url).text
    assert client.get(url + "/results.csv").status_code == 403
    client.login_as(session, world.boss)
    page = client.get(url)
    assert 'id="results"' in page.text and "<svg" in page.text and "<table" in page.text
    csv_text = client.get(url + "/results.csv").text
    assert csv_text.startswith("\ufeff") and "'@SUM(A1)" in csv_text
    assert client.submit(url + "/share", {"shared": "on"}).status_code == 303
    client.login_as(session, world.resident)
    assert 'id="results"' in client.get(url).text


def test_results_csv_is_sealed_until_the_survey_closes(client, session, world):
    scale = f"q{world.questions[0].id}"
    service.answer(
        session,
        world.survey,
        load_principal(session, world.resident, today()),
        {scale: ["2"]},
        today(),
    )
    session.commit()
    url = f"/surveys/{world.survey.id}/results.csv"
    client.login_as(session, world.boss)
    # Still open and not live: a download after each answer would tell who answered what.
    assert client.get(url).status_code == 403
    assert url not in client.get(f"/surveys/{world.survey.id}").text  # and no link offers it
    world.survey.live_results = True
    session.add(world.survey)
    session.commit()
    assert client.get(url).status_code == 200
    assert url in client.get(f"/surveys/{world.survey.id}").text


def test_api_answers_and_results(client, session, world):
    headers = api_headers(session, world.resident)
    listed = client.get("/api/v1/surveys", headers=headers).json()
    assert [s["id"] for s in listed] == [world.survey.id]
    url = f"/api/v1/surveys/{world.survey.id}"
    scale = f"q{world.questions[0].id}"
    assert client.post(url + "/answers", json={scale: ["9"]}, headers=headers).status_code == 422
    assert client.post(url + "/answers", json={scale: ["3"]}, headers=headers).status_code == 201
    assert client.get(url + "/results", headers=headers).status_code == 403
    boss = api_headers(session, world.boss)
    world.survey.live_results = True
    session.add(world.survey)
    session.commit()
    results = client.get(url + "/results", headers=boss).json()
    assert results["respondents"] == 1
    assert results["questions"][0]["choices"]["3"] == 1
    outsider = api_headers(session, world.outsider)
    assert client.get(url, headers=outsider).status_code == 404


def test_an_implemented_initiative_links_to_an_evaluation_survey(client, session, world):
    from app.models.initiatives import State
    from tests.support import make_initiative

    initiative = make_initiative(session, world.resident, world.house, State.implemented)
    session.commit()
    client.login_as(session, world.manager)
    page = client.get(f"/initiatives/{initiative.id}")
    link = f"/surveys/new?template=initiative&amp;initiative={initiative.id}"
    assert link in page.text
    form = client.get(link.replace("&amp;", "&"))
    assert f'name="initiative_id" value="{initiative.id}"' in form.text
    client.login_as(session, world.resident)
    assert link not in client.get(f"/initiatives/{initiative.id}").text
