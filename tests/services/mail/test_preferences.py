"""Mail choices: what each topic offers, who is shown which topics, checking and saving."""

from datetime import date

import pytest
from sqlmodel import select

from app import policies
from app.errors import ValidationFailed
from app.models.audit import AuditEntry
from app.models.newsletters import Frequency, MailPreference, Topic
from app.models.people import StaffKind
from app.services.access.roles import load_principal
from app.services.mail import preferences
from tests.support import fi, make_chair, make_house, make_person, make_resident, make_staff


def principal(session, person):
    return load_principal(session, person, date.today())


def test_newsletters_come_at_once_or_not_at_all_and_notifications_may_wait():
    for topic in preferences.NEWSLETTER_TOPICS:
        assert preferences.allowed(topic) == [Frequency.immediate, Frequency.off]
    for topic in (Topic.initiative_changes, Topic.event_reminders):
        assert preferences.allowed(topic) == [
            Frequency.immediate,
            Frequency.daily,
            Frequency.weekly,
            Frequency.off,
        ]


def test_without_a_choice_mail_comes_at_once_and_a_choice_is_kept(session):
    person = make_person(session)
    assert (
        preferences.frequency(session, person.id, Topic.initiative_changes) == Frequency.immediate
    )
    preferences.choose(session, person.id, Topic.initiative_changes, Frequency.weekly)
    preferences.choose(session, person.id, Topic.initiative_changes, Frequency.daily)
    assert preferences.frequency(session, person.id, Topic.initiative_changes) == Frequency.daily
    chosen = preferences.all_for(session, person.id)
    assert chosen[Topic.initiative_changes] == Frequency.daily
    assert chosen[Topic.event_reminders] == Frequency.immediate
    rows = session.exec(select(MailPreference).where(MailPreference.person_id == person.id)).all()
    assert len(rows) == 1  # one row per person and topic, changed in place


def test_a_newsletter_cannot_be_put_into_a_digest(session):
    person = make_person(session)
    with pytest.raises(ValueError):
        preferences.choose(session, person.id, Topic.residents_newsletter, Frequency.daily)
    assert preferences.frequency(session, person.id, Topic.residents_newsletter) == (
        Frequency.immediate
    )


def test_opted_out_names_only_those_who_turned_the_topic_off(session):
    off, weekly, unset = make_person(session), make_person(session), make_person(session)
    preferences.choose(session, off.id, Topic.event_reminders, Frequency.off)
    preferences.choose(session, weekly.id, Topic.event_reminders, Frequency.weekly)
    ids = {off.id, weekly.id, unset.id}
    assert preferences.opted_out(session, ids, Topic.event_reminders) == {off.id}
    assert preferences.opted_out(session, ids, Topic.initiative_changes) == set()
    assert preferences.opted_out(session, set(), Topic.event_reminders) == set()


def test_each_person_is_shown_the_newsletters_of_their_roles(session):
    house = make_house(session)
    chair = make_chair(session, house)
    resident = make_resident(session, house)
    staff = make_staff(session, StaffKind.management)
    notifications = [Topic.initiative_changes, Topic.event_reminders]
    assert preferences.topics_for(principal(session, chair)) == list(Topic)
    assert preferences.topics_for(principal(session, resident)) == [
        Topic.residents_newsletter,
        Topic.house_bulletin,
        *notifications,
    ]
    assert preferences.topics_for(principal(session, staff)) == notifications


def test_choices_are_named_in_plain_words_per_topic():
    assert preferences.label(Topic.house_bulletin, Frequency.off) == "Do not send"
    assert preferences.label(Topic.event_reminders, Frequency.off) == "Off: no email"
    assert set(preferences.TOPIC_LABELS) == set(Topic) == set(preferences.TOPIC_HELP)


def test_check_refuses_each_bad_choice_at_its_topic():
    with pytest.raises(ValidationFailed) as caught:
        preferences.check(
            {"residents_newsletter": "daily", "initiative_changes": "hourly"},
            [Topic.residents_newsletter, Topic.initiative_changes, Topic.event_reminders],
        )
    assert caught.value.errors == {
        "residents_newsletter": fi("A newsletter comes either at once or not at all."),
        "initiative_changes": fi("Choose one of the options."),
        "event_reminders": fi("Choose one of the options."),  # not given at all
    }
    assert preferences.check({"event_reminders": "weekly"}, [Topic.event_reminders]) == {
        Topic.event_reminders: Frequency.weekly
    }


def test_saving_audits_each_change_and_keeps_the_hidden_topics(session):
    resident = make_resident(session, make_house(session))
    preferences.choose(session, resident.id, Topic.chairs_newsletter, Frequency.off)
    user = principal(session, resident)
    form = {
        "residents_newsletter": "off",
        "house_bulletin": "immediate",
        "initiative_changes": "daily",
        "event_reminders": "immediate",
        "chairs_newsletter": "immediate",  # not shown to a resident: ignored
    }
    saved = preferences.update(session, user, form)
    assert saved[Topic.residents_newsletter] == Frequency.off
    assert saved[Topic.initiative_changes] == Frequency.daily
    assert saved[Topic.chairs_newsletter] == Frequency.off
    entries = session.exec(select(AuditEntry).where(AuditEntry.entity == "mail_preference")).all()
    # Only the two changes leave a row, by the person themself.
    assert len(entries) == 2
    assert {e.action for e in entries} == {"create"} and {e.actor_id for e in entries} == {
        resident.id
    }
    assert {e.after["frequency"] for e in entries} == {"off", "daily"}

    preferences.update(session, user, {**form, "initiative_changes": "weekly"})
    [changed] = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "mail_preference", AuditEntry.action == "update"
        )
    ).all()
    assert changed.before["frequency"] == "daily"
    assert changed.after["frequency"] == "weekly"


def test_anyone_logged_in_may_choose_their_mail(session):
    assert policies.can_choose_mail(None) is False
    assert policies.can_choose_mail(principal(session, make_person(session))) is True
