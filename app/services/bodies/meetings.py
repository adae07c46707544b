"""Resident meetings: convening with two weeks' notice, the invitation mail, minutes."""

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, or_
from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _
from app.jinja import fmt_date
from app.models.committees import ResidentCommittee
from app.models.houses import House, Residency
from app.models.meetings import MeetingCreate, MeetingMinutes, ResidentMeeting
from app.models.people import Person
from app.models.types import HELSINKI, local_date, to_utc, utcnow
from app.services.bodies import demands as demands_service
from app.services.bodies import houses as houses_service
from app.services.bodies import notices
from app.services.calendar import linked as calendar_linked
from app.services.mail import delivery as mail_service
from app.services.platform import audit, versioning

INVITATION_TEMPLATE = "meeting_invitation"


def get(session: Session, meeting_id: int) -> ResidentMeeting:
    """A meeting by id, or NotFound."""
    meeting = session.get(ResidentMeeting, meeting_id)
    if meeting is None:
        raise NotFound()
    return meeting


def invitation_deadline(starts_at: datetime) -> date:
    """The last day on which the invitation gives the legal notice."""
    return local_date(starts_at) - timedelta(days=get_settings().meeting_notice_days)


def has_started(meeting: ResidentMeeting, now: datetime) -> bool:
    """Whether the meeting's start time has come."""
    return meeting.starts_at <= now


def list_for_house(session: Session, house_id: int) -> list[ResidentMeeting]:
    """A house's meetings, newest first."""
    return list(
        session.exec(
            select(ResidentMeeting)
            .where(ResidentMeeting.house_id == house_id)
            .order_by(col(ResidentMeeting.starts_at).desc())
        )
    )


def started_for_house(session: Session, house_id: int, now: datetime) -> list[ResidentMeeting]:
    """A house's meetings that have started (those that may have elected a committee)."""
    return list(
        session.exec(
            select(ResidentMeeting)
            .where(ResidentMeeting.house_id == house_id, ResidentMeeting.starts_at <= now)
            .order_by(col(ResidentMeeting.starts_at).desc())
        )
    )


def committees_elected(session: Session, meeting_id: int) -> list[ResidentCommittee]:
    """The committees a meeting elected."""
    return list(
        session.exec(
            select(ResidentCommittee)
            .where(ResidentCommittee.elected_at_meeting_id == meeting_id)
            .order_by(col(ResidentCommittee.term_start))
        )
    )


def current_residents(session: Session, house_id: int, today: date) -> list[Person]:
    """Active people living in a house today, each once, by name."""
    living_here = (
        select(Residency.person_id)
        .where(
            Residency.house_id == house_id,
            Residency.starts_on <= today,
            or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= today),
        )
        .scalar_subquery()
    )
    return list(
        session.exec(
            select(Person)
            .where(col(Person.id).in_(living_here), col(Person.is_active))
            .order_by(col(Person.name), col(Person.id))
        )
    )


