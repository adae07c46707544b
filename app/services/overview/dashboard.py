"""Management's front page: the state of the work that concerns every house, each panel counted
from its own records and linked to the page where it is done."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models.calendar import CalendarEvent, EventKind
from app.models.finances import BudgetCycle, CycleStep
from app.models.forum import AgendaItem, ForumSession
from app.models.initiatives import Initiative
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.models.types import local_date
from app.services.access import policies as access_policies
from app.services.access.roles import Principal
from app.services.calendar import events as calendar_events
from app.services.calendar import labels as calendar_labels
from app.services.compliance import status as compliance
from app.services.finances import cycle_steps
from app.services.forum import sessions as forum_sessions
from app.services.initiatives import lists as initiative_lists

# The newsletter each editorial slot of the annual calendar asks for.
SLOT_LETTERS = {
    EventKind.chairs_newsletter: NewsletterKind.chairs,
    EventKind.residents_newsletter: NewsletterKind.residents,
}

# Where things stand, as codes: the page words them and picks the status label's colour.
SENT = "sent"
SCHEDULED = "scheduled"
DUE = "due"  # not yet sent, the day has not passed
LATE = "late"  # not sent, the day has passed
PUBLISHED = "published"
CHANGED = "changed"  # published, then changed: not yet sent again
UNPUBLISHED = "unpublished"


@dataclass
class ForumPanel:
    """The next cooperation forum session and the state of its agenda."""

    forum_session: ForumSession
    items: int
    agenda: str  # PUBLISHED, CHANGED or UNPUBLISHED
    publish_by: date  # the last day that still gives the notice
    late: bool  # not published, and the notice can no longer be given


@dataclass
class NewsletterSlot:
    """A newsletter the annual calendar asks for this month, and whether it is out."""

    title: str
    due: date
    state: str  # SENT, SCHEDULED, DUE or LATE
    url: str


@dataclass
class Statements:
    """Budget cycles waiting for the committee's (or Haso-yte's) statement on the proposal."""

    awaited: int
    late: int
    first_due: date | None
    url: str


@dataclass
class Compliance:
    """Where the year falls short of the cooperation model (app/services/compliance)."""

    houses: int  # houses with a problem
    residents_behind: bool  # fewer residents' newsletters than quarters passed
    months_missing: int  # ended months without a chairs' newsletter

    @property
    def problems(self) -> int:
        """Every problem counted once."""
        return self.houses + int(self.residents_behind) + self.months_missing


@dataclass
class Dashboard:
    """Management's panels."""

    forum: ForumPanel | None
    newsletters: list[NewsletterSlot] = field(default_factory=list)
    overdue_initiatives: int = 0
    statements: Statements | None = None
    compliance: Compliance | None = None


def applies_to(user: Principal) -> bool:
    """Management and administrators get the dashboard."""
    return access_policies.is_staff_overseer(user)


def build(session: Session, user: Principal, now: datetime) -> Dashboard | None:
    """The dashboard, for management and administrators; None for anyone else."""
    if not applies_to(user):
        return None
    today = local_date(now)
    return Dashboard(
        forum=forum_panel(session, now),
        newsletters=newsletter_slots(session, today),
        overdue_initiatives=overdue_initiatives(session, today),
        statements=statements(session, today),
        compliance=compliance_problems(session, now),
    )


def forum_panel(session: Session, now: datetime) -> ForumPanel | None:
    """The next session not yet over, with its agenda's size and publication."""
    # A session lasts hours: one that started within a day may still be going on.
    candidates = session.exec(
        select(ForumSession)
        .where(col(ForumSession.starts_at) >= now - timedelta(days=1))
        .order_by(col(ForumSession.starts_at), col(ForumSession.id))
        .limit(5)
    )
    coming = next((s for s in candidates if forum_sessions.ends_at(s) >= now), None)
    if coming is None:
        return None
    items = session.exec(
        select(func.count()).select_from(AgendaItem).where(AgendaItem.session_id == coming.id)
    ).one()
    if coming.agenda_published_at is None:
        agenda = UNPUBLISHED
    elif forum_sessions.changed_since_publication(coming):
        agenda = CHANGED
    else:
        agenda = PUBLISHED
    publish_by = forum_sessions.notice_deadline(coming)
    return ForumPanel(
        forum_session=coming,
        items=int(items),
        agenda=agenda,
        publish_by=publish_by,
        late=agenda == UNPUBLISHED and local_date(now) > publish_by,
    )


def newsletter_slots(session: Session, today: date) -> list[NewsletterSlot]:
    """This month's editorial slots of the annual calendar, each with whether a newsletter of
    its kind has gone out (or is scheduled) this month, as the compliance view counts them."""
    start, end = compliance.month_bounds(today.year, today.month)
    slots = session.exec(
        select(CalendarEvent)
        .where(
            col(CalendarEvent.kind).in_(calendar_events.EDITORIAL_KINDS),
            col(CalendarEvent.cancelled_at).is_(None),
            col(CalendarEvent.starts_at) >= start,
            col(CalendarEvent.starts_at) < end,
        )
        .order_by(col(CalendarEvent.starts_at), col(CalendarEvent.id))
    ).all()
    if not slots:
        return []
    letters = session.exec(
        select(Newsletter.kind, Newsletter.status).where(
            col(Newsletter.kind).in_(list(SLOT_LETTERS.values())),
            col(Newsletter.status).in_(
                [NewsletterStatus.scheduled, NewsletterStatus.sending, NewsletterStatus.sent]
            ),
            func.coalesce(col(Newsletter.sent_at), col(Newsletter.scheduled_at)) >= start,
            func.coalesce(col(Newsletter.sent_at), col(Newsletter.scheduled_at)) < end,
        )
    ).all()
    sent = {kind for kind, status in letters if status == NewsletterStatus.sent}
    scheduled = {kind for kind, status in letters if status != NewsletterStatus.sent}
    found = []
    for slot in slots:
        kind = SLOT_LETTERS[EventKind(slot.kind)]
        due = local_date(slot.starts_at)
        if kind in sent:
            state = SENT
        elif kind in scheduled:
            state = SCHEDULED
        else:
            state = LATE if today > due else DUE
        found.append(
            NewsletterSlot(
                title=calendar_labels.title(slot),
                due=due,
                state=state,
                url=f"/newsletters?kind={kind.value}",
            )
        )
    return found


def overdue_initiatives(session: Session, today: date) -> int:
    """Initiatives whose receipt or answer is late, everywhere."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Initiative)
            .where(initiative_lists.overdue_clause(today))
        ).one()
    )


def statements(session: Session, today: date) -> Statements:
    """Cycles whose proposal awaits its statement, and how many of them are past the deadline."""
    waiting = session.exec(select(BudgetCycle).where(BudgetCycle.step == CycleStep.proposal)).all()
    dues = [d for d in (cycle_steps.deadline(c) for c in waiting) if d is not None]
    years = sorted({c.year for c in waiting})
    return Statements(
        awaited=len(waiting),
        late=sum(1 for c in waiting if cycle_steps.overdue(c, today)),
        first_due=min(dues) if dues else None,
        url=f"/budget-cycles?year={years[0]}" if years else "/budget-cycles",
    )


def compliance_problems(session: Session, now: datetime) -> Compliance:
    """This year's compliance problems, counted by the compliance view's own rules."""
    today = local_date(now)
    houses = compliance.house_rows(session, today.year, now, only_problems=True)
    letters = compliance.newsletters(session, today.year, today)
    return Compliance(
        houses=len(houses),
        residents_behind=letters.residents_behind,
        months_missing=len(letters.missing_months),
    )
