"""The initiative page shows where the initiative is: the step indicator (current step, who has
it, by when, overdue in words), the one action expected now first, destructive moves apart and
confirmed, and after submitting a confirmation naming who received it and by when."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from markupsafe import escape

from app.i18n import ngettext, use_language
from app.jinja import fmt_date
from app.models.committees import Position
from app.models.houses import House
from app.models.initiatives import Initiative, Outcome, State
from app.models.people import Person, StaffKind
from app.services.initiatives import lifecycle
from tests.routers.page_parts import (
    current_step,
    first_action,
    form_of,
    parse,
    says_done,
    steps,
)
from tests.support import (
    PortalClient,
    fi,
    make_committee,
    make_house,
    make_initiative,
    make_manager,
    make_resident,
    make_staff,
)

STEPS = "initiative-steps"


@dataclass
class World:
    house: House
    chair: Person
    resident: Person
    manager: Person
    preparer: Person
    management: Person


@pytest.fixture()
def world(session) -> World:
    house = make_house(session, name="Koivukuja", code="KOI1")
    chair = make_resident(session, house)
    resident = make_resident(session, house)
    make_committee(session, house, [(chair, Position.chair)])
    found = World(
        house=house,
        chair=chair,
        resident=resident,
        manager=make_manager(session, house),
        preparer=make_staff(session, StaffKind.property_manager, name="Valmistelija Virtanen"),
        management=make_staff(session, StaffKind.management),
    )
    session.commit()
    return found


def page(client: PortalClient, session, person: Person, initiative: Initiative, query: str = ""):
    response = client.login_as(session, person).get(f"/initiatives/{initiative.id}{query}")
    assert response.status_code == 200
    return response.text


def label(state: State) -> str:
    return fi(lifecycle.STATE_LABELS[state])


def day(value: date) -> str:
    with use_language("fi"):
        return fmt_date(value)


def is_move(node, action: str) -> bool:
    form = form_of(node)
    return form is not None and form.attrs["action"].endswith(f"/transitions/{action}")


def test_a_draft_shows_its_path_and_submitting_comes_first(client, session, world):
    initiative = make_initiative(session, world.chair, world.house, State.draft)
    session.commit()
    html = page(client, session, world.chair, initiative)
    shown = steps(html, STEPS)
    assert [s.label for s in shown] == [
        label(s)
        for s in (
            State.draft,
            State.submitted,
            State.received,
            State.in_preparation,
            State.answered,
            State.implemented,
            State.evaluated,
        )
    ]
    now = current_step(html, STEPS)
    assert now.label == label(State.draft)
    assert now.state == fi("Now") and world.chair.name in now.text
    assert all(s.state == fi("Not started") for s in shown[1:])
    # The one action expected now is the first in the page's main content, and primary.
    action = first_action(html)
    assert is_move(action, "submit") and "hds-button--primary" in action.classes
    # Withdrawing is there, but apart, folded under "More actions", secondary and confirmed.
    withdraw = next(b for b in parse(html).find_all("button") if is_move(b, "withdraw"))
    assert "hds-button--secondary" in withdraw.classes
    assert withdraw.inside("details")
    more = parse(html).find("details", "more-actions")
    assert more.find("summary").text() == fi("More actions")
    assert more.find("input", id="field-withdraw-confirm").attrs["name"] == "confirm"


def test_submitting_confirms_who_received_it_and_by_when(client, session, world):
    initiative = make_initiative(session, world.chair, world.house, State.draft)
    session.commit()
    chair = client.login_as(session, world.chair)
    response = chair.submit(
        f"/initiatives/{initiative.id}/transitions/submit", {"version": str(initiative.version)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/initiatives/{initiative.id}?done=submit"
    session.expire_all()
    initiative = session.get(Initiative, initiative.id)
    assert initiative.state == State.submitted and initiative.receipt_due_on is not None
    html = chair.get(response.headers["location"]).text
    main = parse(html).find("main")
    notice = main.find("section", "hds-notification--success")
    assert notice.attrs["role"] == "status"
    assert notice.find("h2").text() == fi("The initiative has been submitted")
    recipient = fi("the property manager %(name)s", name=world.manager.name)
    body = fi(
        "%(recipient)s has received it and must acknowledge receipt by %(date)s.",
        recipient=recipient[:1].upper() + recipient[1:],
        date=day(initiative.receipt_due_on),
    )
    assert notice.text() == f"{fi('The initiative has been submitted')} {body}"
    assert world.manager.name in body and day(initiative.receipt_due_on) in body
    # The notice comes before the rest of the content, after the heading.
    assert main.walk().index(notice) < main.walk().index(main.find("ol", id=STEPS))

    now = current_step(html, STEPS)
    assert now.label == label(State.submitted)
    assert fi("With: %(holder)s", holder=recipient) in now.text
    assert fi("Receipt to be acknowledged by") in now.text
    assert day(initiative.receipt_due_on) in now.text
    assert not any(s.overdue for s in steps(html, STEPS))
    assert says_done(steps(html, STEPS)[0])  # the draft step, in words

    # The same address later, once the initiative has moved on, confirms nothing.
    manager = client.login_as(session, world.manager)
    version = str(initiative.version)
    url = f"/initiatives/{initiative.id}/transitions/receive"
    assert manager.submit(url, {"version": version}).status_code == 303
    html = page(client, session, world.chair, initiative, "?done=submit")
    assert "hds-notification--success" not in html
    assert "hds-notification--success" not in page(
        client, session, world.chair, initiative, "?done=nonsense"
    )


def test_an_overdue_receipt_is_said_in_words_and_receiving_comes_first(client, session, world):
    # make_initiative puts a submitted initiative's receipt 6 days late.
    initiative = make_initiative(session, world.chair, world.house, State.submitted)
    session.commit()
    html = page(client, session, world.manager, initiative)
    now = current_step(html, STEPS)
    assert now.label == label(State.submitted)
    with use_language("fi"):
        late = ngettext("Overdue by %(num)s day", "Overdue by %(num)s days", 6)
    assert str(escape(late)) in html and late in now.text and now.overdue
    assert day(date.today() - timedelta(days=6)) in now.text
    action = first_action(html)
    assert is_move(action, "receive") and "hds-button--primary" in action.classes
    # The filer has nothing to do now: no primary action; withdrawing stays folded away.
    html = page(client, session, world.chair, initiative)
    buttons = parse(html).find("section", "next-actions").find_all("button")
    assert buttons and all("hds-button--primary" not in b.classes for b in buttons)
    assert all(b.inside("details") for b in buttons)


def test_received_the_answer_is_due_and_answering_comes_first(client, session, world):
    initiative = make_initiative(session, world.chair, world.house, State.received)
    session.commit()
    html = page(client, session, world.manager, initiative)
    now = current_step(html, STEPS)
    assert now.label == label(State.received)
    assert fi("Answer due by") in now.text
    assert day(date.today() + timedelta(days=45)) in now.text
    assert not now.overdue
    action = first_action(html)
    assert is_move(action, "answer") and "hds-button--primary" in action.classes
    # Assigning is offered too, folded, with a secondary button.
    assign = next(b for b in parse(html).find_all("button") if is_move(b, "assign"))
    assert "hds-button--secondary" in assign.classes and assign.inside("details")
    # Done steps say so in words; in preparation is still to come.
    shown = steps(html, STEPS)
    assert [says_done(s) for s in shown[:3]] == [True, True, False]
    assert shown[3].state == fi("Not started")


def test_in_preparation_the_preparer_has_it(client, session, world):
    initiative = make_initiative(
        session, world.chair, world.house, State.in_preparation, assignee_id=world.preparer.id
    )
    session.commit()
    html = page(client, session, world.chair, initiative)
    now = current_step(html, STEPS)
    assert now.label == label(State.in_preparation)
    holder = fi("the preparer %(name)s", name="Valmistelija Virtanen")
    assert fi("With: %(holder)s", holder=holder) in now.text
    assert fi("Answer due by") in now.text
    # The preparer is expected to answer; the manager who assigned it no longer is.
    action = first_action(page(client, session, world.preparer, initiative))
    assert is_move(action, "answer") and "hds-button--primary" in action.classes
    html = page(client, session, world.manager, initiative)
    buttons = parse(html).find("section", "next-actions").find_all("button")
    assert {form_of(b).attrs["action"].rsplit("/", 1)[1] for b in buttons} == {"assign", "answer"}
    assert all("hds-button--secondary" in b.classes for b in buttons)


def test_an_answer_without_preparation_skips_that_step(client, session, world):
    initiative = make_initiative(session, world.chair, world.house, State.answered)
    session.commit()
    html = page(client, session, world.manager, initiative)
    shown = steps(html, STEPS)
    preparation = next(s for s in shown if s.label == label(State.in_preparation))
    assert "stepper__step--skipped" in preparation.classes
    assert preparation.state == fi("Skipped")
    now = current_step(html, STEPS)
    assert now.label == label(State.answered)
    assert fi("Outcome:") in now.text
    action = first_action(html)
    assert is_move(action, "implement") and "hds-button--primary" in action.classes


def test_a_rejection_ends_the_path_at_the_answer(client, session, world):
    initiative = make_initiative(
        session, world.chair, world.house, State.answered, outcome=Outcome.rejected
    )
    session.commit()
    html = page(client, session, world.chair, initiative)
    shown = steps(html, STEPS)
    assert shown[-1].label == label(State.answered) and shown[-1].current
    assert label(State.implemented) not in [s.label for s in shown]
    assert says_done(shown[-1])
    assert fi("With: %(holder)s", holder="").strip() not in shown[-1].text  # nobody has it


def test_implemented_the_chair_evaluates_first_then_it_is_evaluated(client, session, world):
    review = date.today() + timedelta(days=30)
    initiative = make_initiative(
        session, world.chair, world.house, State.implemented, review_on=review
    )
    session.commit()
    html = page(client, session, world.chair, initiative)
    now = current_step(html, STEPS)
    assert now.label == label(State.implemented)
    assert fi("Outcome to be reviewed on") in now.text and day(review) in now.text
    action = first_action(html)
    assert is_move(action, "evaluate") and "hds-button--primary" in action.classes

    initiative.state = State.evaluated
    session.add(initiative)
    session.commit()
    html = page(client, session, world.resident, initiative)
    shown = steps(html, STEPS)
    assert shown[-1].current and shown[-1].label == label(State.evaluated)
    assert all(says_done(s) or s.state == fi("Skipped") for s in shown)


def test_a_withdrawn_initiative_ends_where_it_was_withdrawn(client, session, world):
    initiative = make_initiative(session, world.chair, world.house, State.submitted)
    session.commit()
    chair = client.login_as(session, world.chair)
    url = f"/initiatives/{initiative.id}/transitions/withdraw"
    version = str(initiative.version)
    # Withdrawing still needs its box ticked.
    refused = chair.submit(url, {"version": version})
    assert refused.status_code == 422 and 'id="error-withdraw-confirm"' in refused.text
    # The error is shown in the open "More actions", not hidden in a closed one.
    assert "open" in parse(refused.text).find("details", "more-actions").attrs
    done = chair.submit(url, {"version": version, "confirm": "on"})
    assert done.status_code == 303
    html = chair.get(done.headers["location"]).text
    notice = parse(html).find("section", "hds-notification--success")
    assert notice.text() == fi("The initiative has been withdrawn")
    shown = steps(html, STEPS)
    assert [s.label for s in shown] == [
        label(State.draft),
        label(State.submitted),
        label(State.withdrawn),
    ]
    assert shown[-1].current and says_done(shown[-1])
    assert "next-actions" not in html


def test_a_suggestion_and_its_declining(client, session, world):
    suggestion = make_initiative(
        session, None, world.house, State.suggested, suggested_by_id=world.resident.id
    )
    session.commit()
    html = page(client, session, world.chair, suggestion)
    shown = steps(html, STEPS)
    assert shown[0].label == label(State.suggested) and shown[0].current
    assert shown[1].label == label(State.draft)
    holder = fi("the resident committee of %(house)s", house="Koivukuja")
    assert fi("With: %(holder)s", holder=holder) in shown[0].text
    action = first_action(html)
    assert is_move(action, "take_up") and "hds-button--primary" in action.classes
    decline = next(b for b in parse(html).find_all("button") if is_move(b, "decline"))
    assert decline.inside("details") and "hds-button--secondary" in decline.classes
    assert 'id="field-decline-confirm"' in html

    suggestion.state = State.declined
    session.add(suggestion)
    session.commit()
    html = page(client, session, world.resident, suggestion)
    assert [s.label for s in steps(html, STEPS)] == [
        label(State.suggested),
        label(State.declined),
    ]
    assert current_step(html, STEPS).label == label(State.declined)


def test_a_company_initiative_is_with_management(client, session, world):
    initiative = make_initiative(session, world.chair, None, State.submitted)
    session.commit()
    html = page(client, session, world.management, initiative)
    now = current_step(html, STEPS)
    assert fi("With: %(holder)s", holder=fi("Haso's management")) in now.text
