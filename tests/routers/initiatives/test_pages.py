"""Initiative pages: filing, the whole lifecycle through the forms, the list, the CSV export."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from markupsafe import escape
from sqlmodel import select

from app.i18n import ngettext, use_language
from app.models.committees import Position
from app.models.houses import House
from app.models.initiatives import Initiative, InitiativeEvaluation, Outcome, Scope, State
from app.models.people import Person, StaffKind
from app.services.initiatives import lifecycle
from tests.support import (
    PortalClient,
    fi,
    make_committee,
    make_house,
    make_initiative,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)


@dataclass
class World:
    """Two houses with their people, management and a staff member who prepares answers."""

    house_a: House
    house_b: House
    resident_a: Person
    member_a: Person
    chair_a: Person
    manager_a: Person
    resident_b: Person
    chair_b: Person
    manager_b: Person
    management: Person
    preparer: Person


@pytest.fixture()
def world(session) -> World:
    house_a = make_house(session, name="Koivukuja", code="KOI1")
    house_b = make_house(session, name="Vaahterakuja", code="VAA1")
    resident_a = make_resident(session, house_a)
    member_a = make_resident(session, house_a)
    chair_a = make_resident(session, house_a)
    make_committee(session, house_a, [(chair_a, Position.chair), (member_a, Position.member)])
    resident_b = make_resident(session, house_b)
    chair_b = make_resident(session, house_b)
    make_committee(session, house_b, [(chair_b, Position.chair)])
    world = World(
        house_a=house_a,
        house_b=house_b,
        resident_a=resident_a,
        member_a=member_a,
        chair_a=chair_a,
        manager_a=make_manager(session, house_a),
        resident_b=resident_b,
        chair_b=chair_b,
        manager_b=make_manager(session, house_b),
        management=make_staff(session, StaffKind.management),
        preparer=make_staff(session, StaffKind.property_manager, name="Valmistelija Virtanen"),
    )
    session.commit()
    return world


def shown(msgid: str, **params: object) -> str:
    """A message as it appears in the page's HTML (Finnish, escaped)."""
    return str(escape(fi(msgid, **params)))


def as_user(client: PortalClient, session, person: Person) -> PortalClient:
    return client.login_as(session, person)


def move(client: PortalClient, initiative: Initiative, action: str, **fields: object):
    """Post one lifecycle move with the version the page would carry."""
    data = {"version": str(fields.pop("version", initiative.version))}
    data.update({k: str(v) for k, v in fields.items()})
    return client.submit(f"/initiatives/{initiative.id}/transitions/{action}", data)


def fresh(session, initiative_id: int) -> Initiative:
    session.expire_all()
    found = session.get(Initiative, initiative_id)
    assert found is not None
    return found


def created_id(response) -> int:
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/initiatives/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


# ---- the journey ---------------------------------------------------------------------------


