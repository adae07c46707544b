"""Initiatives: filing rules, editing with optimistic locking, followers, history, who sees
what (the SQL rule against the policy, for every state, scope and kind of user), and search."""

from datetime import UTC, date, datetime, timedelta
from itertools import cycle
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import insert
from sqlmodel import col, select

from app import i18n, policies
from app.errors import Conflict, Forbidden, ValidationFailed
from app.forms import parse
from app.models.audit import AuditEntry
from app.models.initiatives import (
    AnswerInput,
    CommentInput,
    EvaluationInput,
    EventKind,
    Initiative,
    InitiativeCreate,
    InitiativePatch,
    InitiativeUpdate,
    Notification,
    Scope,
    State,
)
from app.models.participation import Participation
from app.models.people import StaffKind
from app.models.types import local_date, utcnow
from app.services.initiatives import following, transitions
from app.services.initiatives import lists as initiative_lists
from app.services.initiatives import records as initiatives_service
from tests.services.initiatives.test_lifecycle import World, build_world, initiative_in
from tests.support import make_initiative, make_person, make_staff


@pytest.fixture(autouse=True)
def english():
    """Messages in English, whatever catalogues exist."""
    with i18n.use_language("en"):
        yield


@pytest.fixture()
def world(session) -> World:
    return build_world(session)


def house_input(world: World, house: str = "a", **fields: Any) -> InitiativeCreate:
    values: dict[str, Any] = {
        "scope": Scope.house,
        "house_id": world.houses[house].id,
        "title": "  Better lighting in the yard  ",
        "body": "The yard is dark in the evenings.",
    }
    values.update(fields)
    return InitiativeCreate(**values)


def audit_rows(world: World, initiative: Initiative) -> list[AuditEntry]:
    return list(
        world.session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == "initiative", AuditEntry.entity_id == str(initiative.id))
            .order_by(col(AuditEntry.id))
        )
    )


def follower_ids(world: World, initiative: Initiative) -> set[int | None]:
    assert initiative.id is not None
    return {p.id for p in following.followers(world.session, initiative.id)}


# ---- filing --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["member_a", "chair_a"])
def test_a_committee_member_files_a_draft_for_the_house(world, name):
    initiative = initiatives_service.create(
        world.session, house_input(world, participation=Participation.planning), world.user(name)
    )
    person_id = world.people[name].id
    assert (initiative.state, initiative.scope, initiative.house_id) == (
        State.draft,
        Scope.house,
        world.houses["a"].id,
    )
    assert initiative.filed_by_id == person_id and initiative.suggested_by_id is None
    assert initiative.title == "Better lighting in the yard"
    assert initiative.participation == Participation.planning
    assert follower_ids(world, initiative) == {person_id}
    [event] = initiatives_service.history(world.session, initiative.id)
    assert (event.kind, event.to_state, event.actor_id) == (
        EventKind.created,
        State.draft,
        person_id,
    )
    [audit] = audit_rows(world, initiative)
    assert (audit.action, audit.actor_id) == ("create", person_id)
    # A draft tells nobody.
    assert world.session.exec(select(Notification)).all() == []


def test_a_resident_only_suggests_and_the_committee_is_told(world):
    resident = world.user("resident_a")
    initiative = initiatives_service.create(world.session, house_input(world), resident)
    assert initiative.state == State.suggested
    assert initiative.suggested_by_id == resident.id and initiative.filed_by_id is None
    committee = {world.people["chair_a"].id, world.people["member_a"].id}
    assert follower_ids(world, initiative) == committee | {resident.id}
    told = world.session.exec(
        select(Notification.person_id).where(Notification.initiative_id == initiative.id)
    ).all()
    assert set(told) == committee


@pytest.mark.parametrize(
    ("name", "house", "field"),
    [
        ("resident_a", "b", "house_id"),  # another house
        ("chair_b", "a", "house_id"),
        ("manager_a", "a", "house_id"),  # staff do not file
        ("management", "a", "house_id"),
        ("admin", "a", "house_id"),
        ("adviser", "a", "house_id"),
    ],
)
def test_filing_for_a_house_one_does_not_live_in_is_refused(world, name, house, field):
    with pytest.raises(ValidationFailed) as refused:
        initiatives_service.create(world.session, house_input(world, house), world.user(name))
    assert refused.value.errors == {
        field: "You can file initiatives only for a house where you live."
    }
    assert world.session.exec(select(Initiative)).all() == []


