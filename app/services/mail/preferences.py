"""Mail choices: per person and topic, at once, as a daily or weekly digest, or not at all."""

from collections.abc import Iterable, Mapping

from sqlmodel import Session, col, select

from app.errors import ValidationFailed
from app.i18n import N_, _
from app.models.newsletters import Frequency, MailPreference, Topic
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.platform import audit

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
    query = select(MailPreference.person_id).where(
        MailPreference.topic == topic, MailPreference.frequency == Frequency.off
    )
    if len(person_ids) <= 1000:
        return set(session.exec(query.where(col(MailPreference.person_id).in_(person_ids))))
    # A large audience (a residents' newsletter: every resident) would be more bound parameters
    # than SQLite or PostgreSQL accept: take everyone who turned the topic off, then intersect.
    return set(session.exec(query)) & person_ids


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


# ---- the choices as people see them --------------------------------------------------------

# In the order the page and the digest show them.
TOPIC_LABELS: dict[Topic, str] = {
    Topic.chairs_newsletter: N_("The chairs' newsletter (Puheenjohtajaposti)"),
    Topic.residents_newsletter: N_("The residents' newsletter"),
    Topic.house_bulletin: N_("Bulletins from my house"),
    Topic.initiative_changes: N_("Changes to initiatives I follow"),
    Topic.event_reminders: N_("Reminders of events"),
}
TOPIC_HELP: dict[Topic, str] = {
    Topic.chairs_newsletter: N_("The monthly letter to the chairs of every house's committee."),
    Topic.residents_newsletter: N_(
        "News for all residents from the company, at least four times a year."
    ),
    Topic.house_bulletin: N_("News from your property manager or resident committee."),
    Topic.initiative_changes: N_(
        "When an initiative you follow moves on, for example is answered (also on your front page)."
    ),
    Topic.event_reminders: N_("Reminders before the events that concern you."),
}
# Newsletters come whole or not at all, so their two choices read differently.
NEWSLETTER_LABELS: dict[Frequency, str] = {
    Frequency.immediate: N_("Send me every issue"),
    Frequency.off: N_("Do not send"),
}
FREQUENCY_LABELS: dict[Frequency, str] = {
    Frequency.immediate: N_("At once: one email for each message"),
    Frequency.daily: N_("Daily summary: one email each morning with the previous day's messages"),
    Frequency.weekly: N_("Weekly summary: one email on Monday mornings with the week's messages"),
    Frequency.off: N_("Off: no email"),
}


def label(topic: Topic, choice: Frequency) -> str:
    """The msgid that names a choice for a topic."""
    return NEWSLETTER_LABELS[choice] if topic in NEWSLETTER_TOPICS else FREQUENCY_LABELS[choice]


def topics_for(user: Principal) -> list[Topic]:
    """The topics that concern a person: newsletters only for the roles they go to."""
    shown = []
    for topic in Topic:
        if topic == Topic.chairs_newsletter and not user.is_chair:
            continue
        if topic in (Topic.residents_newsletter, Topic.house_bulletin) and not user.resident_of:
            continue
        shown.append(topic)
    return shown


def check(choices: Mapping[str, str | None], topics: Iterable[Topic]) -> dict[Topic, Frequency]:
    """Read a choice for each of these topics; ValidationFailed names the topics that fail."""
    found: dict[Topic, Frequency] = {}
    errors: dict[str, str] = {}
    for topic in topics:
        raw = choices.get(topic.value)
        try:
            choice = Frequency(raw or "")
        except ValueError:
            errors[topic.value] = _("Choose one of the options.")
            continue
        if choice not in allowed(topic):
            errors[topic.value] = _("A newsletter comes either at once or not at all.")
            continue
        found[topic] = choice
    if errors:
        raise ValidationFailed(errors)
    return found


def save(
    session: Session, person_id: int, choices: Mapping[Topic, Frequency], actor_id: int | None
) -> dict[Topic, Frequency]:
    """Store the checked choices, auditing each one that changes; returns every topic's choice."""
    current = all_for(session, person_id)
    for topic, choice in choices.items():
        if current[topic] == choice:
            continue
        row = session.exec(
            select(MailPreference).where(
                MailPreference.person_id == person_id, MailPreference.topic == topic
            )
        ).first()
        before = audit.snapshot(row) if row is not None else None
        row = choose(session, person_id, topic, choice)
        audit.record(session, actor_id, "update" if before else "create", row, before)
    session.flush()
    return all_for(session, person_id)


def update(
    session: Session,
    user: Principal,
    choices: Mapping[str, str | None],
    topics: Iterable[Topic] | None = None,
) -> dict[Topic, Frequency]:
    """Check and store a person's own choices for these topics (by default those shown to them).

    The choices for topics left out stay as they were.
    """
    checked = check(choices, topics_for(user) if topics is None else topics)
    return save(session, user.id, checked, user.id)
