"""Every predicate of app/policies.py, for each kind of person, without a database."""

import inspect
from datetime import UTC, datetime

import pytest

from app import policies
from app.models.forum import ForumSession
from app.models.initiatives import Initiative, Scope, State
from app.models.people import Person, StaffKind
from app.services.access.roles import Principal

HOUSE, OTHER = 1, 2


def principal(**roles) -> Principal:
    person = Person(id=roles.pop("person_id", 100), name="P", email="p@example.com")
    return Principal(person=person, **roles)


PEOPLE = {
    "anonymous": None,
    "resident": principal(resident_of={HOUSE}),
    "voter": principal(resident_of={HOUSE}, voter_of={HOUSE}),
    "member": principal(resident_of={HOUSE}, committee_of={HOUSE}),
    "chair": principal(resident_of={HOUSE}, committee_of={HOUSE}, chair_of={HOUSE}),
    "yte": principal(resident_of={OTHER}, yte_member=True),
    "manager": principal(manager_of={HOUSE}, staff={StaffKind.property_manager}),
    "other_manager": principal(manager_of={OTHER}, staff={StaffKind.property_manager}),
    "adviser": principal(staff={StaffKind.housing_adviser}),
    "management": principal(staff={StaffKind.management}),
    "admin": principal(staff={StaffKind.admin}),
}
ALL = set(PEOPLE)
LOGGED_IN = ALL - {"anonymous"}

# predicate → (who may, for HOUSE where the predicate takes a house)
EXPECTED = {
    "is_staff_overseer": {"management", "admin"},
    "can_administer": {"admin"},
    "can_view_houses": LOGGED_IN,
    "can_manage_house": {"manager", "management", "admin"},
    "can_view_residents": {"member", "chair", "manager", "management", "admin"},
    "can_manage_residents": {"manager", "admin"},
    "can_view_meetings": {"resident", "voter", "member", "chair", "manager", "management", "admin"},
    "can_organise_meeting": {"member", "chair", "manager", "management", "admin"},
    "can_manage_committee": {"manager", "management", "admin"},
    "can_view_yte": LOGGED_IN,
    "can_manage_yte": {"management", "admin"},
    "can_view_audit": {"admin"},
    "can_download_own_data": LOGGED_IN,
    "can_erase_people": {"admin"},
    "can_vote_in": {"voter"},
    "can_view_committee": {
        "resident",
        "voter",
        "member",
        "chair",
        "manager",
        "management",
        "admin",
    },
    # initiatives
    "can_list_initiatives": LOGGED_IN,
    "can_file_initiative": {"member", "chair"},
    "can_suggest_initiative": {"resident", "voter", "member", "chair"},
    "can_file_company_initiative": {"yte"},
    "can_start_initiative": {"resident", "voter", "member", "chair", "yte"},
    "can_export_initiatives": {"management", "admin"},
    # the cooperation forum
    "can_view_forum": {"chair", "yte", "management", "admin"},
    "can_manage_forum": {"management", "admin"},
    "can_override_forum_notice": {"admin"},
    # the participation profile
    "can_view_company_profile": {"management", "admin"},
    "can_view_company_totals": {"yte", "management", "admin"},
    "can_open_participation_profile": {
        "member",
        "chair",
        "manager",
        "other_manager",
        "management",
        "admin",
    },
    "can_view_house_profile": {"member", "chair", "manager", "management", "admin"},
    "can_view_calendar": LOGGED_IN,
    "can_manage_calendar": {"management", "admin"},
    "can_view_compliance": {"manager", "other_manager", "management", "admin"},
    "can_view_company_compliance": {"management", "admin"},
    # the house bulletin: committees and property managers (for their own houses)
    "can_write_newsletters": {
        "member",
        "chair",
        "manager",
        "other_manager",
        "management",
        "admin",
    },
    "can_list_newsletters": LOGGED_IN,
    "can_manage_jobs": {"admin"},
    "can_choose_mail": LOGGED_IN,
    # house finances
    "can_view_finance_monthly": {"member", "chair", "manager", "management", "admin"},
    "can_view_finances": {
        "resident",
        "voter",
        "member",
        "chair",
        "manager",
        "management",
        "admin",
    },
    "can_view_company_finances": {"yte", "management", "admin"},
    "can_compare_house_finances": {"management", "admin"},
    "can_import_finances": {"manager", "other_manager", "management", "admin"},
    "can_manage_budget_cycles": {"management", "admin"},
    "can_manage_cost_groups": {"management", "admin"},
    "can_open_budget_cycles": {
        "resident",
        "voter",
        "member",
        "chair",
        "manager",
        "other_manager",
        "yte",
        "management",
        "admin",
    },
    "can_give_budget_statement": {"member", "chair"},
    "can_give_company_budget_statement": {"yte"},
    "can_handle_accessibility_feedback": {"admin"},
    # ballots and surveys
    "can_view_elections": LOGGED_IN,
    "can_manage_elections": {"management", "admin"},
    "can_stand_in_elections": {"chair"},
    "can_name_election_delegate": {"member", "chair"},
    "can_view_surveys": LOGGED_IN,
    "can_create_surveys": {"member", "chair", "manager", "other_manager", "management", "admin"},
}


