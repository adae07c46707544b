"""Unsubscribe tokens: signed per person and topic, checked in constant time, one topic off."""

import pytest
from sqlmodel import select

from app.errors import NotFound
from app.models.audit import AuditEntry
from app.models.newsletters import Frequency, Topic
from app.services.mail import preferences, unsubscribe
from tests.support import make_person


def test_a_token_names_its_person_and_topic():
    token = unsubscribe.make(42, Topic.residents_newsletter)
    assert unsubscribe.parse(token) == (42, Topic.residents_newsletter)
    assert all(c.isalnum() or c in "-_." for c in token)  # safe in a URL as it is


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("42.", "43.", 1),  # another person
        lambda t: t.replace("residents_newsletter", "chairs_newsletter"),  # another topic
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # a changed signature
        lambda t: t.rsplit(".", 1)[0],  # no signature
        lambda t: t + ".x",
        lambda t: "",
        lambda t: "x" * 2000,
        lambda t: t.replace("42.", "99999999999999999999.", 1),
    ],
)
def test_a_changed_token_is_refused(change):
    token = unsubscribe.make(42, Topic.residents_newsletter)
    assert unsubscribe.parse(change(token)) is None


def test_a_token_signed_with_another_key_is_refused():
    forged = unsubscribe.make(42, Topic.chairs_newsletter, secret="another-secret-key-123")
    assert unsubscribe.parse(forged) is None
    assert unsubscribe.parse(forged, secret="another-secret-key-123") == (
        42,
        Topic.chairs_newsletter,
    )


def test_only_newsletters_have_unsubscribe_tokens():
    with pytest.raises(ValueError):
        unsubscribe.make(42, Topic.initiative_changes)


def test_apply_turns_only_that_topic_off_and_is_audited(session):
    person = make_person(session)
    token = unsubscribe.make(person.id, Topic.house_bulletin)
    found = unsubscribe.resolve(session, token)
    assert (found.person.id, found.topic, found.off) == (person.id, Topic.house_bulletin, False)

    unsubscribe.apply(session, token)
    choices = preferences.all_for(session, person.id)
    assert choices[Topic.house_bulletin] == Frequency.off
    assert choices[Topic.residents_newsletter] == Frequency.immediate
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "mail_preference")).one()
    assert entry.actor_id == person.id and entry.after["frequency"] == "off"

    again = unsubscribe.apply(session, token)  # a second click changes nothing more
    assert again.off
    entries = select(AuditEntry).where(AuditEntry.entity == "mail_preference")
    assert len(session.exec(entries).all()) == 1


def test_a_token_of_a_removed_person_is_not_found(session):
    with pytest.raises(NotFound):
        unsubscribe.resolve(session, unsubscribe.make(987654321, Topic.house_bulletin))
    with pytest.raises(NotFound):
        unsubscribe.apply(session, "1.house_bulletin.forged")
