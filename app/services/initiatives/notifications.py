"""Telling followers: a front-page line and a mail (or a digest line) for every change to an
initiative."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.config import get_settings
from app.models.houses import House
from app.models.initiatives import Initiative, InitiativeEvent, Notification, Scope, State
from app.models.newsletters import Topic
from app.models.people import Person
from app.models.types import utcnow
from app.services.access.roles import Principal, load_principal
from app.services.initiatives import following, lifecycle, policies
from app.services.initiatives.lists import local_date
from app.services.mail import digests

TEMPLATE = "initiative_changed"


def initiative_url(initiative: Initiative) -> str:
    """The initiative's address in the portal, for mails."""
    return f"{get_settings().base_url.rstrip('/')}/initiatives/{initiative.id}"


def reader_role(initiative: Initiative, reader: Principal) -> str:
    """How a mail about the initiative speaks to its reader: "filer" (your initiative),
    "recipient" (an initiative addressed to you: the house's property manager, management for
    a company initiative, whoever prepares the answer) or "follower"."""
    if reader.id in (initiative.filed_by_id, initiative.suggested_by_id):
        return "filer"
    if reader.id == initiative.assignee_id:
        return "recipient"
    if initiative.scope == Scope.house:
        if initiative.house_id is not None and initiative.house_id in reader.manager_of:
            return "recipient"
    elif reader.is_management:
        return "recipient"
    return "follower"


def _already_notified(
    session: Session, person_id: int, initiative_id: int, event_id: int | None
) -> bool:
    query = select(Notification.id).where(
        Notification.person_id == person_id, Notification.initiative_id == initiative_id
    )
    if event_id is None:
        query = query.where(col(Notification.event_id).is_(None))
    else:
        query = query.where(Notification.event_id == event_id)
    return session.exec(query).first() is not None


def initiative_changed(
    session: Session,
    initiative: Initiative,
    event: InitiativeEvent | None,
    actor_id: int | None,
    now: datetime | None = None,
) -> int:
    """Notify every active follower who may still see the initiative, except the one who acted.

    event None means a new suggestion to the committee. Both the front-page line and the mail
    are written once per follower and event, so a repeated call tells nobody twice.
    Returns how many people were newly notified.
    """
    assert initiative.id is not None
    now = now or (event.at if event is not None else utcnow())
    today = local_date(now)
    event_id = event.id if event is not None else None
    house = session.get(House, initiative.house_id) if initiative.house_id else None
    assignee = None
    if event is not None and event.action == "assign" and initiative.assignee_id:
        assignee = session.get(Person, initiative.assignee_id)
    context: dict[str, Any] = {
        "initiative": initiative,
        "event": event,
        "house": house,
        "assignee": assignee,
        "suggestion": event is None and initiative.state == State.suggested,
        "state_label": lifecycle.STATE_LABELS[initiative.state],
        "outcome_label": lifecycle.OUTCOME_LABELS.get(initiative.outcome)
        if initiative.outcome
        else None,
    }
    url = initiative_url(initiative)
    key = f"initiative:{initiative.id}:event:{event_id if event_id is not None else 'new'}"
    told = 0
    for person in following.followers(session, initiative.id):
        if person.id == actor_id or not person.is_active:
            continue
        # A follower who has since moved out, or lost the seat that let them see it, is not told.
        reader = load_principal(session, person, today)
        if not policies.can_view_initiative(reader, initiative):
            continue
        assert person.id is not None
        if _already_notified(session, person.id, initiative.id, event_id):
            continue
        session.add(
            Notification(
                person_id=person.id,
                initiative_id=initiative.id,
                event_id=event_id,
                created_at=now,
            )
        )
        # The mail comes at once, in a digest or not at all, as the follower has chosen.
        role = reader_role(initiative, reader)
        digests.deliver(
            session, person, Topic.initiative_changes, key, TEMPLATE, url=url, role=role, **context
        )
        told += 1
    session.flush()
    return told


def unread(session: Session, person_id: int, limit: int = 20) -> list[Notification]:
    """A person's unread notifications, newest first."""
    return list(
        session.exec(
            select(Notification)
            .where(Notification.person_id == person_id, col(Notification.read_at).is_(None))
            .order_by(col(Notification.id).desc())
            .limit(limit)
        )
    )


def mark_read(session: Session, person: Person, initiative_id: int) -> None:
    """A person has opened the initiative: its notifications are read."""
    now = utcnow()
    for row in session.exec(
        select(Notification).where(
            Notification.person_id == person.id,
            Notification.initiative_id == initiative_id,
            col(Notification.read_at).is_(None),
        )
    ):
        row.read_at = now
        session.add(row)