def test_a_house_must_be_chosen_and_exist(world):
    user = world.user("chair_a")
    with pytest.raises(ValidationFailed) as missing:
        initiatives_service.create(world.session, house_input(world, house_id=None), user)
    assert missing.value.errors == {"house_id": "Choose the house."}
    with pytest.raises(ValidationFailed) as unknown:
        initiatives_service.create(world.session, house_input(world, house_id=999999), user)
    assert unknown.value.errors == {"house_id": "There is no such house."}


@pytest.mark.parametrize(
    "name", ["resident_a", "member_a", "chair_a", "chair_b", "manager_a", "management", "admin"]
)
def test_only_haso_yte_files_company_initiatives(world, name):
    data = house_input(world, scope=Scope.company)
    with pytest.raises(ValidationFailed) as refused:
        initiatives_service.create(world.session, data, world.user(name))
    assert set(refused.value.errors) == {"scope"}


def test_a_haso_yte_member_files_a_company_draft(world):
    yte = world.user("yte")
    initiative = initiatives_service.create(
        world.session, house_input(world, scope=Scope.company), yte
    )
    assert (initiative.scope, initiative.house_id, initiative.state) == (
        Scope.company,
        None,
        State.draft,
    )
    assert initiative.filed_by_id == yte.id


# ---- followers on submit -------------------------------------------------------------------


def test_on_submit_the_house_committee_and_the_property_manager_follow_and_are_told(world):
    initiative = initiatives_service.create(
        world.session, house_input(world), world.user("member_a")
    )
    transitions.transition(world.session, initiative, "submit", world.user("member_a"))
    chair, member = world.people["chair_a"].id, world.people["member_a"].id
    manager = world.people["manager_a"].id
    assert follower_ids(world, initiative) == {chair, member, manager}
    told = world.session.exec(
        select(Notification.person_id).where(Notification.initiative_id == initiative.id)
    ).all()
    assert sorted(told) == sorted([chair, manager])  # not the one who acted


def test_on_submit_haso_yte_follows_a_company_initiative(world):
    yte = world.user("yte")
    initiative = initiatives_service.create(
        world.session, house_input(world, scope=Scope.company), yte
    )
    transitions.transition(world.session, initiative, "submit", yte)
    body = {world.people["yte"].id, world.people["yte2"].id}
    # Haso-yte follows, and management, to whom a company initiative is addressed.
    assert follower_ids(world, initiative) == body | {world.people["management"].id}


def test_follow_and_unfollow_are_idempotent(world):
    initiative = initiative_in(world, State.submitted)
    person = world.people["resident_a"].id
    following.follow(world.session, initiative, person)
    following.follow(world.session, initiative, person)
    assert following.is_following(world.session, initiative, person)
    following.unfollow(world.session, initiative, person)
    following.unfollow(world.session, initiative, person)
    assert not following.is_following(world.session, initiative, person)


# ---- editing -------------------------------------------------------------------------------


def edit(version: int, title: str = "New title", **fields: Any) -> InitiativeUpdate:
    return InitiativeUpdate(title=title, version=version, **fields)


def test_the_filer_edits_with_history_and_audit(world):
    initiative = initiative_in(world, State.submitted)
    user = world.user("chair_a")
    initiatives_service.update(world.session, initiative, edit(1, body="More detail."), user)
    assert initiative.title == "New title" and initiative.version == 2
    [event] = initiatives_service.history(world.session, initiative.id)
    assert event.kind == EventKind.edited
    assert event.changes is not None and set(event.changes) == {"title", "body"}
    assert event.changes["body"]["after"] == "More detail."
    [audit] = audit_rows(world, initiative)
    assert audit.before is not None and audit.after is not None
    assert audit.after["title"] == "New title" and audit.before["title"] != "New title"


