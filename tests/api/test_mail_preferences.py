"""Mail choices API: reading and changing one's own choices, checked like every API input."""

from sqlmodel import select

from app.models.audit import AuditEntry
from app.models.newsletters import Frequency, Topic
from app.services.mail import preferences
from tests.support import api_headers, fi, make_house, make_person, make_resident

URL = "/api/v1/me/preferences"


def test_every_topic_reads_at_once_until_chosen(client, session):
    person = make_person(session)
    preferences.choose(session, person.id, Topic.event_reminders, Frequency.weekly)
    response = client.get(URL, headers=api_headers(session, person))
    assert response.status_code == 200
    assert response.json() == {
        "chairs_newsletter": "immediate",
        "residents_newsletter": "immediate",
        "house_bulletin": "immediate",
        "initiative_changes": "immediate",
        "event_reminders": "weekly",
    }


def test_put_changes_the_given_topics_and_keeps_the_rest(client, session):
    person = make_resident(session, make_house(session))
    preferences.choose(session, person.id, Topic.event_reminders, Frequency.weekly)
    headers = api_headers(session, person)
    body = {"initiative_changes": "daily", "residents_newsletter": "off"}
    response = client.put(URL, json=body, headers=headers)
    assert response.status_code == 200
    assert response.json()["initiative_changes"] == "daily"
    assert response.json()["residents_newsletter"] == "off"
    assert response.json()["event_reminders"] == "weekly"
    chosen = preferences.all_for(session, person.id)
    assert chosen[Topic.initiative_changes] == Frequency.daily
    assert chosen[Topic.residents_newsletter] == Frequency.off
    entries = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "mail_preference", AuditEntry.actor_id == person.id
        )
    ).all()
    assert len(entries) == 2
    assert client.get(URL, headers=headers).json() == response.json()


def test_invalid_choices_are_refused_with_the_field_and_the_reason(client, session):
    person = make_person(session)
    headers = api_headers(session, person)
    newsletter = client.put(URL, json={"house_bulletin": "weekly"}, headers=headers)
    assert newsletter.status_code == 422
    assert newsletter.json() == {
        "detail": [
            {
                "field": "house_bulletin",
                "reason": fi("A newsletter comes either at once or not at all."),
            }
        ]
    }
    unknown_value = client.put(URL, json={"initiative_changes": "hourly"}, headers=headers)
    assert unknown_value.status_code == 422
    assert unknown_value.json()["detail"] == [
        {"field": "initiative_changes", "reason": fi("Choose one of the options.")}
    ]
    unknown_topic = client.put(URL, json={"sms": "daily"}, headers=headers)
    assert unknown_topic.status_code == 422
    assert unknown_topic.json()["detail"][0]["field"] == "sms"
    assert preferences.all_for(session, person.id) == {t: Frequency.immediate for t in Topic}


def test_changing_needs_the_write_scope_and_reading_the_read_scope(client, session):
    person = make_person(session)
    read_only = api_headers(session, person, scopes=["read"])
    assert client.get(URL, headers=read_only).status_code == 200
    refused = client.put(URL, json={"initiative_changes": "off"}, headers=read_only)
    assert refused.status_code == 403
    assert preferences.frequency(session, person.id, Topic.initiative_changes) == (
        Frequency.immediate
    )
    write_only = api_headers(session, person, scopes=["write"])
    assert client.get(URL, headers=write_only).status_code == 403
    changed = client.put(URL, json={"initiative_changes": "off"}, headers=write_only)
    assert changed.status_code == 200 and changed.json()["initiative_changes"] == "off"


def test_without_a_token_the_api_answers_401(client):
    assert client.get(URL).status_code == 401
    assert client.put(URL, json={}).status_code == 401
