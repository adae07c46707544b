"""The way to sending a newsletter on its pages: writing it in three languages, the previews per
language, the confirmation step (counts, channel, languages, names; only its button sends),
cancelling a scheduled one, and the pages a reader reaches from the mail in their language."""

import html
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app.i18n import gettext, use_language
from app.jobs import newsletters as newsletter_jobs
from app.models.mail import Delivery
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus, Topic
from app.models.people import Language, StaffKind
from app.models.types import utcnow
from app.services.mail import delivery as mail_service
from app.services.mail import unsubscribe
from tests.support import PortalClient, fi, make_house, make_person, make_resident, make_staff


def sv(message, **params):
    with use_language("sv"):
        return gettext(message, **params)


@pytest.fixture()
def world(session):
    house = make_house(session, name="Koivukuja")
    w = SimpleNamespace(
        house=house,
        aino=make_resident(session, house, make_person(session, name="Aino Aaltonen")),
        bjorn=make_resident(
            session, house, make_person(session, name="Björn Berg", language=Language.sv)
        ),
        carl=make_resident(
            session, house, make_person(session, name="Carl Carter", language=Language.en)
        ),
        management=make_staff(session, StaffKind.management),
    )
    w.newsletter = Newsletter(
        kind=NewsletterKind.house,
        house_id=house.id,
        title="Pihatalkoot",
        body_md="Talkoot **lauantaina**.",
        title_sv="Städtalko",
        body_md_sv="Talko **på lördag**.",
    )
    session.add(w.newsletter)
    session.commit()
    return w


@pytest.fixture()
def boss(client, session, world):
    client.login_as(session, world.management)
    return client


def later(hours=3):
    return (utcnow() + timedelta(hours=hours)).astimezone().strftime("%Y-%m-%dT%H:%M")


def test_writing_in_three_languages_with_a_preview_of_each(boss, session, world):
    form = boss.get(f"/newsletters/{world.newsletter.id}/edit")
    for name in ("title_sv", "body_md_sv", "title_en", "body_md_en"):
        assert f'id="field-{name}"' in form.text
    values = {
        "title": "Pihatalkoot",
        "body_md": "Talkoot **lauantaina**.",
        "title_sv": "Städtalko",
        "body_md_sv": "Talko **på lördag**.",
        "body_md_en": "Clean-up **on Saturday**.",
        "version": "1",
    }
    missing = boss.submit(f"/newsletters/{world.newsletter.id}/edit", values)
    assert missing.status_code == 422 and 'id="error-title_en"' in missing.text

    preview = boss.submit(
        f"/newsletters/{world.newsletter.id}/preview", {**values, "title_en": "Clean-up"}
    )
    frames = [html.unescape(f) for f in re.findall(r'srcdoc="([^"]*)"', preview.text)]
    assert len(frames) == 3
    finnish, swedish, english = frames  # the viewer's language (Finnish) first
    assert '<html lang="sv">' in swedish and "Talko <strong>på lördag</strong>." in swedish
    assert '<html lang="en">' in english and "Clean-up <strong>on Saturday</strong>." in english
    assert "Talkoot <strong>lauantaina</strong>." in finnish

    saved = boss.submit(
        f"/newsletters/{world.newsletter.id}/edit", {**values, "title_en": "Clean-up"}
    )
    assert saved.status_code == 303
    session.refresh(world.newsletter)
    assert (world.newsletter.title_en, world.newsletter.body_md_sv) == (
        "Clean-up",
        "Talko **på lördag**.",
    )


def test_the_confirmation_shows_counts_channel_languages_and_names(boss, session, world):
    page = boss.get(f"/newsletters/{world.newsletter.id}")
    assert f'href="/newsletters/{world.newsletter.id}/confirm"' in page.text  # send now
    assert f'action="/newsletters/{world.newsletter.id}/confirm"' in page.text  # a time
    # The previews: one per language, the one without a text of its own says so.
    assert page.text.count('class="newsletter-preview"') == 3

    confirm = boss.get(f"/newsletters/{world.newsletter.id}/confirm")
    assert confirm.status_code == 200 and confirm.text.count("<h1") == 1
    text = html.unescape(confirm.text)
    assert 'name="confirm_recipients" value="3"' in confirm.text
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="number">(\d+)</td>', text)
    assert rows == [(fi("Finnish"), "1"), (fi("Swedish"), "1"), (fi("English"), "1")]
    assert fi("The Finnish text, as no text has been written in this language") in text
    assert "Aino Aaltonen, Björn Berg, Carl Carter" in text
    assert 'name="send_now" value="on"' in confirm.text
    # Seeing it changes nothing.
    session.refresh(world.newsletter)
    assert world.newsletter.status == NewsletterStatus.draft

    when = later()
    scheduled = boss.get(f"/newsletters/{world.newsletter.id}/confirm?scheduled_at={when}")
    assert scheduled.status_code == 200
    assert f'name="scheduled_at" value="{when}"' in scheduled.text
    past = boss.get(f"/newsletters/{world.newsletter.id}/confirm?scheduled_at={later(-3)}")
    assert past.status_code == 422 and 'id="error-scheduled_at"' in past.text