def test_a_private_edit_keeps_no_text_in_the_history(world):
    initiative = initiative_in(world, State.draft)
    user = world.user("chair_a")
    initiatives_service.update(world.session, initiative, edit(1, body="Secret plan."), user)
    [event] = initiatives_service.history(world.session, initiative.id)
    # The history names the fields only: it becomes public when the draft is submitted.
    assert event.changes == {"title": None, "body": None}
    [audit] = audit_rows(world, initiative)  # administrators still see what changed
    assert audit.after is not None and audit.after["body"] == "Secret plan."


def test_a_patch_changes_only_the_fields_given(world):
    initiative = initiative_in(world, State.submitted, participation=Participation.planning)
    body = initiative.body
    patch = InitiativePatch(title="  Only the title  ", version=1)
    initiatives_service.update(world.session, initiative, patch, world.user("chair_a"))
    assert initiative.title == "Only the title"
    assert initiative.body == body and initiative.participation == Participation.planning
    [event] = initiatives_service.history(world.session, initiative.id)
    assert event.changes is not None and set(event.changes) == {"title"}


def test_a_patch_may_not_clear_a_field(world):
    initiative = initiative_in(world, State.submitted)
    patch = InitiativePatch(title=None, version=1)
    with pytest.raises(ValidationFailed) as refused:
        initiatives_service.update(world.session, initiative, patch, world.user("chair_a"))
    assert set(refused.value.errors) == {"title"} and initiative.version == 1


@pytest.mark.parametrize(
    ("model", "fields", "field"),
    [
        (InitiativeUpdate, {"title": "   ", "version": 1}, "title"),
        (InitiativePatch, {"title": " \t ", "version": 1}, "title"),
        (InitiativeCreate, {"scope": "company", "title": "   "}, "title"),
        (AnswerInput, {"outcome": "accepted", "answer": "   "}, "answer"),
    ],
)
def test_text_of_only_spaces_is_refused(model, fields, field):
    with pytest.raises(ValidationFailed) as refused:
        parse(model, fields)
    assert set(refused.value.errors) == {field}


def test_a_comment_of_only_spaces_is_refused():
    with pytest.raises(ValidationError) as refused:
        CommentInput.model_validate({"body": "  \n "})
    assert [e["loc"] for e in refused.value.errors()] == [("body",)]


def test_text_is_stored_stripped(world):
    initiative = initiative_in(world, State.implemented)
    data = EvaluationInput(rating=4, comment="  Good.  ")
    transitions.transition(
        world.session, initiative, "evaluate", world.user("chair_a"), evaluation=data
    )
    [row] = initiatives_service.evaluations(world.session, initiative.id)
    assert row.comment == "Good."
    assert AnswerInput(outcome="accepted", answer=" Yes. ").answer == "Yes."


def test_an_edit_keeps_the_participation_an_enum(world):
    initiative = initiative_in(world, State.submitted)
    data = edit(1, participation=Participation.planning)
    initiatives_service.update(world.session, initiative, data, world.user("chair_a"))
    assert type(initiative.participation) is Participation
    assert initiative.participation == Participation.planning
    [event] = initiatives_service.history(world.session, initiative.id)
    assert event.changes is not None
    assert event.changes["participation"] == {"before": "initiative", "after": "planning"}


def test_two_edits_from_the_same_version_the_second_conflicts(world):
    initiative = initiative_in(world, State.submitted)
    user = world.user("chair_a")
    initiatives_service.update(world.session, initiative, edit(1, "First"), user)
    with pytest.raises(Conflict):
        initiatives_service.update(world.session, initiative, edit(1, "Second"), user)
    world.session.refresh(initiative)
    assert initiative.title == "First" and initiative.version == 2


def test_a_move_from_a_stale_version_conflicts(world):
    initiative = initiative_in(world, State.draft)
    initiatives_service.update(world.session, initiative, edit(1), world.user("chair_a"))
    with pytest.raises(Conflict):
        transitions.transition(
            world.session, initiative, "submit", world.user("chair_a"), version=1
        )
    world.session.refresh(initiative)
    assert initiative.state == State.draft


