"""Newsletter pages: writing per role and house, field errors, preview, test send, scheduling,
the archive, unsubscribing (also one-click, RFC 8058) and the whole way to the SMTP server."""

import html
import re
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from app.jobs import newsletters as newsletter_jobs
from app.models.committees import Position
from app.models.mail import Delivery
from app.models.newsletters import Frequency, Newsletter, NewsletterKind, NewsletterStatus, Topic
from app.models.people import StaffKind
from app.models.types import utcnow
from app.services.mail import delivery as mail_service
from app.services.mail import preferences, unsubscribe
from tests.support import (
    PortalClient,
    fi,
    make_committee,
    make_house,
    make_manager,
    make_resident,
    make_staff,
)


@pytest.fixture()
def world(session):
    house_a = make_house(session, name="Koivukuja")
    house_b = make_house(session, name="Vaahterakuja")
    chair_a = make_resident(session, house_a)
    make_committee(session, house_a, [(chair_a, Position.chair)])
    chair_b = make_resident(session, house_b)
    make_committee(session, house_b, [(chair_b, Position.chair)])
    people = SimpleNamespace(
        house_a=house_a,
        house_b=house_b,
        chair_a=chair_a,
        chair_b=chair_b,
        resident_a=make_resident(session, house_a),
        resident_b=make_resident(session, house_b),
        manager_b=make_manager(session, house_b),
        management=make_staff(session, StaffKind.management),
    )
    session.commit()
    return people


def as_user(client, session, person):
    client.cookies.clear()
    client.login_as(session, person)


def bulletin(session, world, house=None, **fields):
    values = {
        "kind": NewsletterKind.house,
        "house_id": (house or world.house_a).id,
        "title": "Pihatalkoot",
        "body_md": "Talkoot **lauantaina** klo 10.",
    }
    values.update(fields)
    newsletter = Newsletter(**values)
    session.add(newsletter)
    session.commit()
    return newsletter


def later(hours=2):
    """A datetime-local value in Helsinki time."""
    return (utcnow() + timedelta(hours=hours)).astimezone().strftime("%Y-%m-%dT%H:%M")


def test_a_committee_writes_its_own_house_bulletin_only(client, session, world):
    as_user(client, session, world.chair_a)
    form = client.get("/newsletters/new")
    assert form.status_code == 200 and form.text.count("<h1") == 1
    # Only the kind and the house the chair may write are offered.
    assert 'value="house"' in form.text and 'value="chairs"' not in form.text
    assert f'value="{world.house_a.id}"' in form.text
    assert f'value="{world.house_b.id}"' not in form.text

    other = {"kind": "house", "house_id": str(world.house_b.id), "title": "Naapurille"}
    refused = client.submit("/newsletters/new", other)
    assert refused.status_code == 422
    assert 'id="error-house_id"' in refused.text and 'aria-describedby="error-house_id' in (
        refused.text
    )
    chairs = client.submit("/newsletters/new", {"kind": "chairs", "title": "Kaikille"})
    assert chairs.status_code == 422 and 'id="error-kind"' in chairs.text

    own = {
        "kind": "house",
        "house_id": str(world.house_a.id),
        "title": "Pihatalkoot",
        "body_md": "Tervetuloa!",
        "participation": "implementation",
        "include_events": "on",
    }
    response = client.submit("/newsletters/new", own)
    assert response.status_code == 303
    created = session.exec(select(Newsletter)).one()
    assert response.headers["location"] == f"/newsletters/{created.id}"
    assert (created.house_id, created.include_events, created.include_initiatives) == (
        world.house_a.id,
        True,
        False,
    )
    page = client.get(f"/newsletters/{created.id}")
    assert page.status_code == 200 and "Tervetuloa!" in page.text
    assert fi("Send a test to myself") in page.text


def test_residents_and_other_houses_cannot_write_or_see_drafts(client, session, world):
    draft = bulletin(session, world)
    as_user(client, session, world.resident_a)
    assert client.get("/newsletters/new").status_code == 403
    assert client.submit("/newsletters/new", {"kind": "house"}).status_code == 403
    assert client.get(f"/newsletters/{draft.id}").status_code == 404  # a draft: not theirs
    assert client.get(f"/newsletters/{draft.id}/edit").status_code == 403
    assert fi("New newsletter") not in client.get("/newsletters").text
    as_user(client, session, world.manager_b)
    assert client.get(f"/newsletters/{draft.id}").status_code == 404
    assert client.submit(f"/newsletters/{draft.id}/schedule", {}).status_code == 403
    as_user(client, session, world.management)
    assert client.get(f"/newsletters/{draft.id}").status_code == 200


def test_field_errors_are_tied_to_their_fields(client, session, world):
    as_user(client, session, world.management)
    response = client.submit("/newsletters/new", {"kind": "residents", "title": ""})
    assert response.status_code == 422
    assert 'href="#field-title"' in response.text and 'id="error-title"' in response.text
    assert fi("This field is required.") in response.text
    missing_house = client.submit("/newsletters/new", {"kind": "house", "title": "X"})
    assert missing_house.status_code == 422 and 'id="error-house_id"' in missing_house.text
    assert session.exec(select(Newsletter)).first() is None


