"""What the front page shows a person."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from app.i18n import _
from app.jinja import fmt_date
from app.models.houses import House
from app.models.meetings import ResidentMeeting
from app.models.types import utcnow
from app.services import meetings as meetings_service
from app.services.roles import Principal


@dataclass
class Task:
    """Something that awaits the person, with where to do it."""

    text: str
    url: str


@dataclass
class FrontPage:
    """The front page's content."""

    houses: list[House]
    roles: list[str]
    upcoming_meetings: list[tuple[ResidentMeeting, House]]
    tasks: list[Task] = field(default_factory=list)


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
        tasks=tasks(session, user, now),
    )


def tasks(session: Session, user: Principal, now: datetime) -> list[Task]:
    """What awaits a person: minutes to record, houses still without this year's meeting."""
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