def test_the_whole_journey_through_the_pages(client, session, world, smtp):
    chair = as_user(client, session, world.chair_a)
    form = chair.get("/initiatives/new")
    assert form.status_code == 200
    assert form.text.count("<h1") == 1
    assert 'for="field-title"' in form.text and 'for="field-participation"' in form.text
    response = chair.submit(
        "/initiatives/new",
        {
            "scope": "house",
            "house_id": str(world.house_a.id),
            "title": "Pihan valaistus",
            "body": "Pihalla on pimeää.",
            "participation": "initiative",
        },
    )
    initiative_id = created_id(response)
    initiative = fresh(session, initiative_id)
    assert (initiative.state, initiative.filed_by_id) == (State.draft, world.chair_a.id)

    page = chair.get(f"/initiatives/{initiative_id}")
    assert page.status_code == 200
    assert shown(lifecycle.BY_ACTION["submit"].label) in page.text
    assert move(chair, initiative, "submit").status_code == 303
    initiative = fresh(session, initiative_id)
    assert initiative.state == State.submitted and initiative.receipt_due_on is not None

    manager = as_user(client, session, world.manager_a)
    page = manager.get(f"/initiatives/{initiative_id}")
    assert shown(lifecycle.BY_ACTION["receive"].label) in page.text
    assert move(manager, initiative, "receive", note="Otettu käsittelyyn.").status_code == 303
    initiative = fresh(session, initiative_id)
    assert initiative.state == State.received

    page = manager.get(f"/initiatives/{initiative_id}")
    assert "Valmistelija Virtanen" in page.text  # offered in the preparer select
    response = move(manager, initiative, "assign", assignee_id=world.preparer.id)
    assert response.status_code == 303
    initiative = fresh(session, initiative_id)
    assert (initiative.state, initiative.assignee_id) == (State.in_preparation, world.preparer.id)

    preparer = as_user(client, session, world.preparer)
    answer = "Valaistus uusitaan syksyllä."
    response = move(preparer, initiative, "answer", outcome="accepted", answer=answer)
    assert response.status_code == 303
    initiative = fresh(session, initiative_id)
    assert (initiative.state, initiative.outcome) == (State.answered, Outcome.accepted)

    manager = as_user(client, session, world.manager_a)
    assert move(manager, initiative, "implement").status_code == 303
    initiative = fresh(session, initiative_id)
    assert initiative.state == State.implemented

    chair = as_user(client, session, world.chair_a)
    response = move(chair, initiative, "evaluate", rating=4, comment="Hyvä lopputulos.")
    assert response.status_code == 303
    initiative = fresh(session, initiative_id)
    assert initiative.state == State.evaluated
    evaluation = session.exec(select(InitiativeEvaluation)).one()
    assert (evaluation.rating, evaluation.person_id) == (4, world.chair_a.id)

    page = chair.get(f"/initiatives/{initiative_id}")
    assert answer in page.text and "Hyvä lopputulos." in page.text
    assert shown("%(rating)s / 5", rating=4) in page.text
    assert "Otettu käsittelyyn." in page.text  # the receipt's note in the history
    for state in (State.submitted, State.received, State.answered, State.evaluated):
        assert shown(lifecycle.STATE_LABELS[state]) in page.text
    # The filer was told of the receipt by mail.
    assert smtp.to(world.chair_a.email)


def test_a_resident_suggests_and_the_committee_takes_it_up(client, session, world):
    resident = as_user(client, session, world.resident_a)
    form = resident.get("/initiatives/new")
    assert form.status_code == 200
    assert shown("Send the suggestion to the committee") in form.text
    response = resident.submit(
        "/initiatives/new",
        {"scope": "house", "house_id": str(world.house_a.id), "title": "Grillikatos"},
    )
    initiative_id = created_id(response)
    initiative = fresh(session, initiative_id)
    assert (initiative.state, initiative.suggested_by_id) == (State.suggested, world.resident_a.id)

    chair = as_user(client, session, world.chair_a)
    front = chair.get("/")
    assert (
        shown("A resident's suggestion awaits the committee: “%(title)s”", title="Grillikatos")
        in front.text
    )
    assert as_user(client, session, world.resident_b).get(
        f"/initiatives/{initiative_id}"
    ).status_code == (404)

    chair = as_user(client, session, world.chair_a)
    assert move(chair, initiative, "take_up").status_code == 303
    initiative = fresh(session, initiative_id)
    assert (initiative.state, initiative.filed_by_id) == (State.draft, world.chair_a.id)
    assert move(chair, initiative, "submit").status_code == 303
    assert fresh(session, initiative_id).state == State.submitted


def test_a_haso_yte_member_may_file_for_the_company(client, session, world):
    make_yte_term(session, [(world.chair_a, world.house_a)])
    session.commit()
    chair = as_user(client, session, world.chair_a)
    assert 'value="company"' in chair.get("/initiatives/new").text
    response = chair.submit(
        "/initiatives/new",
        {"scope": "company", "house_id": str(world.house_a.id), "title": "Yhteinen asia"},
    )
    initiative = fresh(session, created_id(response))
    assert (initiative.scope, initiative.house_id) == (Scope.company, None)


# ---- errors --------------------------------------------------------------------------------


