"""The mail choices page: the topics of one's roles, saving, and refusing what a topic lacks."""

import re

from sqlmodel import select

from app.models.audit import AuditEntry
from app.models.newsletters import Frequency, Topic
from app.models.people import StaffKind
from app.services.mail import preferences
from tests.support import fi, make_chair, make_house, make_person, make_resident, make_staff

URL = "/account/notifications"


def shown(page_text: str) -> list[str]:
    """The topics whose radio groups the page has, in order."""
    return re.findall(r'<fieldset[^>]* id="field-([a-z_]+)"', page_text)


def label(topic: Topic) -> str:
    # Messages from the catalogue are trusted: Jinja's gettext does not escape them.
    return fi(preferences.TOPIC_LABELS[topic])


def test_a_chair_sees_every_topic_with_its_choices(client, session):
    chair = make_chair(session, make_house(session))
    preferences.choose(session, chair.id, Topic.initiative_changes, Frequency.weekly)
    client.login_as(session, chair)
    page = client.get(URL)
    assert page.status_code == 200
    assert page.text.count("<h1>") == 1
    assert shown(page.text) == [t.value for t in Topic]
    for topic in Topic:
        assert f'<legend class="hds-selection-group__legend">{label(topic)}</legend>' in page.text
        assert f'aria-describedby="help-{topic.value}"' in page.text
    # Newsletters offer two choices, notifications four; the stored choice is checked.
    radios = re.findall(r'name="([a-z_]+)" value="([a-z]+)"', page.text)
    assert [v for n, v in radios if n == "chairs_newsletter"] == ["immediate", "off"]
    assert [v for n, v in radios if n == "event_reminders"] == [
        "immediate",
        "daily",
        "weekly",
        "off",
    ]
    assert re.search(
        r'value="weekly" [^>]*checked', page.text.split('id="field-initiative_changes"')[1]
    )
    assert 'for="field-initiative_changes-daily"' in page.text
    assert fi(preferences.FREQUENCY_LABELS[Frequency.daily]) in page.text


def test_a_resident_is_not_offered_the_chairs_newsletter(client, session):
    resident = make_resident(session, make_house(session))
    client.login_as(session, resident)
    page = client.get(URL)
    assert shown(page.text) == [
        "residents_newsletter",
        "house_bulletin",
        "initiative_changes",
        "event_reminders",
    ]
    assert label(Topic.chairs_newsletter) not in page.text


def test_staff_without_a_home_are_offered_only_notifications(client, session):
    client.login_as(session, make_staff(session, StaffKind.management))
    page = client.get(URL)
    assert shown(page.text) == ["initiative_changes", "event_reminders"]


def test_saving_redirects_back_with_a_confirmation(client, session):
    resident = make_resident(session, make_house(session))
    preferences.choose(session, resident.id, Topic.chairs_newsletter, Frequency.off)
    client.login_as(session, resident)
    response = client.submit(
        URL,
        {
            "residents_newsletter": "off",
            "house_bulletin": "immediate",
            "initiative_changes": "daily",
            "event_reminders": "weekly",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{URL}?saved=1"
    chosen = preferences.all_for(session, resident.id)
    assert chosen[Topic.residents_newsletter] == Frequency.off
    assert chosen[Topic.initiative_changes] == Frequency.daily
    assert chosen[Topic.event_reminders] == Frequency.weekly
    assert chosen[Topic.chairs_newsletter] == Frequency.off  # not shown, kept as it was
    assert (
        len(session.exec(select(AuditEntry).where(AuditEntry.actor_id == resident.id)).all()) == 3
    )
    page = client.get(response.headers["location"])
    assert fi("Your mail choices have been saved.") in page.text
    assert re.search(
        r'value="daily" [^>]*checked', page.text.split('id="field-initiative_changes"')[1]
    )


def test_a_choice_the_topic_does_not_offer_is_refused_at_its_field(client, session):
    resident = make_resident(session, make_house(session))
    client.login_as(session, resident)
    response = client.submit(
        URL,
        {
            "residents_newsletter": "weekly",
            "house_bulletin": "immediate",
            "initiative_changes": "hourly",
            "event_reminders": "off",
        },
    )
    assert response.status_code == 422
    assert 'id="error-residents_newsletter"' in response.text
    assert (
        'aria-describedby="help-residents_newsletter error-residents_newsletter"' in response.text
    )
    assert fi("A newsletter comes either at once or not at all.") in response.text
    assert 'id="error-initiative_changes"' in response.text
    assert 'href="#field-initiative_changes"' in response.text  # the error summary links there
    assert 'id="error-event_reminders"' not in response.text
    # Nothing is saved when any choice is wrong.
    assert preferences.all_for(session, resident.id)[Topic.event_reminders] == Frequency.immediate


def test_the_account_page_links_to_the_mail_choices(client, session):
    client.login_as(session, make_person(session))
    assert f'href="{URL}"' in client.get("/account").text


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