def _call(name: str, user):
    predicate = getattr(policies, name)
    params = list(inspect.signature(predicate).parameters)
    if params == ["user"]:
        return predicate(user)
    if params == ["user", "house_id"]:
        return predicate(user, HOUSE)
    raise AssertionError(f"{name}: unexpected parameters {params}")


def test_every_predicate_has_expectations():
    # Every predicate app.policies gathers from the features' policies modules.
    predicates = {name for name in policies.__all__ if inspect.isfunction(getattr(policies, name))}
    assert len(predicates) > 80
    special = {
        "has_scope",
        # these take a survey: tested in tests/services/ballots/test_surveys.py and routers
        "can_manage_survey",
        "can_answer_survey",
        "can_view_survey",
        "can_view_survey_results",
        "can_read_person",
        "can_read_outbox",
        # these take an initiative or a forum session: tested one by one below
        "initiative_actor_roles",
        "can_view_initiative",
        "can_transition",
        "can_edit_initiative",
        "can_comment_initiative",
        "can_attach_to_initiative",
        "can_view_forum_session",
        "can_set_review",
        "can_view_forum_minutes",
        # these take an event or a newsletter: tested in their features' test modules
        "can_view_event",
        "can_register_for_event",
        "can_cancel_registration",
        "can_view_attendees",
        "can_write_newsletter",
        "can_manage_newsletter",
        "can_edit_newsletter",
        "can_cancel_newsletter",
        "can_read_newsletter",
        # these take a budget cycle: tested in tests/services/finances/test_budget_cycle.py
        "can_view_budget_cycle",
        "can_take_budget_step",
        "can_revise_budget_proposal",
        # a number, not a yes or no: tested below
        "smallest_group",
    }
    assert predicates - set(EXPECTED) - special == set()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_predicate(name):
    allowed = {who for who, user in PEOPLE.items() if _call(name, user)}
    assert allowed == EXPECTED[name]


def test_house_predicates_do_not_leak_to_other_houses():
    for name in EXPECTED:
        params = list(inspect.signature(getattr(policies, name)).parameters)
        if params == ["user", "house_id"]:
            for who in ("resident", "voter", "member", "chair", "manager"):
                assert not getattr(policies, name)(PEOPLE[who], OTHER), (name, who)


def test_has_scope():
    browser = PEOPLE["resident"]
    assert policies.has_scope(browser, "write")
    token = principal(scopes=frozenset({"read"}))
    assert policies.has_scope(token, "read") and not policies.has_scope(token, "write")
    assert not policies.has_scope(None, "read")


def test_can_read_outbox():
    assert policies.can_read_outbox(True, "127.0.0.1")
    assert policies.can_read_outbox(True, "::1")
    assert not policies.can_read_outbox(False, "127.0.0.1")
    assert not policies.can_read_outbox(True, "203.0.113.9")
    assert not policies.can_read_outbox(True, None)


def test_can_read_person():
    me = principal(person_id=7)
    assert policies.can_read_person(me, 7)
    assert not policies.can_read_person(me, 8)
    assert policies.can_read_person(PEOPLE["admin"], 8)
    assert not policies.can_read_person(PEOPLE["management"], 8)
    assert not policies.can_read_person(None, 7)


# ---- predicates on one initiative or forum session -------------------------------------------