def test_new_initiative_errors_are_tied_to_fields(client, session, world):
    chair = as_user(client, session, world.chair_a)
    response = chair.submit(
        "/initiatives/new", {"scope": "house", "house_id": str(world.house_a.id), "title": ""}
    )
    assert response.status_code == 422
    assert 'id="error-summary"' in response.text
    assert 'id="error-title"' in response.text
    assert shown("This field is required.") in response.text

    response = chair.submit(
        "/initiatives/new", {"scope": "house", "house_id": str(world.house_b.id), "title": "X"}
    )
    assert response.status_code == 422
    assert 'id="error-house_id"' in response.text

    response = chair.submit("/initiatives/new", {"scope": "company", "title": "X"})
    assert response.status_code == 422
    assert 'href="#field-scope"' in response.text
    assert session.exec(select(Initiative)).all() == []


def test_refused_moves_say_why(client, session, world):
    initiative = make_initiative(session, world.chair_a, world.house_a, state=State.submitted)
    session.commit()
    manager = as_user(client, session, world.manager_a)
    response = move(manager, initiative, "implement")
    assert response.status_code == 422
    reason = fi(
        "This initiative is now “%(state)s”; “%(step)s” is not possible in that state.",
        state=fi(lifecycle.STATE_LABELS[State.submitted]),
        step=fi(lifecycle.BY_ACTION["implement"].label),
    )
    assert str(escape(reason)) in response.text

    assert move(manager, initiative, "receive").status_code == 303
    initiative = fresh(session, initiative.id)
    response = move(manager, initiative, "answer", outcome="accepted", answer="")
    assert response.status_code == 422
    assert 'id="error-answer-answer"' in response.text
    response = move(manager, initiative, "assign", assignee_id="")
    assert response.status_code == 422
    assert 'id="error-assign-assignee_id"' in response.text
    assert fresh(session, initiative.id).state == State.received


def test_moves_are_refused_to_those_who_may_not_make_them(client, session, world):
    initiative = make_initiative(session, world.chair_a, world.house_a, state=State.submitted)
    session.commit()
    # A resident of the house sees it but is no actor; another house does not see it at all.
    assert (
        move(as_user(client, session, world.resident_a), initiative, "receive").status_code == 403
    )
    assert move(as_user(client, session, world.manager_b), initiative, "receive").status_code == 404
    chair = as_user(client, session, world.chair_a)
    assert move(chair, initiative, "no_such_step").status_code == 404
    assert chair.get("/initiatives/999999").status_code == 404
    assert fresh(session, initiative.id).state == State.submitted


def test_a_stale_move_is_a_conflict(client, session, world):
    initiative = make_initiative(session, world.chair_a, world.house_a, state=State.submitted)
    session.commit()
    manager = as_user(client, session, world.manager_a)
    response = move(manager, initiative, "receive", version=initiative.version - 1 or 99)
    assert response.status_code == 409
    assert (
        shown(
            "Someone else changed this initiative in the meantime. Check its state below and "
            "try again if the step is still needed."
        )
        in response.text
    )
    assert fresh(session, initiative.id).state == State.submitted


def test_edit_and_conflict_when_someone_saved_meanwhile(client, session, world):
    initiative = make_initiative(session, world.chair_a, world.house_a, state=State.draft)
    session.commit()
    chair = as_user(client, session, world.chair_a)
    form = chair.get(f"/initiatives/{initiative.id}/edit")
    assert form.status_code == 200
    version = initiative.version
    assert f'name="version" value="{version}"' in form.text
    first = {"title": "Uusi otsikko", "body": "Teksti", "participation": "planning"}
    url = f"/initiatives/{initiative.id}/edit"
    assert chair.submit(url, {**first, "version": str(version)}).status_code == 303
    second = {"title": "Toinen otsikko", "body": "Oma teksti", "participation": "initiative"}
    response = chair.submit(url, {**second, "version": str(version)})
    assert response.status_code == 409
    assert "Oma teksti" in response.text  # the typed text is kept
    assert f'name="version" value="{version + 1}"' in response.text
    assert fresh(session, initiative.id).title == "Uusi otsikko"
    response = chair.submit(url, {**second, "title": ""})
    assert response.status_code == 422 and 'id="error-title"' in response.text
    # Only the filer edits, and only before the receipt.
    assert as_user(client, session, world.member_a).get(url).status_code == 404  # a draft


