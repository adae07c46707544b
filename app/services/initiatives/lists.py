"""Initiative lists: who sees what (as SQL, the same rule as the policy), filters, queues."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, true
from sqlmodel import Session, col, select

from app.models.initiatives import Initiative, InitiativeFollower, Scope, State
from app.models.participation import Participation
from app.models.types import HELSINKI, local_date
from app.services.access import policies as access_policies
from app.services.access.roles import Principal
from app.services.initiatives import lifecycle
from app.services.platform.search import contains

# ---- who sees what, as SQL (the same rule as policies.can_view_initiative) ---------------


def visible_clause(user: Principal | None) -> ColumnElement[bool]:
    """A WHERE condition selecting exactly the initiatives policies.can_view_initiative allows."""
    if user is None:
        return false()
    me = user.id
    state = col(Initiative.state)
    # Withdrawn before submission: still the draft or the suggestion it was (private_kind).
    unsubmitted = and_(state == State.withdrawn, col(Initiative.submitted_at).is_(None))
    draft_like = or_(
        state == State.draft, and_(unsubmitted, col(Initiative.filed_by_id).is_not(None))
    )
    suggestion_like = or_(
        state.in_([State.suggested, State.declined]),
        and_(unsubmitted, col(Initiative.filed_by_id).is_(None)),
    )
    committee = sorted(user.committee_of)
    own_draft = and_(
        draft_like,
        or_(col(Initiative.filed_by_id) == me, col(Initiative.suggested_by_id) == me),
    )
    suggestions = and_(
        suggestion_like,
        or_(
            col(Initiative.suggested_by_id) == me,
            col(Initiative.house_id).in_(committee) if committee else false(),
        ),
    )
    mine = or_(
        col(Initiative.filed_by_id) == me,
        col(Initiative.suggested_by_id) == me,
        col(Initiative.assignee_id) == me,
    )
    public = not_(or_(draft_like, suggestion_like))  # no NULLs inside: NOT is safe
    if access_policies.is_staff_overseer(user):
        audience: ColumnElement[bool] = true()
    else:
        houses = sorted(user.resident_of | user.committee_of | user.manager_of)
        house_scope = and_(
            col(Initiative.scope) == Scope.house,
            col(Initiative.house_id).in_(houses) if houses else false(),
        )
        company_scope = (
            col(Initiative.scope) == Scope.company
            if (user.is_chair or user.yte_member)
            else false()
        )
        audience = or_(house_scope, company_scope)
    return or_(own_draft, suggestions, and_(public, or_(mine, audience)))


def overdue_clause(today: date) -> ColumnElement[bool]:
    """Initiatives whose receipt or answer is late."""
    return or_(
        and_(
            col(Initiative.state).in_(lifecycle.AWAITING_RECEIPT),
            col(Initiative.receipt_due_on) < today,
        ),
        and_(
            col(Initiative.state).in_(lifecycle.AWAITING_ANSWER),
            col(Initiative.answer_due_on) < today,
        ),
    )


def is_overdue(initiative: Initiative, today: date) -> bool:
    """Whether the receipt or the answer is late."""
    if initiative.state in lifecycle.AWAITING_RECEIPT and initiative.receipt_due_on:
        return initiative.receipt_due_on < today
    if initiative.state in lifecycle.AWAITING_ANSWER and initiative.answer_due_on:
        return initiative.answer_due_on < today
    return False


# ---- lists ---------------------------------------------------------------------------------


@dataclass
class Filters:
    """The list's filters; empty values filter nothing."""

    q: str = ""
    house_id: int | None = None
    scope: Scope | None = None
    state: State | None = None
    participation: Participation | None = None
    year: int | None = None
    overdue: bool = False
    mine: bool = False  # filed, suggested, assigned or followed by the user


def _filtered(user: Principal, filters: Filters, today: date):  # type: ignore[no-untyped-def]
    query = select(Initiative).where(visible_clause(user))
    if filters.q.strip():
        query = query.where(contains(filters.q, Initiative.title, Initiative.body))
    if filters.house_id is not None:
        query = query.where(Initiative.house_id == filters.house_id)
    if filters.scope is not None:
        query = query.where(Initiative.scope == filters.scope)
    if filters.state is not None:
        query = query.where(Initiative.state == filters.state)
    if filters.participation is not None:
        query = query.where(Initiative.participation == filters.participation)
    if filters.year is not None:
        start = datetime(filters.year, 1, 1, tzinfo=HELSINKI)
        end = datetime(filters.year + 1, 1, 1, tzinfo=HELSINKI)
        created = col(Initiative.created_at)
        query = query.where(created >= start, created < end)
    if filters.overdue:
        query = query.where(overdue_clause(today))
    if filters.mine:
        followed = select(InitiativeFollower.initiative_id).where(
            InitiativeFollower.person_id == user.id
        )
        query = query.where(
            or_(
                col(Initiative.filed_by_id) == user.id,
                col(Initiative.suggested_by_id) == user.id,
                col(Initiative.assignee_id) == user.id,
                col(Initiative.id).in_(followed),
            )
        )
    return query


def search(
    session: Session,
    user: Principal,
    filters: Filters,
    today: date,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Initiative], int]:
    """The initiatives the user may see that match the filters, newest first, and their count."""
    query = _filtered(user, filters, today)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Initiative.created_at).desc(), col(Initiative.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total)


def all_matching(
    session: Session, user: Principal, filters: Filters, today: date
) -> list[Initiative]:
    """Every match, oldest first (for the CSV export)."""
    query = _filtered(user, filters, today)
    return list(session.exec(query.order_by(col(Initiative.id))))


def years(session: Session, user: Principal) -> list[int]:
    """The years in which initiatives the user may see were created, newest first (for the
    year filter: a year of someone else's draft alone must not show that it exists)."""
    # Asked of the database year by year: the first and last creation of all (read off the
    # created_at index), then one EXISTS per year between them. Loading every visible timestamp
    # into Python was most of the list page's time at 30,000 initiatives.
    visible = visible_clause(user)
    created = col(Initiative.created_at)
    first = session.exec(select(func.min(created))).one()
    last = session.exec(select(func.max(created))).one()
    if first is None or last is None:
        return []
    found = []
    for year in range(local_date(last).year, local_date(first).year - 1, -1):
        start = datetime(year, 1, 1, tzinfo=HELSINKI)
        end = datetime(year + 1, 1, 1, tzinfo=HELSINKI)
        hit = select(Initiative.id).where(visible, created >= start, created < end).limit(1)
        if session.exec(hit).first() is not None:
            found.append(year)
    return found


def forum_queue(session: Session) -> list[Initiative]:
    """Company initiatives received and awaiting an answer: candidates for a forum agenda."""
    return list(
        session.exec(
            select(Initiative)
            .where(
                Initiative.scope == Scope.company,
                col(Initiative.state).in_([State.submitted, State.received, State.in_preparation]),
            )
            .order_by(col(Initiative.submitted_at), col(Initiative.id))
        )
    )