@pytest.mark.parametrize(
    ("state", "name"),
    [
        (State.draft, "member_a"),  # not the filer
        (State.submitted, "manager_a"),
        (State.received, "chair_a"),  # too late for the filer
        (State.answered, "chair_a"),
    ],
)
def test_others_and_late_edits_are_forbidden(world, state, name):
    initiative = initiative_in(world, state)
    with pytest.raises(Forbidden):
        initiatives_service.update(world.session, initiative, edit(1), world.user(name))
    assert initiative.version == 1


def test_the_suggester_edits_a_suggestion(world):
    initiative = initiative_in(world, State.suggested)
    initiatives_service.update(world.session, initiative, edit(1), world.user("resident_a"))
    assert initiative.title == "New title"


def test_review_date_is_recorded_with_history_and_audit(world):
    initiative = initiative_in(world, State.answered)
    now = datetime(2029, 6, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(Forbidden):
        transitions.set_review(
            world.session, initiative, date(2030, 1, 1), world.user("resident_a"), 1, now
        )
    transitions.set_review(
        world.session, initiative, date(2030, 1, 1), world.user("manager_a"), 1, now
    )
    assert initiative.review_on == date(2030, 1, 1) and initiative.version == 2
    [event] = initiatives_service.history(world.session, initiative.id)
    assert event.kind == EventKind.review and event.changes == {"review_on": "2030-01-01"}
    assert event.at == now
    assert len(audit_rows(world, initiative)) == 1
    early = initiative_in(world, State.received)
    with pytest.raises(ValidationFailed) as refused:
        transitions.set_review(
            world.session, early, date(2030, 1, 1), world.user("manager_a"), 1, now
        )
    assert set(refused.value.errors) == {"review_on"}


def test_review_date_from_a_stale_version_conflicts(world):
    initiative = initiative_in(world, State.answered)
    manager = world.user("manager_a")
    transitions.set_review(world.session, initiative, date(2090, 1, 1), manager, 1)
    with pytest.raises(Conflict):
        transitions.set_review(world.session, initiative, date(2091, 1, 1), manager, 1)
    world.session.refresh(initiative)
    assert initiative.review_on == date(2090, 1, 1)


def test_review_date_in_the_past_is_refused(world):
    initiative = initiative_in(world, State.answered)
    now = datetime(2029, 6, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(ValidationFailed) as refused:
        transitions.set_review(
            world.session, initiative, date(2029, 5, 31), world.user("manager_a"), 1, now
        )
    assert set(refused.value.errors) == {"review_on"} and initiative.review_on is None
    transitions.set_review(  # today is fine
        world.session, initiative, date(2029, 6, 1), world.user("manager_a"), 1, now
    )
    assert initiative.review_on == date(2029, 6, 1)


# ---- who sees what -------------------------------------------------------------------------

OBSERVERS = [
    "resident_a",
    "member_a",
    "chair_a",
    "manager_a",
    "resident_b",
    "chair_b",
    "manager_b",
    "yte",
    "adviser",
    "assignee",
    "management",
    "admin",
    "filer_x",
]


def _spec_sees(world: World, name: str, initiative: Initiative) -> bool:
    """The visibility rules as the brief states them, written independently of the code."""
    me = world.people[name].id
    a, b = world.houses["a"].id, world.houses["b"].id
    lives = {"resident_a": a, "member_a": a, "chair_a": a, "resident_b": b, "chair_b": b}
    committee = {"member_a": a, "chair_a": a, "chair_b": b}
    manages = {"manager_a": a, "manager_b": b}
    chairs = {"chair_a", "chair_b", "yte"}  # yte is the chair of house C
    # Withdrawn before it was ever submitted: as private as the draft or suggestion it was.
    unsubmitted = initiative.state == State.withdrawn and initiative.submitted_at is None
    if initiative.state == State.draft or (unsubmitted and initiative.filed_by_id is not None):
        # A draft taken up from a suggestion: its suggester keeps sight of it.
        return me in (initiative.filed_by_id, initiative.suggested_by_id)
    if initiative.state in (State.suggested, State.declined) or unsubmitted:
        return me == initiative.suggested_by_id or (
            initiative.house_id is not None and committee.get(name) == initiative.house_id
        )
    if me in (initiative.filed_by_id, initiative.suggested_by_id, initiative.assignee_id):
        return True
    if name in ("management", "admin"):
        return True
    if initiative.scope == Scope.house:
        return initiative.house_id in (lives.get(name), committee.get(name), manages.get(name))
    return name in chairs or name == "yte"


@pytest.fixture()
def many(world: World) -> list[Initiative]:
    """Every state × house A / house B / company, with varied filers, suggesters, assignees."""
    session = world.session
    # A resident of house B who files nothing usual; present only as a filer of odd rows.
    world.people["filer_x"] = make_person(session)
    filers = {
        "a": cycle(["chair_a", "member_a"]),
        "b": cycle(["chair_b"]),
        "company": cycle(["yte", "filer_x"]),
    }
    suggesters = {"a": "resident_a", "b": "resident_b", "company": "yte"}
    rows = []
    for where in ("a", "b", "company"):
        house = world.houses[where] if where != "company" else None
        for state in State:
            filer = world.people[next(filers[where])]
            fields: dict[str, Any] = {}
            if state in (State.suggested, State.declined):
                fields["suggested_by_id"] = world.people[suggesters[where]].id
                filer = None
            if state in (State.in_preparation, State.answered, State.implemented):
                fields["assignee_id"] = world.people["assignee"].id
            rows.append(make_initiative(session, filer, house, state, **fields))
        # A taken-up suggestion (a draft: the suggester still sees it) with an assignee
        # (who does not: drafts are the filer's and the suggester's alone).
        rows.append(
            make_initiative(
                session,
                world.people["member_a" if where == "a" else "chair_b"],
                house,
                State.draft,
                suggested_by_id=world.people[suggesters[where]].id,
                assignee_id=world.people["assignee"].id,
            )
        )
        # Withdrawn after submission (public), and a withdrawn suggestion (private).
        rows.append(
            make_initiative(
                session,
                world.people[next(filers[where])],
                house,
                State.withdrawn,
                submitted_at=utcnow() - timedelta(days=3),
            )
        )
        rows.append(
            make_initiative(
                session,
                None,
                house,
                State.withdrawn,
                suggested_by_id=world.people[suggesters[where]].id,
            )
        )
    # filer_x's house-A initiative (the filer sees it though living elsewhere).
    rows.append(
        make_initiative(session, world.people["filer_x"], world.houses["a"], State.received)
    )
    return rows


@pytest.mark.parametrize("name", OBSERVERS)
def test_visible_clause_matches_the_policy_and_the_rules(world, many, name):
    user = world.user(name)
    ids = {i.id for i in many}
    by_sql = (
        set(
            world.session.exec(
                select(Initiative.id).where(initiative_lists.visible_clause(user))
            ).all()
        )
        & ids
    )
    by_policy = {i.id for i in many if policies.can_view_initiative(user, i)}
    by_rules = {i.id for i in many if _spec_sees(world, name, i)}
    assert by_sql == by_policy
    assert by_policy == by_rules


def test_nobody_anonymous_sees_anything(world, many):
    assert (
        world.session.exec(select(Initiative.id).where(initiative_lists.visible_clause(None))).all()
        == []
    )
    assert not any(policies.can_view_initiative(None, i) for i in many)


def test_visibility_spot_checks(world, many):
    def sees(name: str, initiative: Initiative) -> bool:
        return policies.can_view_initiative(world.user(name), initiative)

    a_submitted = next(
        i for i in many if i.house_id == world.houses["a"].id and i.state == State.submitted
    )
    company_received = next(
        i for i in many if i.scope == Scope.company and i.state == State.received
    )
    a_suggested = next(
        i for i in many if i.house_id == world.houses["a"].id and i.state == State.suggested
    )
    assert sees("resident_a", a_submitted) and not sees("resident_b", a_submitted)
    assert sees("manager_a", a_submitted) and not sees("manager_b", a_submitted)
    assert not sees("adviser", a_submitted) and sees("management", a_submitted)
    assert sees("chair_b", company_received) and not sees("resident_a", company_received)
    assert sees("member_a", a_suggested) and not sees("management", a_suggested)
    assert not sees("manager_a", a_suggested) and sees("resident_a", a_suggested)
    a_withdrawn = [
        i for i in many if i.house_id == world.houses["a"].id and i.state == State.withdrawn
    ]
    withdrawn_draft, withdrawn_submitted, withdrawn_suggestion = a_withdrawn
    assert withdrawn_draft.submitted_at is None and withdrawn_draft.filed_by_id is not None
    assert not sees("resident_a", withdrawn_draft) and not sees("management", withdrawn_draft)
    assert sees("resident_a", withdrawn_submitted) and sees("management", withdrawn_submitted)
    assert sees("chair_a", withdrawn_suggestion) and not sees("manager_a", withdrawn_suggestion)


def test_withdrawing_a_draft_keeps_it_private(world):
    draft = initiative_in(world, State.draft)
    transitions.transition(world.session, draft, "withdraw", world.user("chair_a"))
    assert policies.can_view_initiative(world.user("chair_a"), draft)
    for name in ("member_a", "resident_a", "manager_a", "management"):
        assert not policies.can_view_initiative(world.user(name), draft), name
    submitted = initiative_in(world, State.submitted)
    transitions.transition(world.session, submitted, "withdraw", world.user("chair_a"))
    assert policies.can_view_initiative(world.user("resident_a"), submitted)


# ---- search --------------------------------------------------------------------------------


def test_search_filters(world):
    session = world.session
    today = local_date(utcnow())
    a, b = world.houses["a"], world.houses["b"]
    chair_a, yte = world.people["chair_a"], world.people["yte"]
    lights = make_initiative(
        session,
        chair_a,
        a,
        State.received,
        title="Pihavalot",
        body="Yard lights",
        participation=Participation.planning,
        answer_due_on=today - timedelta(days=1),  # overdue
    )
    sauna = make_initiative(
        session,
        world.people["member_a"],
        a,
        State.submitted,
        title="Saunavuorot",
        body="Lauantaisin",
        receipt_due_on=today + timedelta(days=3),
        created_at=datetime(2024, 6, 1, 9, 0, tzinfo=UTC),
    )
    lobby = make_initiative(
        session, world.people["chair_b"], b, State.answered, title="Ääniovi", body="Ovi"
    )
    company = make_initiative(
        session, yte, None, State.received, title="Yhtiön piha-alueet", body=""
    )
    draft = make_initiative(session, chair_a, a, State.draft, title="Pihan luonnos")

    def found(name: str, **filters: Any) -> list[int | None]:
        rows, total = initiative_lists.search(
            session, world.user(name), initiative_lists.Filters(**filters), today
        )
        assert total == len(rows)
        return sorted(i.id for i in rows)

    def ids(*rows: Initiative) -> list[int | None]:
        return sorted(i.id for i in rows)

    assert found("management") == ids(lights, sauna, lobby, company)
    assert found("chair_a") == ids(lights, sauna, company, draft)
    assert found("management", q="piha") == ids(lights, company)  # title or body, any case
    assert found("management", q="YARD") == ids(lights)
    assert found("management", q="ääni") == ids(lobby)  # Nordic capitals fold
    assert found("management", q="100%") == []
    assert found("management", house_id=a.id) == ids(lights, sauna)
    assert found("management", scope=Scope.company) == ids(company)
    assert found("management", state=State.submitted) == ids(sauna)
    assert found("management", participation=Participation.planning) == ids(lights)
    assert found("management", year=2024) == ids(sauna)
    assert found("management", year=today.year) == ids(lights, lobby, company)
    assert found("management", overdue=True) == ids(lights)
    # mine: filed, suggested, assigned or followed.
    assert found("chair_a", mine=True) == ids(lights, draft)
    following.follow(session, lobby, chair_a.id)  # followed, but not visible to them
    following.follow(session, company, chair_a.id)
    assert found("chair_a", mine=True) == ids(lights, company, draft)
    assert found("resident_b", house_id=a.id) == []  # filters never widen visibility


def test_search_pages_newest_first(world):
    session = world.session
    now = utcnow()
    rows = [
        make_initiative(
            session,
            world.people["chair_a"],
            world.houses["a"],
            State.submitted,
            created_at=now - timedelta(days=n),
        )
        for n in range(5)
    ]
    user = world.user("resident_a")
    today = local_date(now)
    page, total = initiative_lists.search(
        session, user, initiative_lists.Filters(), today, limit=2, offset=1
    )
    assert total == 5
    assert [i.id for i in page] == [rows[1].id, rows[2].id]
    everything = initiative_lists.all_matching(session, user, initiative_lists.Filters(), today)
    assert [i.id for i in everything] == sorted(i.id for i in rows)


def test_overdue_rules(world):
    today = date(2027, 3, 1)
    late = initiative_in(world, State.submitted, receipt_due_on=date(2027, 2, 28))
    on_time = initiative_in(world, State.received, answer_due_on=date(2027, 3, 1))
    answer_late = initiative_in(world, State.in_preparation, answer_due_on=date(2027, 2, 1))
    done = initiative_in(world, State.answered, answer_due_on=date(2027, 1, 1))
    assert initiative_lists.is_overdue(late, today)
    assert not initiative_lists.is_overdue(on_time, today)
    assert initiative_lists.is_overdue(answer_late, today)
    assert not initiative_lists.is_overdue(done, today)
    overdue = set(
        world.session.exec(
            select(Initiative.id).where(initiative_lists.overdue_clause(today))
        ).all()
    )
    assert overdue == {late.id, answer_late.id}


def test_years_and_forum_queue(world):
    session = world.session
    old = make_initiative(
        session,
        world.people["yte"],
        None,
        State.submitted,
        created_at=datetime(2023, 12, 31, 23, 30, tzinfo=UTC),  # 1 January 2024 in Helsinki
    )
    initiative_in(world, State.received, "company")
    initiative_in(world, State.answered, "company")
    initiative_in(world, State.received)  # house scope: not for the forum
    assert initiative_lists.years(session, world.user("yte")) == [utcnow().year, 2024]
    queue = initiative_lists.forum_queue(session)
    assert {i.state for i in queue} == {State.submitted, State.received}
    assert all(i.scope == Scope.company for i in queue) and old in queue


def test_staff_members_are_active_staff(world):
    inactive = make_staff(world.session, StaffKind.management, is_active=False)
    names = {p.id for p in transitions.staff_members(world.session)}
    assert world.people["assignee"].id in names and world.people["manager_a"].id in names
    assert inactive.id not in names and world.people["resident_a"].id not in names


def test_years_show_only_what_the_user_may_see(world):
    make_initiative(
        world.session,
        world.people["chair_a"],
        world.houses["a"],
        State.draft,
        created_at=datetime(2021, 6, 1, tzinfo=UTC),
    )
    assert 2021 in initiative_lists.years(world.session, world.user("chair_a"))
    assert 2021 not in initiative_lists.years(world.session, world.user("resident_b"))
    assert 2021 not in initiative_lists.years(world.session, world.user("resident_a"))


def test_the_suggester_keeps_sight_of_a_suggestion_taken_up(world):
    suggestion = initiative_in(world, State.suggested)
    transitions.transition(world.session, suggestion, "take_up", world.user("chair_a"))
    assert suggestion.state == State.draft
    assert policies.can_view_initiative(world.user("resident_a"), suggestion)
    seen = world.session.exec(
        select(Initiative.id).where(initiative_lists.visible_clause(world.user("resident_a")))
    ).all()
    assert suggestion.id in seen
    assert not policies.can_view_initiative(world.user("resident_b"), suggestion)


def test_follow_survives_a_concurrent_follow(world, monkeypatch):
    """The row appears between the look and the insert (another request): no error."""
    from app.models.initiatives import InitiativeFollower

    initiative = initiative_in(world, State.submitted)
    person = world.people["resident_a"].id
    # Written past the session, as another connection would: not in its identity map.
    world.session.execute(
        insert(InitiativeFollower).values(
            initiative_id=initiative.id, person_id=person, created_at=utcnow()
        )
    )
    real_get = world.session.get

    def blind_get(model, key, *args, **kwargs):  # the other request has not committed yet
        if model is InitiativeFollower:
            return None
        return real_get(model, key, *args, **kwargs)

    monkeypatch.setattr(world.session, "get", blind_get)
    following.follow(world.session, initiative, person)
    monkeypatch.undo()
    assert following.is_following(world.session, initiative, person)
    initiative.title = "Still usable"
    world.session.flush()  # the transaction is not broken