def test_a_send_without_confirmation_sends_nothing(boss, session, connection, world, smtp):
    url = f"/newsletters/{world.newsletter.id}/schedule"
    refused = boss.submit(url, {"send_now": "on", "version": "1"})
    assert refused.status_code == 422
    assert 'href="#field-confirm_recipients"' in refused.text
    assert 'id="field-confirm_recipients"' in refused.text  # the confirm button, to press
    assert 'id="error-confirm_recipients"' in refused.text
    wrong = boss.submit(url, {"send_now": "on", "version": "1", "confirm_recipients": "307"})
    assert wrong.status_code == 422 and 'value="3"' in wrong.text  # the new number to confirm
    session.commit()
    assert newsletter_jobs.send_due_newsletters(connection) == 0
    mail_service.send_pending(connection)
    assert smtp.messages == []
    session.refresh(world.newsletter)
    assert world.newsletter.status == NewsletterStatus.draft

    sent = boss.submit(url, {"send_now": "on", "version": "1", "confirm_recipients": "3"})
    assert sent.status_code == 303
    session.commit()
    assert newsletter_jobs.send_due_newsletters(connection) == 3
    mail_service.send_pending(connection)
    assert len(smtp.messages) == 3
    assert smtp.to(world.bjorn.email)[0]["Subject"] == "Städtalko"


def test_a_scheduled_newsletter_is_cancelled_on_its_page(boss, session, connection, world):
    url = f"/newsletters/{world.newsletter.id}/schedule"
    form = {"scheduled_at": later(1), "version": "1", "confirm_recipients": "3"}
    assert boss.submit(url, form).status_code == 303
    page = boss.get(f"/newsletters/{world.newsletter.id}")
    cancel = re.search(r'<form method="post" action="[^"]+/cancel">.*?</form>', page.text, re.S)
    assert cancel and "hds-button--secondary" in cancel.group(0)
    response = boss.submit(f"/newsletters/{world.newsletter.id}/cancel", {"version": "2"})
    assert response.status_code == 303
    session.refresh(world.newsletter)
    assert world.newsletter.status == NewsletterStatus.cancelled
    world.newsletter.scheduled_at = utcnow() - timedelta(minutes=1)  # its time has passed
    session.add(world.newsletter)
    session.commit()
    assert newsletter_jobs.send_due_newsletters(connection) == 0
    assert session.exec(select(Delivery)).all() == []


def test_the_unsubscribe_page_speaks_the_readers_language(app, session, world):
    token = unsubscribe.make(world.bjorn.id, Topic.house_bulletin)
    with PortalClient(app) as browser:
        # A Finnish browser opens a Swedish reader's link: the page is Swedish.
        page = browser.get(f"/unsubscribe/{token}", headers={"Accept-Language": "fi"})
        assert page.status_code == 200 and '<html lang="sv">' in page.text
        assert sv("Unsubscribe") in page.text and sv("House bulletin") in page.text
        done = browser.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
        assert '<html lang="sv">' in done.text
        assert 'href="/account/notifications?lang=sv"' in done.text
        # The pages before logging in follow the language the mail's links name.
        away = browser.get(f"/newsletters/{world.newsletter.id}?lang=sv")
        assert away.status_code == 303 and away.headers["location"].endswith("&lang=sv")
        login = browser.get(away.headers["location"])
        assert '<html lang="sv">' in login.text
    english = unsubscribe.make(world.carl.id, Topic.house_bulletin)
    with PortalClient(app) as browser:
        page = browser.get(f"/unsubscribe/{english}", headers={"Accept-Language": "sv"})
        assert '<html lang="en">' in page.text


def test_a_swedish_reader_reads_the_swedish_text_in_the_archive(app, session, world):
    world.newsletter.status = NewsletterStatus.sent
    world.newsletter.sent_at = utcnow()
    session.add(world.newsletter)
    session.commit()
    with PortalClient(app) as browser:
        browser.login_as(session, world.bjorn)
        page = browser.get(f"/newsletters/{world.newsletter.id}")
        assert "<h1>Städtalko</h1>" in page.text and "<strong>på lördag</strong>" in page.text
    with PortalClient(app) as browser:
        browser.login_as(session, world.carl)
        page = browser.get(f"/newsletters/{world.newsletter.id}")
        assert '<h1 lang="fi">Pihatalkoot</h1>' in page.text
        assert '<div class="newsletter-body" lang="fi">' in page.text
