"""What awaits a person on the front page, each task with its deadline: initiatives to
receive or answer, budget-cycle steps, minutes to record, meetings to convene (the residents'
demands among them), votes to cast and surveys to answer."""

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, exists, or_
from sqlmodel import Session, col, select

from app.i18n import _
from app.jinja import fmt_date
from app.models.ballots import Election, ElectionDelegate, ElectionParticipation
from app.models.calendar import Audience
from app.models.houses import House
from app.models.initiatives import Initiative, Scope, State
from app.models.surveys import Survey, SurveyParticipation
from app.models.types import HELSINKI, local_date
from app.services.access import audiences
from app.services.access import policies as access_policies
from app.services.access.roles import Principal
from app.services.ballots import voting
from app.services.bodies import demands as demands_service
from app.services.bodies import meetings as meetings_service
from app.services.finances import cycle_mail
from app.services.initiatives import lifecycle
from app.services.initiatives import lists as initiative_lists


@dataclass
class Task:
    """Something that awaits the person, with where to do it and by when."""

    text: str  # names the deadline as fmt_date(due) writes it; the page marks that up as a date
    url: str
    overdue: bool = False  # said in words, and such tasks come first
    due: date | None = None  # the deadline, when the task has one


def ordered(found: list[Task]) -> list[Task]:
    """Overdue tasks first, then by deadline; tasks without one last, in the order given."""
    return sorted(found, key=lambda t: (not t.overdue, t.due is None, t.due or date.max))


def all_tasks(session: Session, user: Principal, now: datetime) -> list[Task]:
    """Everything that awaits the person, overdue first, then by deadline."""
    return ordered(
        initiative_tasks(session, user, now)
        + tasks(session, user, now)
        + ballot_tasks(session, user, local_date(now))
    )