def test_review_date(client, session, world):
    initiative = make_initiative(session, world.chair_a, world.house_a, state=State.answered)
    session.commit()
    manager = as_user(client, session, world.manager_a)
    url = f"/initiatives/{initiative.id}/review"
    response = manager.submit(url, {"review_on": "not a date"})
    assert response.status_code == 422 and 'id="error-review_on"' in response.text
    page = manager.get(f"/initiatives/{initiative.id}")
    assert f'name="version" value="{initiative.version}"' in page.text
    day = date.today() + timedelta(days=90)
    version = str(initiative.version)
    form = {"review_on": day.isoformat(), "version": version}
    assert manager.submit(url, form).status_code == 303
    assert fresh(session, initiative.id).review_on == day
    # The same form again (the version it carried is now stale): a conflict, nothing saved.
    later = (day + timedelta(days=1)).isoformat()
    response = manager.submit(url, {"review_on": later, "version": version})
    assert response.status_code == 409
    assert fresh(session, initiative.id).review_on == day
    # A day in the past is refused at the field.
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = manager.submit(url, {"review_on": yesterday, "version": str(int(version) + 1)})
    assert response.status_code == 422 and 'id="error-review_on"' in response.text
    assert shown("The review date cannot be in the past.") in response.text
    assert as_user(client, session, world.resident_a).submit(url, {}).status_code == 403


# ---- the list and the export ----------------------------------------------------------------


def test_list_filters_and_search(client, session, world):
    light = make_initiative(session, world.chair_a, world.house_a, State.submitted, title="Valot")
    sauna = make_initiative(session, world.chair_a, world.house_a, State.received, title="Sauna")
    make_initiative(session, world.chair_b, world.house_b, State.submitted, title="Piha B")
    session.commit()
    manager = as_user(client, session, world.management)

    def titles(query: str) -> set[str]:
        page = manager.get(f"/initiatives?{query}")
        assert page.status_code == 200
        return {t for t in ("Valot", "Sauna", "Piha B") if f">{t}</a>" in page.text}

    assert titles("") == {"Valot", "Sauna", "Piha B"}
    assert titles("q=saun") == {"Sauna"}
    assert titles(f"house={world.house_b.id}") == {"Piha B"}
    assert titles("state=received") == {"Sauna"}
    # make_initiative puts the receipt of a submitted initiative 6 days late.
    assert titles("overdue=1") == {"Valot", "Piha B"}
    assert titles("scope=company") == set()
    assert titles("state=nonsense&year=abc") == {"Valot", "Sauna", "Piha B"}
    page = manager.get("/initiatives?overdue=1")
    assert shown("Overdue") in page.text
    assert "/initiatives/export.csv?overdue=1" in page.text
    mine = as_user(client, session, world.chair_a).get("/initiatives?mine=1")
    assert f"/initiatives/{light.id}" in mine.text and f"/initiatives/{sauna.id}" in mine.text


def test_list_pages(client, session, world):
    for n in range(30):
        make_initiative(session, world.chair_a, world.house_a, State.submitted, title=f"Nro {n}")
    session.commit()
    chair = as_user(client, session, world.chair_a)
    first = chair.get("/initiatives")
    assert first.text.count("<tr>") == 26  # the header and 25 rows
    assert 'rel="next"' in first.text
    second = chair.get("/initiatives?page=2")
    assert second.text.count("<tr>") == 6


def test_nothing_leaks_to_another_house(client, session, world):
    secret = make_initiative(
        session, world.chair_a, world.house_a, State.submitted, title="Salainen"
    )
    draft = make_initiative(session, world.chair_a, world.house_a, State.draft, title="Luonnosaihe")
    session.commit()
    other = as_user(client, session, world.resident_b)
    assert "Salainen" not in other.get("/initiatives").text
    assert other.get(f"/initiatives/{secret.id}").status_code == 404
    assert other.get(f"/initiatives/{secret.id}?q=Salainen").status_code == 404
    assert other.get("/initiatives/export.csv").status_code == 403
    # A draft is its filer's alone, even within the committee.
    member = as_user(client, session, world.member_a)
    assert "Luonnosaihe" not in member.get("/initiatives").text
    assert member.get(f"/initiatives/{draft.id}").status_code == 404
    assert "Salainen" in member.get("/initiatives").text
    assert as_user(client, session, world.manager_b).get(
        f"/initiatives/{secret.id}"
    ).status_code == (404)


