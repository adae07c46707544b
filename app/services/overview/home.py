"""What the front page shows a person: first what awaits them (with management's dashboard),
then what is new, then what is coming; their roles and houses last."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, or_, text
from sqlmodel import Session, col, select

from app import i18n
from app.i18n import _
from app.jinja import local
from app.models.calendar import CalendarEvent, EventKind
from app.models.forum import ForumSession
from app.models.houses import House
from app.models.initiatives import Initiative, InitiativeEvent
from app.models.meetings import ResidentMeeting
from app.models.newsletters import Newsletter, NewsletterStatus
from app.models.types import local_date, utcnow
from app.services.access import audiences
from app.services.access import policies as access_policies
from app.services.access.roles import Principal
from app.services.calendar import events as calendar_events
from app.services.calendar import labels as calendar_labels
from app.services.forum import policies as forum_policies
from app.services.forum import sessions as forum_sessions
from app.services.initiatives import lifecycle
from app.services.initiatives import notifications as notifications_service
from app.services.initiatives import policies as initiatives_policies
from app.services.newsletters import content as newsletter_content
from app.services.newsletters import editions
from app.services.newsletters import policies as newsletters_policies
from app.services.overview import dashboard as dashboard_service
from app.services.overview import my_home as my_home_service
from app.services.overview.tasks import Task, all_tasks, initiative_tasks, tasks

__all__ = ["FrontPage", "Task", "front_page", "initiative_tasks", "tasks"]

COMING_WEEKS = 6  # calendar entries and forum sessions this far ahead are "coming"
COMING_LIMIT = 12
NEWSLETTERS_SHOWN = 3


@dataclass
class NotificationLine:
    """An unread change to an initiative the person follows."""

    initiative_id: int
    title: str
    state_label: str  # a msgid
    at: datetime


@dataclass
class NewsletterLine:
    """A newsletter the person may read."""

    newsletter_id: int
    title: str
    kind_label: str  # a msgid
    at: datetime


@dataclass
class Coming:
    """Something coming: a resident meeting, a forum session or a calendar entry."""

    kind: str  # "meeting", "forum" or the calendar entry's kind
    title: str
    url: str
    starts_at: datetime
    ends_at: datetime | None
    place: str = ""
    # Whole Helsinki days (a voting period, a deadline, a newsletter's day): first and last day.
    days: tuple[date, date] | None = None


@dataclass
class FrontPage:
    """The front page's content."""

    houses: list[House]
    roles: list[str]
    upcoming_meetings: list[tuple[ResidentMeeting, House]]
    tasks: list[Task] = field(default_factory=list)
    notifications: list[NotificationLine] = field(default_factory=list)
    newsletters: list[NewsletterLine] = field(default_factory=list)
    coming: list[Coming] = field(default_factory=list)
    dashboard: dashboard_service.Dashboard | None = None
    oversees: bool = False  # management or an administrator: sees every house
    # A resident's own home (their apartment's charge, the house's next meeting, ...), shown by
    # home/_my_home.html; None for someone who lives in none of the houses.
    my_home: my_home_service.MyHome | None = None


def ping(session: Session) -> None:
    """Ask the database something trivial."""
    session.execute(text("SELECT 1"))


def front_page(session: Session, user: Principal, now: datetime | None = None) -> FrontPage:
    """Gather a person's front page."""
    now = now or utcnow()
    house_ids = sorted(user.houses)
    houses = (
        list(
            session.exec(
                select(House).where(col(House.id).in_(house_ids)).order_by(col(House.name))
            )
        )
        if house_ids
        else []
    )
    meetings = upcoming_meetings(session, house_ids, now)
    return FrontPage(
        houses=houses,
        roles=user.role_names(),
        upcoming_meetings=meetings,
        tasks=all_tasks(session, user, now),
        notifications=notification_lines(session, user),
        newsletters=newsletter_lines(session, user),
        coming=coming(session, user, now, meetings, houses),
        dashboard=dashboard_service.build(session, user, now),
        oversees=access_policies.is_staff_overseer(user),
        my_home=my_home_service.for_person(session, user, now),
    )


def upcoming_meetings(
    session: Session, house_ids: list[int], now: datetime
) -> list[tuple[ResidentMeeting, House]]:
    """The coming resident meetings of the person's houses."""
    if not house_ids:
        return []
    return [
        (meeting, house)
        for meeting, house in session.exec(
            select(ResidentMeeting, House)
            .join(House, col(House.id) == ResidentMeeting.house_id)
            .where(col(ResidentMeeting.house_id).in_(house_ids), ResidentMeeting.starts_at >= now)
            .order_by(col(ResidentMeeting.starts_at))
            .limit(10)
        )
    ]


# ---- what is new ---------------------------------------------------------------------------


def notification_lines(session: Session, user: Principal) -> list[NotificationLine]:
    """The person's unread notifications, newest first, of initiatives they may still see."""
    rows = notifications_service.unread(session, user.id)
    initiative_ids = {row.initiative_id for row in rows if row.initiative_id is not None}
    event_ids = {row.event_id for row in rows if row.event_id is not None}
    initiatives = {
        i.id: i
        for i in session.exec(select(Initiative).where(col(Initiative.id).in_(initiative_ids)))
    }
    events = {
        e.id: e
        for e in session.exec(select(InitiativeEvent).where(col(InitiativeEvent.id).in_(event_ids)))
    }
    found = []
    for row in rows:
        initiative = initiatives.get(row.initiative_id)
        # A notification outlives the right to see its initiative (e.g. after moving out).
        if initiative is None or not initiatives_policies.can_view_initiative(user, initiative):
            continue
        assert initiative.id is not None
        event = events.get(row.event_id)
        state = event.to_state if event is not None and event.to_state else initiative.state
        found.append(
            NotificationLine(
                initiative_id=initiative.id,
                title=initiative.title,
                state_label=lifecycle.STATE_LABELS[state],
                at=row.created_at,
            )
        )
    return found