def _check_new(data: MeetingCreate, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.place.strip():
        errors["place"] = _("This field is required.")
    link = (data.remote_link or "").strip()
    if link and not link.lower().startswith(("https://", "http://")):
        errors["remote_link"] = _("Enter a web address that starts with https://.")
    if data.invitation_on < today:
        errors["invitation_on"] = _("The invitation date cannot be in the past.")
    else:
        deadline = invitation_deadline(to_utc(data.starts_at))
        if data.invitation_on > deadline:
            errors["invitation_on"] = _(
                "The invitation must be sent at least %(days)s days before the meeting "
                "(by %(deadline)s at the latest).",
                days=get_settings().meeting_notice_days,
                deadline=fmt_date(deadline, "long"),
            )
    return errors


def check_new(data: MeetingCreate, today: date) -> None:
    """Refuse what convening this meeting would refuse (before asking to confirm it)."""
    errors = _check_new(data, today)
    if errors:
        raise ValidationFailed(errors)


def create(
    session: Session,
    house_id: int,
    data: MeetingCreate,
    actor_id: int | None,
    today: date,
    now: datetime | None = None,
) -> ResidentMeeting:
    """Convene a meeting; when the invitation day is today, the invitation goes out at once.
    The meeting takes over its house's placeholder in the calendar (calendar/linked.py) and
    answers the residents' due demands for a meeting (demands.py)."""
    now = now or utcnow()
    errors = _check_new(data, today)
    if errors:
        raise ValidationFailed(errors)
    meeting = ResidentMeeting(
        house_id=house_id,
        starts_at=to_utc(data.starts_at),
        place=data.place.strip(),
        remote_link=(data.remote_link or "").strip() or None,
        invitation_on=data.invitation_on,
        agenda=data.agenda.strip(),
        created_by_id=actor_id,
    )
    session.add(meeting)
    session.flush()
    audit.record(session, actor_id, "create", meeting)
    calendar_linked.show_meeting(session, meeting, actor_id, now)
    demands_service.close_for_meeting(session, meeting, actor_id, now)
    if meeting.invitation_on == today:
        _deliver_invitation(session, meeting, actor_id, today, now)
    return meeting


def invitation_key(meeting: ResidentMeeting) -> str:
    """The key of a meeting's invitation: of its mails and of its recorded recipients."""
    return f"meeting-invitation:{meeting.id}"


def _deliver_invitation(
    session: Session,
    meeting: ResidentMeeting,
    actor_id: int | None,
    today: date,
    now: datetime,
    before: dict[str, Any] | None = None,
) -> int:
    """Send the invitation to every apartment of the house and mark it sent: a mail to each
    current resident who takes notices by email, a letter (printed from the record, see
    meeting_notices.py) to each apartment no email reaches. Nobody gets it twice; returns the
    mails queued."""
    assert meeting.id is not None
    before = before or audit.snapshot(meeting)
    where = houses_service.get(session, meeting.house_id)
    url = f"{get_settings().base_url.rstrip('/')}/meetings/{meeting.id}"
    key = invitation_key(meeting)
    found = notices.households(session, meeting.house_id, today)
    notices.record(session, key, meeting.house_id, found, now)
    queued = 0
    for household in found:
        for person in household.by_email:
            delivery = mail_service.queue(
                session,
                key,
                person,
                INVITATION_TEMPLATE,
                meeting=meeting,
                house=where,
                url=url,
            )
            queued += delivery is not None
    meeting.invitation_sent_at = now
    meeting.version += 1
    meeting.updated_at = now
    session.add(meeting)
    session.flush()
    audit.record(session, actor_id, "update", meeting, before)
    return queued


def check_invitation(meeting: ResidentMeeting, today: date) -> None:
    """Refuse an invitation already sent, or one too late to give the legal notice."""
    if meeting.invitation_sent_at is not None:
        raise ValidationFailed(
            {
                "": _(
                    "The invitation was already sent on %(date)s.",
                    date=fmt_date(meeting.invitation_sent_at, "long"),
                )
            }
        )
    deadline = invitation_deadline(meeting.starts_at)
    if today > deadline:
        raise ValidationFailed(
            {
                "": _(
                    "It is too late to send the invitation: it had to be sent at least "
                    "%(days)s days before the meeting (by %(deadline)s at the latest).",
                    days=get_settings().meeting_notice_days,
                    deadline=fmt_date(deadline, "long"),
                )
            }
        )


def send_invitation(
    session: Session,
    meeting: ResidentMeeting,
    actor_id: int | None,
    today: date,
    now: datetime | None = None,
) -> int:
    """Send the invitation now, while it still gives the legal notice; returns mails queued."""
    now = now or utcnow()
    check_invitation(meeting, today)
    before = audit.snapshot(meeting)
    meeting.invitation_on = today
    return _deliver_invitation(session, meeting, actor_id, today, now, before)


def send_due_invitations(session: Session, today: date, now: datetime) -> int:
    """The daily run: send every invitation whose day has come, if it still gives the notice.

    An invitation whose last legal day has passed (the job did not run then) is not sent late:
    the meeting shows up among its organisers' tasks instead (notice_missed).
    """
    due = session.exec(
        select(ResidentMeeting)
        .where(
            ResidentMeeting.invitation_on <= today,
            col(ResidentMeeting.invitation_sent_at).is_(None),
            ResidentMeeting.starts_at > now,
        )
        .order_by(col(ResidentMeeting.id))
    ).all()
    sent = 0
    for meeting in due:
        if today <= invitation_deadline(meeting.starts_at):
            _deliver_invitation(session, meeting, None, today, now)
            sent += 1
    return sent


def record_minutes(
    session: Session,
    meeting: ResidentMeeting,
    data: MeetingMinutes,
    actor_id: int | None,
    now: datetime | None = None,
) -> ResidentMeeting:
    """Record the minutes and decisions; refuses if someone else saved since version was read."""
    now = now or utcnow()
    if data.version != meeting.version:
        raise Conflict()
    if not has_started(meeting, now):
        raise ValidationFailed(
            {"minutes": _("The minutes can be recorded once the meeting has started.")}
        )
    before = audit.snapshot(meeting)
    meeting.minutes = data.minutes.strip()
    meeting.decisions = data.decisions.strip()
    versioning.bump(session, meeting, data.version)
    meeting.updated_at = now
    session.add(meeting)
    session.flush()
    audit.record(session, actor_id, "update", meeting, before)
    return meeting


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    """The start of a Helsinki calendar year and of the next, in UTC."""
    start = datetime(year, 1, 1, tzinfo=HELSINKI).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=HELSINKI).astimezone(UTC)
    return start, end


