"""The initiatives API, per role, per house and per token scope: 404 for what one may not see,
403 for what one sees but may not do, 409 for a stale version, 422 with the field."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.config import get_settings
from app.deps import today
from app.models.committees import Position
from app.models.initiatives import Initiative, InitiativeEvent, Notification, State
from app.models.participation import Participation
from app.models.people import StaffKind
from tests.support import (
    api_headers,
    make_committee,
    make_house,
    make_initiative,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)

EN = {"Accept-Language": "en"}


@pytest.fixture()
def world(session):
    house_a = make_house(session, name="Koivukuja")
    house_b = make_house(session, name="Vaahterakuja")
    house_c = make_house(session, name="Pihlajatie")
    p = {}
    p["resident_a"] = make_resident(session, house_a)
    p["member_a"] = make_resident(session, house_a)
    p["chair_a"] = make_resident(session, house_a)
    make_committee(
        session, house_a, [(p["chair_a"], Position.chair), (p["member_a"], Position.member)]
    )
    p["resident_b"] = make_resident(session, house_b)
    p["chair_b"] = make_resident(session, house_b)
    make_committee(session, house_b, [(p["chair_b"], Position.chair)])
    p["yte"] = make_resident(session, house_c)
    make_committee(session, house_c, [(p["yte"], Position.chair)])
    make_yte_term(session, [(p["yte"], house_c)])
    p["manager_a"] = make_manager(session, house_a)
    p["manager_b"] = make_manager(session, house_b)
    p["adviser"] = make_staff(session, StaffKind.housing_adviser)
    p["management"] = make_staff(session, StaffKind.management)
    p["admin"] = make_staff(session, StaffKind.admin)
    submitted_a = make_initiative(
        session, p["chair_a"], house_a, State.submitted, title="Pihavalot", body="Yard lights"
    )
    draft_a = make_initiative(session, p["chair_a"], house_a, State.draft, title="Luonnos")
    received_b = make_initiative(
        session, p["chair_b"], house_b, State.received, title="Ovikello", body="Ovi"
    )
    company = make_initiative(session, p["yte"], None, State.received, title="Yhtiön piha", body="")
    session.commit()
    return {
        "people": p,
        "house_a": house_a,
        "house_b": house_b,
        "submitted_a": submitted_a,
        "draft_a": draft_a,
        "received_b": received_b,
        "company": company,
    }


def headers_for(session, world, name, scopes=None):
    return {**api_headers(session, world["people"][name], scopes=scopes), **EN}


def url(initiative, tail=""):
    return f"/api/v1/initiatives/{initiative.id}{tail}"


# ---- list ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "visible"),
    [
        ("resident_a", {"submitted_a"}),
        ("chair_a", {"submitted_a", "draft_a", "company"}),
        ("manager_a", {"submitted_a"}),
        ("resident_b", {"received_b"}),
        ("chair_b", {"received_b", "company"}),
        ("yte", {"company"}),
        ("adviser", set()),
        ("management", {"submitted_a", "received_b", "company"}),
    ],
)
def test_the_list_shows_only_what_the_caller_may_see(client, session, world, name, visible):
    response = client.get("/api/v1/initiatives", headers=headers_for(session, world, name))
    assert response.status_code == 200
    body = response.json()
    assert {i["id"] for i in body["items"]} == {world[k].id for k in visible}
    assert body["total"] == len(visible)


def test_the_list_filters_and_pages(client, session, world):
    headers = headers_for(session, world, "management", scopes=["read"])

    def ids(**params):
        response = client.get("/api/v1/initiatives", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return {i["id"] for i in response.json()["items"]}

    assert ids(q="piha") == {world["submitted_a"].id, world["company"].id}
    assert ids(house_id=world["house_b"].id) == {world["received_b"].id}
    assert ids(scope="company") == {world["company"].id}
    assert ids(state="submitted") == {world["submitted_a"].id}
    assert ids(participation="planning") == set()
    assert ids(year=today().year - 5) == set()
    assert ids(overdue="true") == {world["submitted_a"].id}  # its receipt is late
    assert ids(mine="true") == set()
    page = client.get("/api/v1/initiatives", params={"limit": 1, "offset": 1}, headers=headers)
    assert len(page.json()["items"]) == 1 and page.json()["total"] == 3


def test_the_list_refuses_bad_filters_and_anonymous(client, session, world):
    assert client.get("/api/v1/initiatives").status_code == 401
    headers = headers_for(session, world, "resident_a")
    refused = (
        ({"state": "lost"}, "state"),
        ({"limit": 0}, "limit"),
        ({"year": 9999}, "year"),  # not a 500 from a date past the calendar
        ({"year": 1899}, "year"),
    )
    for params, field in refused:
        response = client.get("/api/v1/initiatives", params=params, headers=headers)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["detail"]] == [field]


# ---- read ----------------------------------------------------------------------------------


def test_read_visible_and_404_for_the_rest(client, session, world):
    submitted = url(world["submitted_a"])
    ok = client.get(submitted, headers=headers_for(session, world, "resident_a", ["read"]))
    assert ok.status_code == 200
    assert ok.json()["title"] == "Pihavalot" and ok.json()["state"] == "submitted"
    assert client.get(submitted).status_code == 401
    for name in ("resident_b", "manager_b", "adviser", "yte"):
        response = client.get(submitted, headers=headers_for(session, world, name))
        assert response.status_code == 404, name
    # A draft is its filer's alone; an unknown id looks the same as a hidden one.
    draft = url(world["draft_a"])
    assert client.get(draft, headers=headers_for(session, world, "chair_a")).status_code == 200
    for name in ("member_a", "manager_a", "admin"):
        assert client.get(draft, headers=headers_for(session, world, name)).status_code == 404
    missing = client.get("/api/v1/initiatives/999999", headers=headers_for(session, world, "admin"))
    assert missing.status_code == 404


def test_a_write_only_token_may_not_read(client, session, world):
    headers = headers_for(session, world, "resident_a", ["write"])
    assert client.get(url(world["submitted_a"]), headers=headers).status_code == 403
    assert client.get("/api/v1/initiatives", headers=headers).status_code == 403


# ---- create --------------------------------------------------------------------------------


def new(world, house="house_a", **fields):
    values = {"scope": "house", "house_id": world[house].id, "title": "Uusi aloite", "body": "…"}
    values.update(fields)
    return values


def test_a_committee_member_files_a_draft(client, session, world):
    response = client.post(
        "/api/v1/initiatives", json=new(world), headers=headers_for(session, world, "member_a")
    )
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "draft" and body["filed_by_id"] == world["people"]["member_a"].id
    assert session.get(Initiative, body["id"]) is not None


def test_a_resident_suggests_and_the_committee_is_notified(client, session, world):
    response = client.post(
        "/api/v1/initiatives", json=new(world), headers=headers_for(session, world, "resident_a")
    )
    assert response.status_code == 201 and response.json()["state"] == "suggested"
    told = session.exec(
        select(Notification.person_id).where(Notification.initiative_id == response.json()["id"])
    ).all()
    assert set(told) == {world["people"]["chair_a"].id, world["people"]["member_a"].id}


def test_a_haso_yte_member_files_for_the_company(client, session, world):
    data = new(world, scope="company", house_id=None)
    response = client.post(
        "/api/v1/initiatives", json=data, headers=headers_for(session, world, "yte")
    )
    assert response.status_code == 201
    assert response.json()["scope"] == "company" and response.json()["house_id"] is None


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("resident_a", {"house": "house_b"}, "house_id"),
        ("chair_a", {"scope": "company"}, "scope"),
        ("chair_a", {"house_id": None}, "house_id"),
        ("chair_a", {"title": ""}, "title"),
        ("chair_a", {"participation": "voting"}, "participation"),
    ],
)
def test_refused_filings_name_the_field(client, session, world, name, data, field):
    values = new(world, data.pop("house", "house_a"), **data)
    response = client.post(
        "/api/v1/initiatives", json=values, headers=headers_for(session, world, name)
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]
    assert len(session.exec(select(Initiative)).all()) == 4


def test_staff_anonymous_and_read_tokens_may_not_file(client, session, world):
    assert client.post("/api/v1/initiatives", json=new(world)).status_code == 401
    for name, scopes in (("manager_a", None), ("management", None), ("chair_a", ["read"])):
        response = client.post(
            "/api/v1/initiatives",
            json=new(world),
            headers=headers_for(session, world, name, scopes),
        )
        assert response.status_code == 403, name


# ---- edit ----------------------------------------------------------------------------------


def test_the_filer_edits_and_a_stale_version_is_409(client, session, world):
    target = url(world["submitted_a"])
    headers = headers_for(session, world, "chair_a", ["write"])
    first = client.patch(
        target, json={"title": "Pihavalot ja polut", "version": 1}, headers=headers
    )
    assert first.status_code == 200
    assert first.json()["title"] == "Pihavalot ja polut" and first.json()["version"] == 2
    stale = client.patch(target, json={"title": "Toinen", "version": 1}, headers=headers)
    assert stale.status_code == 409
    session.refresh(world["submitted_a"])
    assert world["submitted_a"].title == "Pihavalot ja polut"


def test_edits_refused_to_others_and_404_to_those_who_cannot_see(client, session, world):
    target = url(world["submitted_a"])
    data = {"title": "X", "version": 1}
    for name in ("member_a", "manager_a", "admin"):
        assert (
            client.patch(target, json=data, headers=headers_for(session, world, name)).status_code
            == 403
        )
    for name in ("resident_b", "manager_b"):
        assert (
            client.patch(target, json=data, headers=headers_for(session, world, name)).status_code
            == 404
        )
    read_only = headers_for(session, world, "chair_a", ["read"])
    assert client.patch(target, json=data, headers=read_only).status_code == 403
    missing_version = client.patch(
        target, json={"title": "X"}, headers=headers_for(session, world, "chair_a")
    )
    assert missing_version.status_code == 422
    assert [e["field"] for e in missing_version.json()["detail"]] == ["version"]
    session.refresh(world["submitted_a"])
    assert world["submitted_a"].title == "Pihavalot"


# ---- transitions ---------------------------------------------------------------------------


def move(client, session, world, name, initiative, scopes=None, **body):
    return client.post(
        url(initiative, "/transitions"),
        json=body,
        headers=headers_for(session, world, name, scopes),
    )


def test_the_whole_path_through_the_api(client, session, world):
    initiative = world["draft_a"]
    submitted = move(client, session, world, "chair_a", initiative, action="submit", version=1)
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    receipt_days = get_settings().initiative_receipt_days
    assert body["state"] == "submitted" and body["version"] == 2
    assert body["receipt_due_on"] == (today() + timedelta(days=receipt_days)).isoformat()
    received = move(client, session, world, "manager_a", initiative, action="receive")
    assert received.json()["state"] == "received"
    answer_days = get_settings().initiative_answer_days
    assert received.json()["answer_due_on"] == (today() + timedelta(days=answer_days)).isoformat()
    answered = move(
        client,
        session,
        world,
        "manager_a",
        initiative,
        action="answer",
        outcome="accepted",
        answer="Valot uusitaan keväällä.",
    )
    assert answered.status_code == 200
    assert answered.json()["outcome"] == "accepted"
    implemented = move(client, session, world, "manager_a", initiative, action="implement")
    assert implemented.json()["state"] == "implemented"
    evaluated = move(
        client, session, world, "member_a", initiative, action="evaluate", rating=4, comment="Hyvä"
    )
    assert evaluated.json()["state"] == "evaluated"
    headers = headers_for(session, world, "resident_a")
    history = client.get(url(initiative, "/history"), headers=headers)
    assert history.status_code == 200
    assert [e["action"] for e in history.json()] == [
        "submit",
        "receive",
        "answer",
        "implement",
        "evaluate",
    ]
    assert history.json()[2]["note"] == "Valot uusitaan keväällä."
    ratings = client.get(url(initiative, "/evaluations"), headers=headers)
    assert ratings.status_code == 200
    assert [(r["rating"], r["comment"]) for r in ratings.json()] == [(4, "Hyvä")]
    assert ratings.json()[0]["person_id"] == world["people"]["member_a"].id


def test_a_move_from_the_wrong_state_is_422_at_action(client, session, world):
    response = move(
        client,
        session,
        world,
        "manager_a",
        world["submitted_a"],
        action="answer",
        outcome="accepted",
        answer="Kyllä",
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "action"
    assert "Submitted" in error["reason"]  # names the state
    unknown = move(client, session, world, "chair_a", world["submitted_a"], action="fly")
    assert [e["field"] for e in unknown.json()["detail"]] == ["action"]


def test_a_visible_non_actor_is_403_and_the_unseeing_404(client, session, world):
    target = world["submitted_a"]
    for name in ("resident_a", "member_a"):
        assert move(client, session, world, name, target, action="receive").status_code == 403
    for name in ("manager_b", "resident_b", "adviser"):
        assert move(client, session, world, name, target, action="receive").status_code == 404
    read_only = move(client, session, world, "manager_a", target, ["read"], action="receive")
    assert read_only.status_code == 403
    assert client.post(url(target, "/transitions"), json={"action": "receive"}).status_code == 401
    session.refresh(target)
    assert target.state == State.submitted
    assert session.exec(select(InitiativeEvent)).all() == []


def test_a_stale_version_is_409(client, session, world):
    target = world["submitted_a"]
    response = move(client, session, world, "manager_a", target, action="receive", version=7)
    assert response.status_code == 409
    session.refresh(target)
    assert target.state == State.submitted


def test_the_answer_needs_outcome_and_text_and_the_rating_a_range(client, session, world):
    target = world["received_b"]
    empty = move(client, session, world, "manager_b", target, action="answer", answer=" ")
    assert empty.status_code == 422
    assert {e["field"] for e in empty.json()["detail"]} == {"outcome", "answer"}
    bad = move(client, session, world, "manager_b", target, action="answer", outcome="maybe")
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["detail"]] == ["outcome"]
    implemented = make_initiative(
        session, world["people"]["chair_b"], world["house_b"], State.implemented
    )
    session.commit()
    high = move(client, session, world, "chair_b", implemented, action="evaluate", rating=6)
    assert high.status_code == 422 and [e["field"] for e in high.json()["detail"]] == ["rating"]
    none = move(client, session, world, "chair_b", implemented, action="evaluate")
    assert [e["field"] for e in none.json()["detail"]] == ["rating"]


def test_assigning_needs_a_staff_member(client, session, world):
    target = world["received_b"]
    resident = world["people"]["resident_b"].id
    refused = move(
        client, session, world, "manager_b", target, action="assign", assignee_id=resident
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["detail"]] == ["assignee_id"]
    adviser = world["people"]["adviser"].id
    ok = move(client, session, world, "manager_b", target, action="assign", assignee_id=adviser)
    assert ok.status_code == 200 and ok.json()["assignee_id"] == adviser
    # The assignee now sees it and may answer it.
    seen = client.get(url(target), headers=headers_for(session, world, "adviser"))
    assert seen.status_code == 200


def test_company_initiatives_are_received_by_management(client, session, world):
    target = world["company"]
    assert move(client, session, world, "chair_b", target, action="assign").status_code == 403
    answered = move(
        client,
        session,
        world,
        "management",
        target,
        action="answer",
        outcome="rejected",
        answer="Ei tänä vuonna.",
    )
    assert answered.status_code == 200
    refused = move(client, session, world, "management", target, action="implement")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["detail"]] == ["action"]


def test_followers_are_mailed_on_a_move(client, session, world, smtp):
    target = world["draft_a"]
    assert move(client, session, world, "chair_a", target, action="submit").status_code == 200
    assert move(client, session, world, "manager_a", target, action="receive").status_code == 200
    # The committee follows on submit: the member hears of both moves, the chair (who
    # submitted) of the receipt only; residents do not follow.
    assert len(smtp.to(world["people"]["member_a"].email)) == 2
    assert len(smtp.to(world["people"]["chair_a"].email)) == 1
    assert smtp.to(world["people"]["resident_a"].email) == []


def test_history_and_evaluations_are_hidden_like_the_initiative(client, session, world):
    for tail in ("/history", "/evaluations"):
        target = url(world["received_b"], tail)
        assert client.get(target, headers=headers_for(session, world, "chair_b")).status_code == 200
        assert (
            client.get(target, headers=headers_for(session, world, "resident_a")).status_code == 404
        )
        assert client.get(target).status_code == 401


def test_a_patch_of_the_title_keeps_the_text_and_participation(client, session, world):
    initiative = world["submitted_a"]
    initiative.participation = Participation.planning
    session.add(initiative)
    session.commit()
    headers = headers_for(session, world, "chair_a", ["write"])
    response = client.patch(url(initiative), json={"title": "Uusi", "version": 1}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["body"] == "Yard lights"
    assert response.json()["participation"] == "planning"
    session.refresh(initiative)
    assert initiative.body == "Yard lights" and initiative.title == "Uusi"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "", {"scope": "house", "title": "   "}, "title"),
        ("patch", "/{id}", {"title": "  ", "version": 1}, "title"),
        ("patch", "/{id}", {"title": None, "version": 1}, "title"),
    ],
)
def test_titles_of_only_spaces_are_422_at_the_field(
    client, session, world, method, path, body, field
):
    initiative = world["submitted_a"]
    body = {**body, "house_id": world["house_a"].id} if method == "post" else body
    target = "/api/v1/initiatives" + path.format(id=initiative.id)
    headers = headers_for(session, world, "chair_a", ["write"])
    response = getattr(client, method)(target, json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["detail"]] == [field]
    session.refresh(initiative)
    assert initiative.title == "Pihavalot"


def test_an_answer_of_only_spaces_is_422_at_the_field(client, session, world):
    initiative = world["received_b"]
    response = move(
        client,
        session,
        world,
        "manager_b",
        initiative,
        action="answer",
        outcome="accepted",
        answer="   ",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["answer"]


def test_a_drafts_text_is_not_in_the_history_once_submitted(client, session, world):
    draft = world["draft_a"]
    headers = headers_for(session, world, "chair_a", ["write"])
    first = client.patch(url(draft), json={"body": "Salaisuus 42", "version": 1}, headers=headers)
    assert first.status_code == 200
    second = client.patch(url(draft), json={"body": "Julkinen", "version": 2}, headers=headers)
    assert second.status_code == 200
    assert move(client, session, world, "chair_a", draft, action="submit").status_code == 200
    history = client.get(url(draft, "/history"), headers=headers_for(session, world, "resident_a"))
    assert history.status_code == 200
    assert "Salaisuus" not in history.text
    edits = [e for e in history.json() if e["kind"] == "edited"]
    assert [e["changes"] for e in edits] == [{"body": None}, {"body": None}]