def _own_house(house_column: Any, user: Principal) -> Any:
    """Company-wide rows, or rows of the person's own houses.

    Not a visibility rule: it narrows what the person may see anyway (management sees every
    house's entries) to what concerns them personally.
    """
    return or_(house_column.is_(None), house_column.in_(sorted(user.houses)))


def newsletter_lines(session: Session, user: Principal) -> list[NewsletterLine]:
    """The newest sent newsletters whose audience includes the person today."""
    audience = case(
        {kind.value: a.value for kind, a in newsletters_policies.NEWSLETTER_AUDIENCES.items()},
        value=col(Newsletter.kind),
    )
    house = Newsletter.__table__.c.house_id  # type: ignore[attr-defined]
    rows = session.exec(
        select(Newsletter)
        .where(
            Newsletter.status == NewsletterStatus.sent,
            col(Newsletter.sent_at).is_not(None),
            audiences.clause(user, audience, house),
            _own_house(col(Newsletter.house_id), user),
        )
        .order_by(col(Newsletter.sent_at).desc(), col(Newsletter.id).desc())
        .limit(NEWSLETTERS_SHOWN)
    )
    lang = i18n.get_language()
    found = []
    for letter in rows:
        if not newsletters_policies.can_read_newsletter(user, letter) or letter.sent_at is None:
            continue
        assert letter.id is not None
        found.append(
            NewsletterLine(
                newsletter_id=letter.id,
                title=newsletter_content.title_in(letter, lang)[0],
                kind_label=editions.KIND_LABELS[letter.kind],
                at=letter.sent_at,
            )
        )
    return found


# ---- what is coming ------------------------------------------------------------------------


def whole_days(start: datetime, end: datetime) -> tuple[date, date] | None:
    """The first and last Helsinki day of an entry that spans whole days, else None."""
    first, after = local(start), local(end)
    if first.time() != time(0) or after.time() != time(0):
        return None
    return first.date(), after.date() - timedelta(days=1)


def coming(
    session: Session,
    user: Principal,
    now: datetime,
    meetings: list[tuple[ResidentMeeting, House]],
    houses: list[House] | None = None,
) -> list[Coming]:
    """The person's houses' resident meetings, the forum sessions they may see and their
    calendar (by the calendar's own visibility rule) in the coming weeks, in time order."""
    end = now + timedelta(weeks=COMING_WEEKS)
    names = {h.id: h.name for h in houses or []}
    found = [
        Coming(
            kind="meeting",
            title=_("Resident meeting: %(house)s", house=house.name),
            url=f"/meetings/{meeting.id}",
            starts_at=meeting.starts_at,
            ends_at=None,
            place=meeting.place,
        )
        for meeting, house in meetings
    ]
    shown_entries = {m.calendar_event_id for m, _house in meetings if m.calendar_event_id}
    sessions: list[ForumSession] = []
    if forum_policies.can_view_forum(user):
        sessions = [
            s
            for s in session.exec(
                select(ForumSession)
                .where(
                    col(ForumSession.starts_at) >= now - timedelta(days=1),
                    col(ForumSession.starts_at) < end,
                )
                .order_by(col(ForumSession.starts_at), col(ForumSession.id))
                .limit(COMING_LIMIT)
            )
            if forum_sessions.ends_at(s) >= now and forum_policies.can_view_forum_session(user, s)
        ]
    session_days = {local_date(s.starts_at) for s in sessions}
    found += [
        Coming(
            kind="forum",
            title=s.title or _("Cooperation forum"),
            url=f"/forum/sessions/{s.id}",
            starts_at=s.starts_at,
            ends_at=forum_sessions.ends_at(s),
            place=s.place,
        )
        for s in sessions
    ]
    entries = session.exec(
        select(CalendarEvent)
        .where(
            calendar_events.visible(user),
            _own_house(col(CalendarEvent.house_id), user),
            col(CalendarEvent.cancelled_at).is_(None),
            col(CalendarEvent.ends_at) > now,
            col(CalendarEvent.starts_at) < end,
        )
        .order_by(col(CalendarEvent.starts_at), col(CalendarEvent.id))
        .limit(COMING_LIMIT)
    )
    for entry in entries:
        # A convened meeting and a forum session are shown from their own records.
        if entry.id in shown_entries:
            continue
        if entry.kind == EventKind.forum and local_date(entry.starts_at) in session_days:
            continue
        title = calendar_labels.title(entry)
        if entry.house_id in names:
            title = f"{title}: {names[entry.house_id]}"
        found.append(
            Coming(
                kind=EventKind(entry.kind).value,
                title=title,
                url=f"/calendar/events/{entry.id}",
                starts_at=entry.starts_at,
                ends_at=entry.ends_at,
                place=entry.place,
                days=whole_days(entry.starts_at, entry.ends_at),
            )
        )
    return sorted(found, key=lambda c: c.starts_at)
