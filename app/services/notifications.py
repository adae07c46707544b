"""Telling followers: a front-page line and a mail for every change to an initiative."""

from sqlmodel import Session, col, select

from app import policies
from app.config import get_settings
from app.models.initiatives import Initiative, InitiativeEvent, Notification
from app.models.people import Person
from app.models.types import utcnow
from app.services import lifecycle
from app.services import mail as mail_service
from app.services.roles import load_principal

TEMPLATE = "initiative_changed"


def initiative_changed(
    session: Session, initiative: Initiative, event: InitiativeEvent | None, actor_id: int | None
) -> int:
    """Notify every follower who may still see the initiative, except the one who acted.

    The delivery's key names the event, so a repeated call never mails anyone twice.
    Returns how many people were notified.
    """
    from app.services import initiatives as initiatives_service  # the two call each other

    assert initiative.id is not None
    now = utcnow()
    today = initiatives_service.local_date(now)
    url = f"{get_settings().base_url.rstrip('/')}/initiatives/{initiative.id}"
    state_label = lifecycle.STATE_LABELS[initiative.state]
    told = 0
    for person in initiatives_service.followers(session, initiative.id):
        if person.id == actor_id or not person.is_active:
            continue
        if not policies.can_view_initiative(load_principal(session, person, today), initiative):
            continue
        assert person.id is not None
        session.add(
            Notification(
                person_id=person.id,
                initiative_id=initiative.id,
                event_id=event.id if event else None,
                created_at=now,
            )
        )
        key = f"initiative:{initiative.id}:event:{event.id if event else 'new'}"
        mail_service.queue(
            session,
            key,
            person,
            TEMPLATE,
            initiative=initiative,
            event=event,
            state_label=state_label,
            url=url,
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