FILER, SUGGESTER, ASSIGNEE, YTE = 201, 202, 203, 204
# The yte person is the chair of a third house (chairs see company initiatives).
PEOPLE_ON = {
    **PEOPLE,
    "yte": principal(
        person_id=YTE, resident_of={3}, committee_of={3}, chair_of={3}, yte_member=True
    ),
    "other_chair": principal(resident_of={OTHER}, committee_of={OTHER}, chair_of={OTHER}),
    "filer": principal(person_id=FILER, resident_of={HOUSE}, committee_of={HOUSE}),
    "suggester": principal(person_id=SUGGESTER, resident_of={HOUSE}),
    "assignee": principal(person_id=ASSIGNEE, staff={StaffKind.housing_adviser}),
}


def initiative(state: State, scope: Scope = Scope.house, **fields) -> Initiative:
    values = {
        "id": 1,
        "scope": scope,
        "house_id": HOUSE if scope == Scope.house else None,
        "title": "T",
        "state": state,
        "filed_by_id": FILER,
    }
    values.update(fields)
    return Initiative(**values)


def who(predicate, *args) -> set[str]:
    return {name for name, user in PEOPLE_ON.items() if predicate(user, *args)}


def test_can_view_initiative():
    house_public = {"resident", "voter", "member", "chair", "manager", "management", "admin"}
    submitted = initiative(State.submitted, assignee_id=ASSIGNEE)
    # (the suggester of other things lives in the house)
    everyone = house_public | {"filer", "assignee", "suggester"}
    assert who(policies.can_view_initiative, submitted) == everyone
    # Drafts: the filer, and the suggester of one taken up; not an assignee or the house.
    draft = initiative(State.draft, suggested_by_id=SUGGESTER, assignee_id=ASSIGNEE)
    assert who(policies.can_view_initiative, draft) == {"filer", "suggester"}
    own_draft = initiative(State.draft, assignee_id=ASSIGNEE)
    assert who(policies.can_view_initiative, own_draft) == {"filer"}
    # Suggestions and declined ones: the suggester and the house's committee.
    for state in (State.suggested, State.declined):
        suggestion = initiative(state, filed_by_id=None, suggested_by_id=SUGGESTER)
        assert who(policies.can_view_initiative, suggestion) == {
            "member",
            "chair",
            "filer",  # a member of the house's committee
            "suggester",
        }
    # Withdrawn before submission: still a draft or a suggestion; after it: public.
    assert who(policies.can_view_initiative, initiative(State.withdrawn)) == {"filer"}
    withdrawn_suggestion = initiative(State.withdrawn, filed_by_id=None, suggested_by_id=SUGGESTER)
    assert who(policies.can_view_initiative, withdrawn_suggestion) == {
        "member",
        "chair",
        "filer",
        "suggester",
    }
    was_submitted = initiative(State.withdrawn, submitted_at=datetime(2030, 1, 1, tzinfo=UTC))
    assert who(policies.can_view_initiative, was_submitted) == house_public | {
        "filer",
        "suggester",
    }
    company = initiative(State.received, Scope.company, filed_by_id=None)
    assert who(policies.can_view_initiative, company) == {
        "chair",
        "yte",
        "other_chair",
        "management",
        "admin",
    }
    other_house = initiative(State.answered, house_id=OTHER, filed_by_id=None)
    assert who(policies.can_view_initiative, other_house) == {
        "other_manager",
        "other_chair",
        "management",
        "admin",
    }


def test_initiative_actor_roles():
    roles = policies.initiative_actor_roles
    house = initiative(State.received, assignee_id=ASSIGNEE)
    assert roles(PEOPLE_ON["filer"], house) == {"filer", "committee", "evaluator"}
    assert roles(PEOPLE_ON["member"], house) == {"committee", "evaluator"}
    assert roles(PEOPLE_ON["manager"], house) == {"recipient", "handler"}
    assert roles(PEOPLE_ON["management"], house) == {"recipient", "handler"}
    assert roles(PEOPLE_ON["assignee"], house) == {"handler"}
    for nobody in ("anonymous", "resident", "other_manager", "other_chair", "yte", "adviser"):
        assert roles(PEOPLE_ON[nobody], house) == set(), nobody
    company = initiative(State.received, Scope.company, filed_by_id=PEOPLE_ON["yte"].id)
    assert roles(PEOPLE_ON["yte"], company) == {"filer", "evaluator"}
    assert roles(PEOPLE_ON["admin"], company) == {"recipient", "handler"}
    assert roles(PEOPLE_ON["manager"], company) == set()
    assert roles(PEOPLE_ON["chair"], company) == set()  # chairs read, Haso-yte evaluates
    # The suggester is the filer of a suggestion only while it is one.
    suggestion = initiative(State.suggested, filed_by_id=None, suggested_by_id=SUGGESTER)
    assert roles(PEOPLE_ON["suggester"], suggestion) == {"filer", "evaluator"}
    taken_up = initiative(State.draft, suggested_by_id=SUGGESTER)
    assert roles(PEOPLE_ON["suggester"], taken_up) == set()