def test_edit_keeps_changes_on_a_conflict(client, session, world):
    draft = bulletin(session, world)
    as_user(client, session, world.chair_a)
    edit = client.get(f"/newsletters/{draft.id}/edit")
    assert edit.status_code == 200 and 'name="version" value="1"' in edit.text
    form = {"title": "Syystalkoot", "body_md": "Uusi", "participation": "information"}
    assert (
        client.submit(f"/newsletters/{draft.id}/edit", {**form, "version": "1"}).status_code == 303
    )
    assert (draft.title, draft.include_events, draft.version) == ("Syystalkoot", False, 2)
    stale = client.submit(
        f"/newsletters/{draft.id}/edit", {**form, "title": "Vanha", "version": "1"}
    )
    assert stale.status_code == 409 and 'value="Vanha"' in stale.text


def test_preview_renders_the_unsaved_text_safely(client, session, world):
    draft = bulletin(session, world)
    as_user(client, session, world.chair_a)
    form = {
        "title": "Esikatselu",
        "body_md": "Uusi **teksti** <script>alert(1)</script> [x](javascript:alert(1))",
        "version": "1",
    }
    response = client.submit(f"/newsletters/{draft.id}/preview", form)
    assert response.status_code == 200
    srcdocs = re.findall(r'sandbox srcdoc="([^"]*)"', response.text)
    assert len(srcdocs) == 3  # one per language
    for srcdoc in srcdocs:
        shown = html.unescape(srcdoc)
        assert "<strong>teksti</strong>" in shown and "<script>alert" not in shown
        assert 'href="javascript' not in shown
    assert 'value="Esikatselu"' in response.text  # the form keeps what was typed
    session.refresh(draft)
    assert draft.title == "Pihatalkoot"  # nothing saved


def test_schedule_in_the_past_is_refused_at_the_field(client, session, world):
    draft = bulletin(session, world)
    as_user(client, session, world.chair_a)
    url = f"/newsletters/{draft.id}/schedule"
    past = client.submit(url, {"scheduled_at": later(-2), "version": "1"})
    assert past.status_code == 422
    assert 'id="error-scheduled_at"' in past.text and 'type="datetime-local"' in past.text
    assert fi("Choose a time in the future.") in past.text
    nothing = client.submit(url, {"version": "1"})
    assert nothing.status_code == 422 and 'id="error-scheduled_at"' in nothing.text
    session.refresh(draft)
    assert draft.status == NewsletterStatus.draft

    when = later(3)
    confirmed = {"scheduled_at": when, "version": "1", "confirm_recipients": "2"}
    assert client.submit(url, confirmed).status_code == 303
    session.refresh(draft)
    assert draft.status == NewsletterStatus.scheduled
    assert abs(draft.scheduled_at - (utcnow() + timedelta(hours=3))) < timedelta(minutes=2)
    page = client.get(f"/newsletters/{draft.id}")
    assert fi("Cancel the sending") in page.text
    # A destructive button looks secondary, never like the main action.
    assert "hds-button--danger" not in page.text
    cancel = client.submit(f"/newsletters/{draft.id}/cancel", {"version": str(draft.version)})
    assert cancel.status_code == 303
    session.refresh(draft)
    assert draft.status == NewsletterStatus.cancelled


def test_an_empty_audience_is_refused_with_a_message(client, session, world):
    empty_house = make_house(session)
    manager = make_manager(session, empty_house)
    draft = bulletin(session, world, empty_house)
    as_user(client, session, manager)
    response = client.submit(
        f"/newsletters/{draft.id}/schedule", {"send_now": "on", "version": "1"}
    )
    assert response.status_code == 422 and 'role="alert"' in response.text
    session.refresh(draft)
    assert draft.status == NewsletterStatus.draft


def test_a_test_send_reaches_only_the_writer(client, session, world, smtp):
    draft = bulletin(session, world)
    as_user(client, session, world.chair_a)
    response = client.submit(f"/newsletters/{draft.id}/test")
    assert response.status_code == 303 and "tested=1" in response.headers["location"]
    again = client.submit(f"/newsletters/{draft.id}/test")
    assert again.status_code == 303
    received = smtp.to(world.chair_a.email)
    assert len(received) == 2 and len(smtp.messages) == 2  # each test send is a new mail
    assert "Talkoot lauantaina klo 10." in smtp.text_of(received[0])
    assert draft.status == NewsletterStatus.draft
    page = client.get(response.headers["location"])
    assert world.chair_a.email in page.text