def test_csv_export_for_management(client, session, world):
    evil = make_initiative(
        session, world.chair_a, world.house_a, State.submitted, title='=HYPERLINK("x")'
    )
    make_initiative(session, world.chair_b, world.house_b, State.received, title="Sauna; uusi")
    session.commit()
    manager = as_user(client, session, world.management)
    response = manager.get("/initiatives/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == fi("ID") and len(rows[0]) == 14
    by_id = {row[0]: row for row in rows[1:]}
    row = by_id[str(evil.id)]
    assert row[1] == '\'=HYPERLINK("x")'
    assert row[2] == "KOI1"
    assert row[4] == fi(lifecycle.STATE_LABELS[State.submitted])
    assert row[13] == fi("yes")
    assert any(r[1] == "Sauna; uusi" for r in rows[1:])
    filtered = manager.get(f"/initiatives/export.csv?house={world.house_b.id}")
    assert len(filtered.content.decode("utf-8-sig").strip().splitlines()) == 2


@pytest.mark.parametrize("who", ["chair_a", "manager_a", "resident_a"])
def test_csv_export_is_refused_to_others(client, session, world, who):
    response = as_user(client, session, getattr(world, who)).get("/initiatives/export.csv")
    assert response.status_code == 403
    page = as_user(client, session, getattr(world, who)).get("/initiatives")
    assert "export.csv" not in page.text


# ---- the front page ------------------------------------------------------------------------


def test_front_page_notifications_and_their_reading(client, session, world):
    chair = as_user(client, session, world.chair_a)
    response = chair.submit(
        "/initiatives/new",
        {"scope": "house", "house_id": str(world.house_a.id), "title": "Ovipuhelin"},
    )
    initiative = fresh(session, created_id(response))
    move(chair, initiative, "submit")
    manager = as_user(client, session, world.manager_a)
    assert move(manager, fresh(session, initiative.id), "receive").status_code == 303

    chair = as_user(client, session, world.chair_a)
    front = chair.get("/")
    assert f'href="/initiatives/{initiative.id}">Ovipuhelin</a>' in front.text
    assert shown(lifecycle.STATE_LABELS[State.received]) in front.text
    chair.get(f"/initiatives/{initiative.id}")  # opening it reads the notification
    assert f'href="/initiatives/{initiative.id}">Ovipuhelin</a>' not in chair.get("/").text


def test_front_page_tasks_for_the_manager_and_management(client, session, world):
    late = make_initiative(session, world.chair_a, world.house_a, State.submitted, title="Myöhässä")
    due = make_initiative(session, world.chair_a, world.house_a, State.received, title="Vastattava")
    make_initiative(session, world.chair_b, world.house_b, State.submitted, title="Toinen talo")
    session.commit()
    front = as_user(client, session, world.manager_a).get("/")
    late_text = shown(
        "Acknowledge receipt of the initiative “%(title)s” by %(date)s",
        title="Myöhässä",
        date="",
    ).split("”")[0]
    assert late_text in front.text
    assert front.text.index(f"/initiatives/{late.id}") < front.text.index(f"/initiatives/{due.id}")
    assert shown("Overdue") in front.text
    assert "Toinen talo" not in front.text

    front = as_user(client, session, world.management).get("/")
    with use_language("fi"):
        count = ngettext("%(num)s initiative is overdue", "%(num)s initiatives are overdue", 2)
    assert str(escape(count)) in front.text
    assert 'href="/initiatives?overdue=1"' in front.text
    assert "Myöhässä" not in as_user(client, session, world.resident_b).get("/").text


def test_titles_and_answers_of_only_spaces_are_refused(client, session, world):
    chair = as_user(client, session, world.chair_a)
    response = chair.submit(
        "/initiatives/new", {"scope": "house", "house_id": str(world.house_a.id), "title": "   "}
    )
    assert response.status_code == 422 and 'id="error-title"' in response.text
    assert session.exec(select(Initiative)).all() == []
    initiative = make_initiative(session, world.chair_a, world.house_a, state=State.draft)
    session.commit()
    url = f"/initiatives/{initiative.id}/edit"
    form = {"title": "  ", "body": "x", "participation": "initiative", "version": "1"}
    response = chair.submit(url, form)
    assert response.status_code == 422 and 'id="error-title"' in response.text
    assert fresh(session, initiative.id).title.strip() != ""
    received = make_initiative(session, world.chair_a, world.house_a, state=State.received)
    session.commit()
    manager = as_user(client, session, world.manager_a)
    response = move(manager, received, "answer", outcome="accepted", answer="   ")
    assert response.status_code == 422 and 'id="error-answer-answer"' in response.text
    assert fresh(session, received.id).state == State.received


def test_a_drafts_edits_stay_private_after_submission(client, session, world):
    initiative = make_initiative(session, world.chair_a, world.house_a, state=State.draft)
    session.commit()
    chair = as_user(client, session, world.chair_a)
    url = f"/initiatives/{initiative.id}/edit"
    form = {"title": "Pihavalot", "body": "Salaisuus 42", "participation": "initiative"}
    assert chair.submit(url, {**form, "version": "1"}).status_code == 303
    form = {"title": "Pihavalot", "body": "Julkinen teksti", "participation": "initiative"}
    assert chair.submit(url, {**form, "version": "2"}).status_code == 303
    initiative = fresh(session, initiative.id)
    assert move(chair, initiative, "submit").status_code == 303
    page = as_user(client, session, world.resident_a).get(f"/initiatives/{initiative.id}")
    assert page.status_code == 200 and "Julkinen teksti" in page.text
    assert "Salaisuus 42" not in page.text
    edited = shown(
        "%(name)s edited the initiative: %(fields)s.", name=world.chair_a.name, fields=fi("Text")
    )
    assert edited in page.text


def test_the_year_filter_does_not_reveal_others_drafts(client, session, world):
    make_initiative(
        session,
        world.chair_a,
        world.house_a,
        State.draft,
        created_at=datetime(2021, 6, 1, tzinfo=UTC),
    )
    session.commit()
    assert 'value="2021"' in as_user(client, session, world.chair_a).get("/initiatives").text
    assert 'value="2021"' not in as_user(client, session, world.resident_b).get("/initiatives").text


def test_the_suggester_still_sees_a_suggestion_taken_up(client, session, world):
    suggestion = make_initiative(
        session, None, world.house_a, State.suggested, suggested_by_id=world.resident_a.id
    )
    session.commit()
    chair = as_user(client, session, world.chair_a)
    assert move(chair, suggestion, "take_up").status_code == 303
    assert fresh(session, suggestion.id).state == State.draft
    resident = as_user(client, session, world.resident_a)
    assert resident.get(f"/initiatives/{suggestion.id}").status_code == 200
    other = as_user(client, session, world.member_a)
    assert other.get(f"/initiatives/{suggestion.id}").status_code == 404


def test_withdrawing_for_good_needs_its_box_ticked(client, session, world):
    initiative = make_initiative(session, world.chair_a, world.house_a, State.draft)
    session.commit()
    chair = as_user(client, session, world.chair_a)
    page = chair.get(f"/initiatives/{initiative.id}")
    assert 'id="field-withdraw-confirm"' in page.text
    refused = move(client, initiative, "withdraw")
    assert refused.status_code == 422
    assert 'id="error-withdraw-confirm"' in refused.text
    assert shown("Tick the box to confirm: this cannot be undone.") in refused.text
    assert fresh(session, initiative.id).state == State.draft
    done = move(client, initiative, "withdraw", confirm="on")
    assert done.status_code == 303
    assert fresh(session, initiative.id).state == State.withdrawn
    # The history tells it as a sentence in the past tense, the actor first.
    page = chair.get(f"/initiatives/{initiative.id}")
    assert shown("%(name)s withdrew the initiative.", name=world.chair_a.name) in page.text


def test_a_met_deadline_is_no_longer_shown_the_next_one_is(client, session, world):
    initiative = make_initiative(session, world.chair_a, world.house_a, State.received)
    session.commit()
    page = as_user(client, session, world.chair_a).get(f"/initiatives/{initiative.id}")
    assert shown("Receipt to be acknowledged by") not in page.text
    assert shown("Answer due by") in page.text
