"""Every mail as people expect it: dated, in the reader's language, an HTML document with its
subject as the title, and one signature naming the sender with links to the portal and to the
reader's mail choices, in HTML and in text alike."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from sqlmodel import select

from app.jinja import TEMPLATES_DIR
from app.models.mail import Delivery
from app.models.newsletters import DigestItem, Frequency, Topic
from app.models.people import Language, Person
from app.services.mail import delivery as mail
from app.services.mail import digests, preferences
from tests.support import make_person

SENT_AT = datetime(2031, 3, 4, 10, 30, tzinfo=UTC)


def html_of(message) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def test_a_mail_is_dated_and_says_its_language(session, connection, smtp):
    swede = make_person(session, language=Language.sv)
    english = make_person(session, language=Language.en)
    for person in (swede, english):
        mail.queue(session, "k:layout:1", person, "login_link", url="https://x.example", minutes=15)
    session.commit()
    assert mail.send_pending(connection, now=SENT_AT) == 2
    [to_swede] = smtp.to(swede.email)
    [to_english] = smtp.to(english.email)
    for message in (to_swede, to_english):
        # RFC 5322: the time it was sent, with its zone (Helsinki time).
        assert parsedate_to_datetime(message["Date"]) == SENT_AT
        assert message["Date"].endswith("+0200")
    assert to_swede["Content-Language"] == "sv"
    assert to_english["Content-Language"] == "en"


def test_a_row_queued_without_its_language_takes_the_one_its_html_declares(session, settings):
    person = make_person(session, language=Language.sv)
    delivery = mail.queue(session, "k:layout:2", person, "login_link", url="https://x", minutes=1)
    assert delivery is not None and delivery.language == "sv"
    delivery.language = ""  # as the rows written before deliveries kept their language
    assert mail.build_message(delivery, settings)["Content-Language"] == "sv"
    delivery.body_html = ""
    assert mail.build_message(delivery, settings)["Content-Language"] == settings.default_language


def test_html_is_a_document_with_the_subject_as_title_and_the_signature(
    session, connection, smtp, settings, monkeypatch
):
    monkeypatch.setattr(settings, "mail_from", "Asukasportaali <noreply@portaali.example>")
    monkeypatch.setattr(settings, "organisation_name", "Haso")
    monkeypatch.setattr(settings, "base_url", "https://portaali.example/")
    person = make_person(session, language=Language.en, name="Greta Lindqvist")
    mail.queue(session, "k:layout:3", person, "login_link", url="https://x.example", minutes=15)
    session.commit()
    mail.send_pending(connection)
    [message] = smtp.to(person.email)

    html = html_of(message)
    assert html.startswith('<!doctype html>\n<html lang="en">')
    head = html[html.index("<head>") : html.index("</head>")]
    assert '<meta charset="utf-8">' in head
    assert f"<title>{message['Subject']}</title>" in head
    assert html.count("<body>") == 1 and html.rstrip().endswith("</html>")
    footer = html[html.index("<footer>") : html.index("</footer>")]
    assert "Asukasportaali · Haso" in footer
    # Links into the portal name the reader's language for pages reached before logging in.
    assert '<a href="https://portaali.example/?lang=en">' in footer
    assert '<a href="https://portaali.example/account/notifications?lang=en">' in footer

    text = smtp.text_of(message).replace("\r\n", "\n")
    body, _, signature = text.rpartition("\n-- \n")
    assert "Greta Lindqvist" in body and "Asukasportaali · Haso" in body
    assert "https://portaali.example/" in signature
    assert "https://portaali.example/account/notifications?lang=en" in signature


def test_an_outside_address_gets_no_link_to_mail_choices(settings):
    outsider = Person(name="Ulla Ulkopuolinen", email="ulla@example.com", language=Language.en)
    _subject, text, html = mail.render(
        "login_link", "en", person=outsider, url="https://x.example", minutes=15
    )
    assert "/account/notifications" not in text and "/account/notifications" not in html
    assert settings.base_url.rstrip("/") in text  # the portal is still named


def test_a_digest_line_has_no_signature_of_its_own(session):
    person = make_person(session)
    preferences.choose(session, person.id, Topic.event_reminders, Frequency.daily)
    digests.deliver(
        session, person, Topic.event_reminders, "k:layout:4", "login_link", url="https://x"
    )
    [item] = session.exec(select(DigestItem).where(DigestItem.person_id == person.id)).all()
    assert "\n-- " not in item.body_text and "/account/notifications" not in item.body_text
    assert session.exec(select(Delivery).where(Delivery.recipient == person.email)).all() == []


def test_every_mail_template_leaves_the_document_to_the_layout():
    """A template that wrote its own <html> would nest documents inside the layout's."""
    templates = [p for p in Path(TEMPLATES_DIR, "mail").glob("*.html") if p.name[0] != "_"]
    assert len(templates) > 20
    for path in templates:
        source = path.read_text(encoding="utf-8").lower()
        assert "<html" not in source and "<body" not in source, path.name


def test_every_link_into_the_portal_carries_the_readers_language():
    from app.config import get_settings
    from app.services.mail.rendering import with_language

    base = get_settings().base_url.rstrip("/")
    text = f"See {base}/initiatives/3. And {base}/surveys/2#results, {base}/x?lang=fi"
    assert with_language(text, "sv", html=False) == (
        f"See {base}/initiatives/3?lang=sv. And {base}/surveys/2?lang=sv#results, {base}/x?lang=fi"
    )
    html = (
        f'<a href="{base}/budget-cycles?year=2027">x</a> <a href="https://elsewhere.example/">y</a>'
    )
    assert with_language(html, "en", html=True) == (
        f'<a href="{base}/budget-cycles?year=2027&amp;lang=en">x</a> '
        '<a href="https://elsewhere.example/">y</a>'
    )
