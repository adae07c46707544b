"""The accessibility statement (public, three languages), the feedback form and the
administrators' list of feedback with the answer form."""

from pathlib import Path

import pytest
from sqlmodel import select

from app.i18n import LANGUAGES
from app.jinja import TEMPLATES_DIR
from app.models.accessibility import AccessibilityFeedback, FeedbackForm
from app.models.people import Language, StaffKind
from app.services.accessibility import feedback as accessibility
from app.services.mail import delivery as mail_service
from tests.support import make_person, make_staff

# What the act on digital services and the EU model statement require, per language.
REQUIRED = {
    "fi": [
        "Tämä saavutettavuusseloste koskee",
        "osittain",
        "Ei-saavutettava sisältö",
        "itsearvio",
        "axe-core",
        "1.12.2026",
        "Valvontamenettely",
        "Etelä-Suomen aluehallintovirasto",
    ],
    "sv": [
        "tillgänglighetsutlåtande",
        "delvis",
        "Innehåll som inte är tillgängligt",
        "egen bedömning",
        "axe-core",
        "1 dec. 2026",
        "Tillsynsförfarande",
        "Regionförvaltningsverket i Södra Finland",
    ],
    "en": [
        "Accessibility statement",
        "partially compliant",
        "Content that is not yet accessible",
        "self-assessment",
        "axe-core",
        "1 Dec 2026",
        "Enforcement procedure",
        "Regional State Administrative Agency for Southern Finland",
    ],
}
EVERY_LANGUAGE = [
    "WCAG 2.1",
    "306/2019",
    "Helsingin Asumisoikeus Oy",
    "SVG",
    "www.saavutettavuusvaatimukset.fi",
    "saavutettavuus@avi.fi",
    "0295 016 000",
    'href="/accessibility/feedback"',
    "asukasportaali@haso.fi",
]


def test_a_statement_partial_exists_for_every_language():
    for lang in LANGUAGES:
        assert (Path(TEMPLATES_DIR) / "accessibility" / f"_statement_{lang}.html").is_file()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_statement_is_public_and_complete_in_every_language(client, lang):
    page = client.get("/accessibility", headers={"Accept-Language": lang})
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    assert page.text.count("<h1") == 1
    for piece in REQUIRED[lang] + EVERY_LANGUAGE:
        assert piece in page.text, (lang, piece)


def test_every_page_links_to_the_statement(client, session):
    assert 'href="/accessibility"' in client.get("/login").text
    client.login_as(session, make_person(session))
    assert 'href="/accessibility"' in client.get("/").text


def test_an_anonymous_visitor_gets_errors_tied_to_the_fields(client, session):
    answer = client.submit("/accessibility/feedback", {"email": "not an address", "problem": ""})
    assert answer.status_code == 422
    assert 'aria-describedby="error-email' in answer.text
    assert 'aria-describedby="error-problem' in answer.text
    assert 'href="#field-problem"' in answer.text  # the error summary links to the field
    assert 'value="not an address"' in answer.text  # what was typed stays
    assert session.exec(select(AccessibilityFeedback)).all() == []


def test_anonymous_feedback_is_stored_and_reaches_the_administrators(
    client, session, connection, smtp
):
    admin = make_staff(session, StaffKind.admin, language=Language.en)
    session.commit()
    form = client.get("/accessibility/feedback", headers={"Accept-Language": "sv"})
    assert 'id="field-email"' in form.text and 'name="website"' in form.text
    answer = client.submit(
        "/accessibility/feedback",
        {
            "name": "Greta",
            "email": "greta@example.com",
            "page": "/calendar",
            "problem": "Liten text",
        },
        headers={"Accept-Language": "sv"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/accessibility/feedback?sent=1"
    feedback = session.exec(select(AccessibilityFeedback)).one()
    assert (feedback.name, feedback.email, feedback.language, feedback.page) == (
        "Greta",
        "greta@example.com",
        Language.sv,
        "/calendar",
    )
    assert 'role="status"' in client.get(answer.headers["location"]).text
    mail_service.send_pending(connection)
    [message] = smtp.to(admin.email)
    assert "Liten text" in smtp.text_of(message)
    assert "greta@example.com" in smtp.text_of(message)
    feedback = "http://127.0.0.1:8000/admin/accessibility-feedback"
    assert any(link.split("?")[0] == feedback for link in smtp.links(message))


def test_a_logged_in_person_is_prefilled_and_known(client, session):
    person = make_person(session, name="Erik Lindholm", email="erik@example.com")
    client.login_as(session, person)
    form = client.get("/accessibility/feedback")
    assert 'value="erik@example.com"' in form.text and 'value="Erik Lindholm"' in form.text
    answer = client.submit(
        "/accessibility/feedback",
        {"name": "Erik Lindholm", "email": "erik@example.com", "problem": "Fokus ei näy"},
    )
    assert answer.status_code == 303
    feedback = session.exec(select(AccessibilityFeedback)).one()
    assert (feedback.person_id, feedback.email, feedback.name) == (
        person.id,
        "erik@example.com",
        "Erik Lindholm",
    )


def test_a_bot_filling_the_hidden_field_is_thanked_and_ignored(client, session):
    answer = client.submit(
        "/accessibility/feedback",
        {"email": "bot@example.com", "problem": "Buy now", "website": "http://spam.example"},
    )
    assert answer.status_code == 303
    assert session.exec(select(AccessibilityFeedback)).all() == []


def test_the_administrator_lists_and_answers_and_the_sender_gets_the_answer(
    client, session, connection, smtp
):
    admin = make_staff(session, StaffKind.admin)
    feedback = accessibility.submit(
        session,
        FeedbackForm(email="greta@example.com", problem="Liten text"),
        None,
        "sv",
    )
    session.commit()
    client.login_as(session, admin)
    listing = client.get("/admin/accessibility-feedback")
    assert listing.status_code == 200
    assert f'href="/admin/accessibility-feedback/{feedback.id}"' in listing.text
    assert '<th scope="col">' in listing.text
    detail = client.get(f"/admin/accessibility-feedback/{feedback.id}")
    assert "Liten text" in detail.text and 'id="field-answer"' in detail.text
    empty = client.submit(f"/admin/accessibility-feedback/{feedback.id}/answer", {"answer": ""})
    assert empty.status_code == 422 and 'aria-describedby="error-answer' in empty.text
    done = client.submit(
        f"/admin/accessibility-feedback/{feedback.id}/answer", {"answer": "Texten är nu större."}
    )
    assert done.status_code == 303
    session.refresh(feedback)
    assert feedback.is_answered and feedback.answered_by_id == admin.id
    assert 'id="field-answer"' not in client.get(done.headers["location"]).text
    mail_service.send_pending(connection)
    [message] = smtp.to("greta@example.com")
    assert "Texten är nu större." in smtp.text_of(message)
    assert "saavutettavuus@avi.fi" in smtp.text_of(message)


def test_only_administrators_see_the_feedback(client, session):
    feedback = accessibility.submit(
        session, FeedbackForm(email="a@example.com", problem="x"), None, "fi"
    )
    client.login_as(session, make_staff(session, StaffKind.management))
    assert client.get("/admin/accessibility-feedback").status_code == 403
    assert client.get(f"/admin/accessibility-feedback/{feedback.id}").status_code == 403
    assert "/admin/accessibility-feedback" not in client.get("/accessibility").text
    anonymous = client.__class__(client.app)
    assert anonymous.get("/admin/accessibility-feedback").status_code in (302, 303, 307)