def test_the_archive_shows_sent_newsletters_by_kind(client, session, world):
    sent = bulletin(
        session, world, status=NewsletterStatus.sent, sent_at=utcnow(), title="Talotiedote"
    )
    residents = Newsletter(
        kind=NewsletterKind.residents,
        title="Asukaskirje",
        status=NewsletterStatus.sent,
        sent_at=utcnow(),
    )
    session.add(residents)
    bulletin(session, world, title="Luonnos")
    session.commit()
    as_user(client, session, world.resident_a)
    page = client.get("/newsletters")
    assert (
        page.status_code == 200 and '<a href="/newsletters" aria-current="page">' in page.text
    )  # the menu marks it
    assert "Talotiedote" in page.text and "Asukaskirje" in page.text and "Luonnos" not in page.text
    only = client.get("/newsletters?kind=residents").text
    assert "Asukaskirje" in only and "Talotiedote" not in only
    read = client.get(f"/newsletters/{sent.id}")
    assert read.status_code == 200 and "<strong>lauantaina</strong>" in read.text
    assert fi("Send a test to myself") not in read.text
    as_user(client, session, world.resident_b)
    assert client.get(f"/newsletters/{sent.id}").status_code == 404


def test_unsubscribe_page_needs_no_login_and_a_bad_token_is_404(client, session, world):
    token = unsubscribe.make(world.resident_a.id, Topic.house_bulletin)
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert fi("House bulletin") in page.text
    assert preferences.frequency(session, world.resident_a.id, Topic.house_bulletin) == (
        Frequency.immediate
    )  # a visit alone (a mail scanner) changes nothing
    bad = client.get(f"/unsubscribe/{token[:-2]}xx")
    assert bad.status_code == 404 and fi("This unsubscribe link is not valid") in bad.text
    assert client.post(f"/unsubscribe/{token[:-2]}xx").status_code == 404


def test_only_the_unsubscribe_route_does_without_the_csrf_token(app, session, world):
    token = unsubscribe.make(world.resident_a.id, Topic.house_bulletin)
    with PortalClient(app) as bare:
        done = bare.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200 and fi("Unsubscribe") in done.text
        bare.login_as(session, world.management)
        assert bare.post("/newsletters/new", data={"kind": "residents"}).status_code == 403
    assert preferences.frequency(session, world.resident_a.id, Topic.house_bulletin) == (
        Frequency.off
    )


def test_a_newsletter_reaches_the_smtp_server_and_unsubscribes_in_one_click(
    app, client, session, connection, world, smtp
):
    as_user(client, session, world.management)
    created = client.submit(
        "/newsletters/new",
        {"kind": "residents", "title": "Kevään kirje", "body_md": "Hei **kaikki**!"},
    )
    newsletter_id = int(created.headers["location"].rsplit("/", 1)[1])
    scheduled = client.submit(
        f"/newsletters/{newsletter_id}/schedule",
        {"send_now": "on", "version": "1", "confirm_recipients": "4"},
    )
    assert scheduled.status_code == 303
    session.commit()

    assert newsletter_jobs.send_due_newsletters(connection) == 4
    mail_service.send_pending(connection)

    people = [world.chair_a, world.chair_b, world.resident_a, world.resident_b]
    assert len(smtp.messages) == 4
    for person in people:
        [message] = smtp.to(person.email)
        assert message["Subject"] == "Kevään kirje"
        assert message.get_body(preferencelist=("html",)) is not None
        assert "<strong>kaikki</strong>" in message.get_body(preferencelist=("html",)).get_content()
        assert "Hei kaikki!" in smtp.text_of(message)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].startswith("<http")
    page = client.get(f"/newsletters/{newsletter_id}")
    assert "newsletter-progress" in page.text and "<td>4</td>" in page.text

    # The mail provider's unsubscribe button: a POST to the header's address, no cookies.
    [to_resident] = smtp.to(world.resident_a.email)
    address = to_resident["List-Unsubscribe"].strip("<>")
    with PortalClient(app) as provider:
        answer = provider.post(
            urlsplit(address).path,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 200
    assert preferences.frequency(session, world.resident_a.id, Topic.residents_newsletter) == (
        Frequency.off
    )

    second = client.submit(
        "/newsletters/new", {"kind": "residents", "title": "Kesän kirje", "body_md": "Hei!"}
    )
    second_id = int(second.headers["location"].rsplit("/", 1)[1])
    client.submit(
        f"/newsletters/{second_id}/schedule",
        {"send_now": "on", "version": "1", "confirm_recipients": "3"},
    )
    session.commit()
    assert newsletter_jobs.send_due_newsletters(connection) == 3
    mail_service.send_pending(connection)
    assert len(smtp.to(world.resident_a.email)) == 1  # only the first one
    assert len(smtp.to(world.resident_b.email)) == 2
    assert (
        session.exec(select(Delivery).where(Delivery.newsletter_id == second_id))
        .all()[0]
        .message_key
        == f"newsletter:{second_id}"
    )


def test_the_job_is_registered_every_minute():
    from app import scheduler

    assert (
        "newsletters_send",
        newsletter_jobs.send_due_newsletters,
        "interval",
        {"minutes": 1},
    ) in scheduler.JOBS
