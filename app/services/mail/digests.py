"""Notifications by each person's choice: a mail at once, a line in a daily or weekly digest,
or nothing. Newsletters do not pass here (they come whole or not at all)."""

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.models.newsletters import DigestItem, Frequency, Topic
from app.models.people import Person
from app.services.mail import delivery as mail_service
from app.services.mail import preferences


def deliver(
    session: Session,
    person: Person,
    topic: Topic,
    key: str,
    template: str,
    url: str = "",
    ics: str = "",
    **context: Any,
) -> Frequency:
    """Tell a person about something on a topic, as they have chosen; returns how.

    key identifies the message (the delivery key of an immediate mail); whether mailed at once
    or held for a digest, the same key reaches a person only once. ics, a calendar invitation,
    goes with a mail sent at once; a digest line carries only text.
    """
    assert person.id is not None
    choice = preferences.frequency(session, person.id, topic)
    if choice == Frequency.off:
        return choice
    if choice == Frequency.immediate:
        mail_service.queue(session, key, person, template, url=url, ics=ics, **context)
        return choice
    # in_digest lets a template leave out what the digest says once (greeting, footer).
    subject, text, _html = mail_service.render(
        template, person.language.value, person=person, url=url, in_digest=True, **context
    )
    item = DigestItem(
        person_id=person.id, topic=topic, key=key, subject=subject, body_text=text.strip(), url=url
    )
    try:
        with session.begin_nested():
            session.add(item)
    except IntegrityError:
        pass  # already held for the digest
    return choice
