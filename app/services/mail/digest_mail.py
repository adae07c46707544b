"""Daily and weekly digests: one mail per person carrying every notification held for it.

A digest is keyed by its frequency and Helsinki day (digest:daily:2026-12-01), unique per person
in the delivery table, and its items are marked with that key in the same transaction. So a
rerun or a second scheduler never sends a digest twice, and an item raised after a digest was
built (or while it was being built) waits for the next one instead of being lost.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models.mail import Delivery
from app.models.newsletters import DigestItem, Frequency, Topic
from app.models.people import Person
from app.models.types import HELSINKI, utcnow
from app.services.mail import delivery as mail_service
from app.services.mail import preferences

TEMPLATE = "digest"
DIGEST_FREQUENCIES = (Frequency.daily, Frequency.weekly)


@dataclass
class Group:
    """A digest's items on one topic."""

    topic: Topic
    label: str  # msgid, translated by the template
    items: list[DigestItem]


class _Taken(Exception):
    """Someone else built this digest or claimed its items first."""


def digest_key(frequency: Frequency, day: date) -> str:
    """The delivery key of a person's digest of a frequency on a Helsinki day."""
    return f"digest:{frequency.value}:{day.isoformat()}"


def carries(choice: Frequency, frequency: Frequency) -> bool:
    """Whether a digest of this frequency carries items on a topic chosen so.

    Items held before their topic was switched to "at once" go in the next daily digest.
    """
    return choice == frequency or (frequency == Frequency.daily and choice == Frequency.immediate)


def _waiting(session: Session, person_id: int) -> list[DigestItem]:
    return list(
        session.exec(
            select(DigestItem)
            .where(DigestItem.person_id == person_id, col(DigestItem.digest_key).is_(None))
            .order_by(col(DigestItem.created_at), col(DigestItem.id))
        )
    )


def groups(items: list[DigestItem]) -> list[Group]:
    """Items by topic, in the topics' own order, oldest first within a topic."""
    found = []
    for topic in Topic:
        of_topic = [item for item in items if item.topic == topic]
        if of_topic:
            found.append(Group(topic, preferences.TOPIC_LABELS[topic], of_topic))
    return found


def _already_sent(session: Session, key: str, person: Person) -> bool:
    return (
        session.exec(
            select(Delivery.id).where(
                Delivery.message_key == key, Delivery.recipient == person.email
            )
        ).first()
        is not None
    )


def _send_one(
    session: Session, person: Person, frequency: Frequency, day: date, item_ids: list[int]
) -> bool:
    """Claim the items for today's digest and queue it, both or neither."""
    key = digest_key(frequency, day)
    try:
        with session.begin_nested():
            # Claim first: a run that finds the items claimed by another run sends nothing.
            session.execute(
                update(DigestItem)
                .where(col(DigestItem.id).in_(item_ids), col(DigestItem.digest_key).is_(None))
                .values(digest_key=key)
                .execution_options(synchronize_session=False)
            )
            claimed = list(
                session.exec(
                    select(DigestItem)
                    .where(col(DigestItem.id).in_(item_ids), DigestItem.digest_key == key)
                    .order_by(col(DigestItem.created_at), col(DigestItem.id))
                    .execution_options(populate_existing=True)
                )
            )
            if not claimed:
                raise _Taken()
            delivery = mail_service.queue(
                session,
                key,
                person,
                TEMPLATE,
                frequency=frequency.value,
                day=day,
                groups=groups(claimed),
                settings_url=f"{get_settings().base_url.rstrip('/')}/account/notifications",
            )
            if delivery is None:  # this digest went out already: the items wait for the next
                raise _Taken()
    except _Taken:
        return False
    return True


def send_digests(session: Session, frequency: Frequency, now: datetime | None = None) -> int:
    """Queue the digest of a frequency for everyone with items waiting; returns how many.

    Items on a topic switched off since they were held are dropped; items on a topic now chosen
    for the other digest wait for that one.
    """
    if frequency not in DIGEST_FREQUENCIES:
        raise ValueError(f"no digest is sent {frequency}")
    now = now or utcnow()
    day = now.astimezone(HELSINKI).date()
    key = digest_key(frequency, day)
    person_ids = sorted(
        set(session.exec(select(DigestItem.person_id).where(col(DigestItem.digest_key).is_(None))))
    )
    sent = 0
    for person_id in person_ids:
        person = session.get(Person, person_id)
        if person is None or not person.is_active:
            continue  # they wait, should the person come back
        choices = preferences.all_for(session, person_id)
        items = _waiting(session, person_id)
        dropped = [i.id for i in items if choices[i.topic] == Frequency.off and i.id]
        if dropped:
            session.execute(
                delete(DigestItem)
                .where(col(DigestItem.id).in_(dropped), col(DigestItem.digest_key).is_(None))
                .execution_options(synchronize_session=False)
            )
        due = [i.id for i in items if carries(choices[i.topic], frequency) and i.id]
        if not due or _already_sent(session, key, person):
            continue
        if _send_one(session, person, frequency, day, due):
            sent += 1
    session.flush()
    return sent