def test_can_transition():
    submitted = initiative(State.submitted)
    assert who(policies.can_transition, submitted, "receive") == {"manager", "management", "admin"}
    assert who(policies.can_transition, submitted, "withdraw") == {"filer"}
    assert who(policies.can_transition, submitted, "answer") == set()  # not yet received
    assert who(policies.can_transition, submitted, "no_such_move") == set()
    suggestion = initiative(State.suggested, filed_by_id=None, suggested_by_id=SUGGESTER)
    assert who(policies.can_transition, suggestion, "take_up") == {"member", "chair", "filer"}
    assert who(policies.can_transition, suggestion, "withdraw") == {"suggester"}
    implemented = initiative(State.implemented, Scope.company, filed_by_id=None)
    assert who(policies.can_transition, implemented, "evaluate") == {"yte"}


def test_can_edit_initiative():
    for state in (State.draft, State.submitted):
        assert who(policies.can_edit_initiative, initiative(state)) == {"filer"}
    suggestion = initiative(State.suggested, filed_by_id=None, suggested_by_id=SUGGESTER)
    assert who(policies.can_edit_initiative, suggestion) == {"suggester"}
    for state in (State.received, State.answered, State.withdrawn):
        assert who(policies.can_edit_initiative, initiative(state)) == set()


def test_can_set_review():
    answered = initiative(State.answered, assignee_id=ASSIGNEE)
    assert who(policies.can_set_review, answered) == {
        "filer",
        "member",
        "chair",
        "manager",
        "management",
        "admin",
        "assignee",
    }


def test_can_comment_initiative():
    assert who(policies.can_comment_initiative, initiative(State.draft)) == set()
    submitted = initiative(State.submitted)
    assert who(policies.can_comment_initiative, submitted) == who(
        policies.can_view_initiative, submitted
    )
    assert "resident_b" not in who(policies.can_comment_initiative, submitted)


def test_can_attach_to_initiative():
    received = initiative(State.received, assignee_id=ASSIGNEE)
    assert who(policies.can_attach_to_initiative, received) == {
        "filer",
        "member",
        "chair",
        "manager",
        "management",
        "admin",
        "assignee",
    }
    for state in (State.withdrawn, State.evaluated):
        assert who(policies.can_attach_to_initiative, initiative(state)) == set()


def test_can_view_forum_session():
    draft = ForumSession(id=1, title="F", starts_at=datetime(2030, 1, 1, tzinfo=UTC), place="X")
    published = ForumSession(
        id=2,
        title="F",
        starts_at=datetime(2030, 1, 1, tzinfo=UTC),
        place="X",
        agenda_published_at=datetime(2029, 12, 1, tzinfo=UTC),
    )
    participants = {"yte", "management", "admin"}
    assert who(policies.can_view_forum_session, draft) == participants
    assert who(policies.can_view_forum_session, published) == participants | {
        "chair",
        "other_chair",
    }


def test_can_view_forum_minutes():
    held = ForumSession(
        id=3,
        title="F",
        starts_at=datetime(2030, 1, 1, tzinfo=UTC),
        place="X",
        agenda_published_at=datetime(2029, 12, 1, tzinfo=UTC),
    )
    participants = {"yte", "management", "admin"}
    assert who(policies.can_view_forum_minutes, held) == participants
    held.minutes_published_at = datetime(2030, 1, 5, tzinfo=UTC)
    assert who(policies.can_view_forum_minutes, held) == participants | {"chair", "other_chair"}
    unpublished = ForumSession(id=4, title="F", starts_at=held.starts_at, place="X")
    unpublished.minutes_published_at = held.minutes_published_at
    assert who(policies.can_view_forum_minutes, unpublished) == participants


def test_the_smallest_group_is_any_for_overseers_and_the_setting_for_others(monkeypatch):
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "min_comparison_houses", 4)
    sizes = {who: policies.smallest_group(user) for who, user in PEOPLE.items()}
    overseers = {who for who, user in PEOPLE.items() if policies.is_staff_overseer(user)}
    assert overseers and all(sizes[who] == 1 for who in overseers)
    assert all(size == 4 for who, size in sizes.items() if who not in overseers)