def houses_without_meeting(
    session: Session, year: int, house_ids: Collection[int] | None = None
) -> list[House]:
    """Houses with no resident meeting in a calendar year (the law asks for one), by name."""
    start, end = _year_bounds(year)
    held = exists().where(
        col(ResidentMeeting.house_id) == col(House.id),
        col(ResidentMeeting.starts_at) >= start,
        col(ResidentMeeting.starts_at) < end,
    )
    query = select(House).where(~held).order_by(col(House.name), col(House.id))
    if house_ids is not None:
        if not house_ids:
            return []
        query = query.where(col(House.id).in_(sorted(house_ids)))
    return list(session.exec(query))


def minutes_due(
    session: Session, house_ids: Collection[int], now: datetime
) -> list[tuple[ResidentMeeting, House]]:
    """Meetings of some houses that have started but have no minutes yet, oldest first."""
    if not house_ids:
        return []
    rows = session.exec(
        select(ResidentMeeting, House)
        .join(House, col(House.id) == ResidentMeeting.house_id)
        .where(
            col(ResidentMeeting.house_id).in_(sorted(house_ids)),
            ResidentMeeting.starts_at <= now,
            ResidentMeeting.minutes == "",
        )
        .order_by(col(ResidentMeeting.starts_at))
    )
    return [(meeting, where) for meeting, where in rows]


def notice_missed(
    session: Session, house_ids: Collection[int], today: date, now: datetime
) -> list[tuple[ResidentMeeting, House]]:
    """Coming meetings of some houses whose invitation was not sent while it still gave notice."""
    if not house_ids:
        return []
    rows = session.exec(
        select(ResidentMeeting, House)
        .join(House, col(House.id) == ResidentMeeting.house_id)
        .where(
            col(ResidentMeeting.house_id).in_(sorted(house_ids)),
            col(ResidentMeeting.invitation_sent_at).is_(None),
            ResidentMeeting.starts_at > now,
        )
        .order_by(col(ResidentMeeting.starts_at))
    )
    return [(m, where) for m, where in rows if today > invitation_deadline(m.starts_at)]