def tasks(session: Session, user: Principal, now: datetime) -> list[Task]:
    """What awaits a person besides initiatives: minutes to record, meetings to convene again,
    the budget-cycle steps that are theirs, houses still without this year's meeting."""
    found: list[Task] = []
    organised = user.committee_of | user.manager_of
    for demand, house in demands_service.open_due(session, organised):
        assert demand.due_at is not None
        # Due at once: dated by the day the demand was made, so it comes before later tasks.
        found.append(
            Task(
                text=_(
                    "The residents of %(house)s have demanded a resident meeting on "
                    "“%(matter)s” (%(date)s): convene it without delay",
                    house=house.name,
                    matter=demands_service.summarise(demand.matter),
                    date=fmt_date(demand.due_at),
                ),
                url=f"/houses/{house.id}/meetings/new",
                due=local_date(demand.due_at),
            )
        )
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
    today = local_date(now)
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
        found.append(Task(text=task.text, url=task.url, overdue=task.overdue, due=task.due))
    if user.manager_of:
        # The last day whose invitation still gives notice for a meeting on 31 December.
        last_call = meetings_service.invitation_deadline(
            datetime(today.year, 12, 31, 12, tzinfo=HELSINKI)
        )
        for house in meetings_service.houses_without_meeting(session, today.year, user.manager_of):
            found.append(
                Task(
                    text=_(
                        "No resident meeting yet this year: %(house)s. Send the invitation by "
                        "%(date)s at the latest.",
                        house=house.name,
                        date=fmt_date(last_call),
                    ),
                    url=f"/houses/{house.id}/meetings/new",
                    overdue=today > last_call,
                    due=last_call,
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
    """Initiatives awaiting the person (overdue first, then by deadline), the committee's
    suggestions to take up, the person's unsubmitted drafts."""
    today = local_date(now)
    visible = initiative_lists.visible_clause(user)
    awaiting = lifecycle.AWAITING_RECEIPT | lifecycle.AWAITING_ANSWER
    handled = session.exec(
        select(Initiative).where(visible, _handled_by(user), col(Initiative.state).in_(awaiting))
    )
    found: list[Task] = []
    for initiative in handled:
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
        found.append(
            Task(
                text=message,
                url=f"/initiatives/{initiative.id}",
                overdue=initiative_lists.is_overdue(initiative, today),
                due=due,
            )
        )
    result = ordered(found)
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
        result += [
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
    result += [
        Task(
            text=_("Your draft “%(title)s” has not been submitted yet", title=i.title),
            url=f"/initiatives/{i.id}",
        )
        for i in drafts
    ]
    return result


def ballot_tasks(session: Session, user: Principal, today: date) -> list[Task]:
    """Votes the person may still cast and open surveys meant for them not yet answered."""
    return vote_tasks(session, user, today) + survey_tasks(session, user, today)


def vote_tasks(session: Session, user: Principal, today: date) -> list[Task]:
    """Houses whose vote the person may cast in an election now voting, and that have not voted.

    voting.voting_houses (officer houses and named delegations) for every open election at once:
    a few queries however many elections are open.
    """
    open_elections = list(
        session.exec(
            select(Election)
            .where(
                Election.voting_opens_on <= today,
                Election.voting_closes_on >= today,
                col(Election.counted_at).is_(None),
            )
            .order_by(col(Election.voting_closes_on), col(Election.id))
        )
    )
    if not open_elections:
        return []
    ids = [e.id for e in open_elections]
    officer = set(voting.officer_houses(session, user.id, today))
    mine: dict[int | None, set[int]] = {e.id: set(officer) for e in open_elections}
    for election_id, house_id in session.exec(
        select(ElectionDelegate.election_id, ElectionDelegate.house_id).where(
            ElectionDelegate.person_id == user.id, col(ElectionDelegate.election_id).in_(ids)
        )
    ):
        mine[election_id].add(house_id)
    wanted = set().union(*mine.values())
    if not wanted:
        return []
    voted = set(
        session.exec(
            select(ElectionParticipation.election_id, ElectionParticipation.house_id).where(
                col(ElectionParticipation.election_id).in_(ids),
                col(ElectionParticipation.house_id).in_(sorted(wanted)),
            )
        ).all()
    )
    names = dict(
        session.exec(select(House.id, House.name).where(col(House.id).in_(sorted(wanted)))).all()
    )
    found = []
    for election in open_elections:
        for house_id in sorted(mine[election.id], key=lambda h: names.get(h, "")):
            if (election.id, house_id) in voted:
                continue
            found.append(
                Task(
                    text=_(
                        "Cast the vote of %(house)s in the election “%(title)s” by %(date)s",
                        house=names.get(house_id, ""),
                        title=election.title,
                        date=fmt_date(election.voting_closes_on),
                    ),
                    url=f"/elections/{election.id}",
                    due=election.voting_closes_on,
                )
            )
    return found


def survey_tasks(session: Session, user: Principal, today: date) -> list[Task]:
    """Open surveys meant for the person that they have not answered.

    Whether someone has answered is known even for an anonymous survey: its participation record
    says that they answered, never what (ballots/secrecy.py). Meant for: the survey's audience
    by the person's own roles (audiences.clause), not by a manager's or management's right to
    see every audience, nor a survey they made themselves.
    """
    own_roles = replace(user, staff=set(), manager_of=set())
    terms = []
    if user.resident_of or user.committee_of or user.yte_member:
        table = Survey.__table__.c  # type: ignore[attr-defined]
        terms.append(audiences.clause(own_roles, table.audience, table.house_id))
    if user.is_management:
        terms.append(col(Survey.audience) == Audience.management)
    if not terms:
        return []
    # Correlated on the participation's primary key (survey, person): no scan of everyone's.
    answered = exists().where(
        col(SurveyParticipation.survey_id) == col(Survey.id),
        col(SurveyParticipation.person_id) == user.id,
    )
    surveys = session.exec(
        select(Survey)
        .where(
            Survey.opens_on <= today,
            Survey.closes_on >= today,
            or_(*terms),
            ~answered,
            or_(col(Survey.created_by).is_(None), col(Survey.created_by) != user.id),
        )
        .order_by(col(Survey.closes_on), col(Survey.id))
    )
    return [
        Task(
            text=_(
                "Answer the survey “%(title)s”, open until %(date)s",
                title=survey.title,
                date=fmt_date(survey.closes_on),
            ),
            url=f"/surveys/{survey.id}",
            due=survey.closes_on,
        )
        for survey in surveys
    ]
