"""Mail choices: per person and topic, at once, as a daily or weekly digest, or not at all."""

from sqlmodel import Session, col, select

from app.models.newsletters import Frequency, MailPreference, Topic
from app.models.types import utcnow

# Newsletters come whole or not at all; notifications may wait for a digest.
NEWSLETTER_TOPICS = frozenset(
    {Topic.chairs_newsletter, Topic.residents_newsletter, Topic.house_bulletin}
)
DEFAULT = Frequency.immediate


def allowed(topic: Topic) -> list[Frequency]:
    """The choices a topic offers."""
    if topic in NEWSLETTER_TOPICS:
        return [Frequency.immediate, Frequency.off]
    return list(Frequency)


def frequency(session: Session, person_id: int, topic: Topic) -> Frequency:
    """A person's choice for a topic (at once when they have not chosen)."""
    found = session.exec(
        select(MailPreference.frequency).where(
            MailPreference.person_id == person_id, MailPreference.topic == topic
        )
    ).first()
    return Frequency(found) if found is not None else DEFAULT


def all_for(session: Session, person_id: int) -> dict[Topic, Frequency]:
    """Every topic's choice for a person."""
    chosen = {
        Topic(row.topic): Frequency(row.frequency)
        for row in session.exec(select(MailPreference).where(MailPreference.person_id == person_id))
    }
    return {topic: chosen.get(topic, DEFAULT) for topic in Topic}


def opted_out(session: Session, person_ids: set[int], topic: Topic) -> set[int]:
    """Of these people, those who have turned a topic off."""
    if not person_ids:
        return set()
    return set(
        session.exec(
            select(MailPreference.person_id).where(
                col(MailPreference.person_id).in_(person_ids),
                MailPreference.topic == topic,
                MailPreference.frequency == Frequency.off,
            )
        )
    )


def choose(session: Session, person_id: int, topic: Topic, choice: Frequency) -> MailPreference:
    """Set a person's choice for a topic; a newsletter cannot be put into a digest."""
    if choice not in allowed(topic):
        raise ValueError(f"{choice} is not a choice for {topic}")
    row = session.exec(
        select(MailPreference).where(
            MailPreference.person_id == person_id, MailPreference.topic == topic
        )
    ).first()
    if row is None:
        row = MailPreference(person_id=person_id, topic=topic, frequency=choice)
    else:
        row.frequency = choice
        row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row
