"""What the front page shows a person."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, text
from sqlmodel import Session, col, select

from app.i18n import _, ngettext
from app.jinja import fmt_date
from app.models.houses import House
from app.models.initiatives import Initiative, InitiativeEvent, Scope, State
from app.models.meetings import ResidentMeeting
from app.models.types import local_date, utcnow
from app.services.access import policies as access_policies
from app.services.access.roles import Principal
from app.services.bodies import meetings as meetings_service
from app.services.finances import cycle_mail
from app.services.initiatives import lifecycle
from app.services.initiatives import lists as initiative_lists
from app.services.initiatives import notifications as notifications_service
from app.services.initiatives import policies as initiatives_policies


@dataclass
class Task:
    """Something that awaits the person, with where to do it."""

    text: str
    url: str
    overdue: bool = False  # shown in words, and such tasks come first


@dataclass
class NotificationLine:
    """An unread change to an initiative the person follows."""

    initiative_id: int
    title: str
    state_label: str  # a msgid
    at: datetime


@dataclass
class FrontPage:
    """The front page's content."""

    houses: list[House]
    roles: list[str]
    upcoming_meetings: list[tuple[ResidentMeeting, House]]
    tasks: list[Task] = field(default_factory=list)
    notifications: list[NotificationLine] = field(default_factory=list)


def ping(session: Session) -> None:
    """Ask the database something trivial."""
    session.execute(text("SELECT 1"))


def front_page(session: Session, user: Principal, now: datetime | None = None) -> FrontPage:
    """Gather a person's front page."""
    now = now or utcnow()
    house_ids = sorted(user.resident_of | user.committee_of | user.manager_of)
    houses = (
        list(
            session.exec(
                select(House).where(col(House.id).in_(house_ids)).order_by(col(House.name))
            )
        )
        if house_ids
        else []
    )
    upcoming: list[tuple[ResidentMeeting, House]] = []
    if house_ids:
        upcoming = [
            (meeting, house)
            for meeting, house in session.exec(
                select(ResidentMeeting, House)
                .join(House, col(House.id) == ResidentMeeting.house_id)
                .where(
                    col(ResidentMeeting.house_id).in_(house_ids), ResidentMeeting.starts_at >= now
                )
                .order_by(col(ResidentMeeting.starts_at))
                .limit(10)
            )
        ]
    return FrontPage(
        houses=houses,
        roles=user.role_names(),
        upcoming_meetings=upcoming,
        tasks=initiative_tasks(session, user, now) + tasks(session, user, now),
        notifications=notification_lines(session, user),
    )


def tasks(session: Session, user: Principal, now: datetime) -> list[Task]:
    """What awaits a person: minutes to record, houses still without this year's meeting, the
    budget-cycle steps that are theirs."""
    found: list[Task] = []
    organised = user.committee_of | user.manager_of
    for meeting, house in meetings_service.minutes_due(session, organised, now):
        found.append(
            Task(
                text=_(
                    "Record the minutes of the resident meeting of %(house)s on %(date)s",
                    house=house.name,
                    date=fmt_date(meeting.starts_at),
                ),
                url=f"/meetings/{meeting.id}/minutes",
            )
        )
    today = meetings_service.local_date(now)
    for meeting, house in meetings_service.notice_missed(session, organised, today, now):
        found.append(
            Task(
                text=_(
                    "The invitation to the resident meeting of %(house)s on %(date)s was not "
                    "sent in time. Convene the meeting again for a later date.",
                    house=house.name,
                    date=fmt_date(meeting.starts_at),
                ),
                url=f"/houses/{house.id}/meetings/new",
            )
        )
    for task in cycle_mail.tasks_for(session, user, today):
        found.append(Task(text=task.text, url=task.url, overdue=task.overdue))
    if user.manager_of:
        year = meetings_service.local_date(now).year
        for house in meetings_service.houses_without_meeting(session, year, user.manager_of):
            found.append(
                Task(
                    text=_("No resident meeting yet this year: %(house)s", house=house.name),
                    url=f"/houses/{house.id}/meetings/new",
                )
            )
    return found


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


def _handled_by(user: Principal) -> ColumnElement[bool]:
    """Initiatives the person is to receive or answer: as a house's manager, as management for
    company initiatives, or as the assigned preparer."""
    # Only the terms that apply: a constant false left in the OR (0 = 1) kept SQLite from the
    # assignee index and made it read every initiative awaiting anyone (bench/README.md).
    terms: list[ColumnElement[bool]] = [col(Initiative.assignee_id) == user.id]
    managed = sorted(user.manager_of)
    if managed:
        terms.append(
            and_(col(Initiative.scope) == Scope.house, col(Initiative.house_id).in_(managed))
        )
    if access_policies.is_staff_overseer(user):
        terms.append(col(Initiative.scope) == Scope.company)
    return or_(*terms)


def initiative_tasks(session: Session, user: Principal, now: datetime) -> list[Task]:
    """Initiatives awaiting the person, overdue ones first."""
    today = local_date(now)
    visible = initiative_lists.visible_clause(user)
    awaiting = lifecycle.AWAITING_RECEIPT | lifecycle.AWAITING_ANSWER
    handled = session.exec(
        select(Initiative).where(visible, _handled_by(user), col(Initiative.state).in_(awaiting))
    )
    found: list[tuple[tuple[bool, date], Task]] = []
    for initiative in handled:
        late = initiative_lists.is_overdue(initiative, today)
        due = initiative.answer_due_on
        if initiative.state in lifecycle.AWAITING_RECEIPT:
            due = initiative.receipt_due_on
            message = _(
                "Acknowledge receipt of the initiative “%(title)s” by %(date)s",
                title=initiative.title,
                date=fmt_date(due),
            )
        else:
            message = _(
                "Answer the initiative “%(title)s” by %(date)s",
                title=initiative.title,
                date=fmt_date(due),
            )
        task = Task(text=message, url=f"/initiatives/{initiative.id}", overdue=late)
        found.append(((not late, due or date.max), task))
    ordered = [task for _key, task in sorted(found, key=lambda pair: pair[0])]
    committee = sorted(user.committee_of)
    if committee:
        suggestions = session.exec(
            select(Initiative)
            .where(
                visible,
                Initiative.state == State.suggested,
                col(Initiative.house_id).in_(committee),
            )
            .order_by(col(Initiative.created_at))
        )
        ordered += [
            Task(
                text=_("A resident's suggestion awaits the committee: “%(title)s”", title=i.title),
                url=f"/initiatives/{i.id}",
            )
            for i in suggestions
        ]
    drafts = session.exec(
        select(Initiative)
        .where(Initiative.filed_by_id == user.id, Initiative.state == State.draft)
        .order_by(col(Initiative.created_at))
    )
    ordered += [
        Task(
            text=_("Your draft “%(title)s” has not been submitted yet", title=i.title),
            url=f"/initiatives/{i.id}",
        )
        for i in drafts
    ]
    if access_policies.is_staff_overseer(user):
        late_count = session.exec(
            select(func.count())
            .select_from(Initiative)
            .where(initiative_lists.overdue_clause(today))
        ).one()
        if late_count:
            ordered.insert(
                0,
                Task(
                    text=ngettext(
                        "%(num)s initiative is overdue",
                        "%(num)s initiatives are overdue",
                        int(late_count),
                    ),
                    url="/initiatives?overdue=1",
                ),
            )
    return ordered
