"""The forum's publications: the agenda (mailed, with a calendar file) and the minutes per item."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import Conflict, Forbidden, ValidationFailed
from app.i18n import _
from app.jinja import fmt_date
from app.models.forum import AgendaItem, ForumSession, ItemKind
from app.models.forum_schemas import MinutesInput
from app.models.initiatives import AnswerInput, Initiative, State
from app.models.people import Person
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.forum import agenda as forum_agenda
from app.services.forum import policies
from app.services.forum import sessions as forum_service
from app.services.initiatives import transitions
from app.services.mail import delivery as mail_service
from app.services.platform import audit, ics, versioning

AGENDA_TEMPLATE = "forum_agenda"
LATE_PUBLICATION = forum_service.LATE_NOTICE  # the audit action of an agenda let out late


# ---- publication ---------------------------------------------------------------------------


def check_publishable(
    session: Session,
    forum_session: ForumSession,
    user: Principal,
    now: datetime | None = None,
    override: bool = False,
) -> bool:
    """Refuse what publishing the agenda now would refuse (before asking to confirm it);
    returns whether it would be published late (an administrator's override)."""
    now = now or utcnow()
    assert forum_session.id is not None
    forum_agenda.check_agenda_open(forum_session)
    agenda = forum_service.items(session, forum_session.id)
    if not agenda:
        raise ValidationFailed({"": _("Add at least one item to the agenda before publishing.")})
    if forum_service.has_started(forum_session, now):
        raise ValidationFailed({"": _("The session has already begun.")})
    if not forum_service.changed_since_publication(forum_session):
        raise ValidationFailed(
            {"": _("The agenda is already published and has not changed since.")}
        )
    deadline = forum_service.notice_deadline(forum_session)
    late = forum_service.local_date(now) > deadline
    if late:
        message = _(
            "The agenda must be published at least %(days)s days before the session (by "
            "%(deadline)s at the latest).",
            days=get_settings().forum_notice_days,
            deadline=fmt_date(deadline, "long"),
        )
        if not policies.can_override_forum_notice(user):
            raise ValidationFailed({"": message})
        if not override:
            raise ValidationFailed(
                {"override": message + " " + _("Tick the box to publish it late anyway.")}
            )
    return late


def publish_agenda(
    session: Session,
    forum_session: ForumSession,
    user: Principal,
    now: datetime | None = None,
    override: bool = False,
) -> int:
    """Publish the agenda and mail it to every participant; returns how many mails were queued.

    The notice (settings.forum_notice_days) is a rule: publishing later is refused unless an
    administrator overrides it, which is audited. Publishing again after a change mails the
    updated agenda again (a new message key per publication: the session's version); without a
    change, publishing again is refused, so nobody gets the same publication twice. The updated
    agenda's mail says what changed since the last publication.
    """
    now = now or utcnow()
    assert forum_session.id is not None
    late = check_publishable(session, forum_session, user, now, override)
    agenda = forum_service.items(session, forum_session.id)
    republished = forum_session.agenda_published_at is not None
    changes = forum_agenda.changes_since_publication(session, forum_session)
    before = audit.snapshot(forum_session)
    versioning.bump(session, forum_session, forum_session.version)
    forum_session.agenda_published_at = now
    forum_session.updated_at = now
    if late:
        forum_session.late_publication_by_id = user.id
    session.add(forum_session)
    session.flush()
    audit.record(session, user.id, LATE_PUBLICATION if late else "update", forum_session, before)
    key = f"forum:{forum_session.id}:agenda:{forum_session.version}"
    url = forum_service.session_url(forum_session)
    initiatives = forum_service.initiatives_of(session, agenda)
    base = get_settings().base_url.rstrip("/")
    queued = 0
    for person in forum_service.participants(session, forum_service.local_date(now)):
        delivery = mail_service.queue(
            session,
            key,
            person,
            AGENDA_TEMPLATE,
            forum_session=forum_session,
            items=agenda,
            initiatives=initiatives,
            url=url,
            ics_url=f"{url}/calendar.ics",
            base_url=base,
            republished=republished,
            changes=changes,
        )
        queued += delivery is not None
    return queued


# ---- minutes -------------------------------------------------------------------------------


@dataclass
class MinutesResult:
    """What saving an item's minutes did; note says why publishing the minutes will leave the
    item's initiative as it is (answered stays False: the minutes answer it when published)."""

    item: AgendaItem
    initiative: Initiative | None = None
    answered: bool = False
    note: str = ""


@dataclass
class PublishedMinutes:
    """What publishing the minutes did: the initiatives answered, and why others were not."""

    forum_session: ForumSession
    answered: list[Initiative] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _check(
    session: Session, forum_session: ForumSession, item: AgendaItem, data: MinutesInput
) -> None:
    errors: dict[str, str] = {}
    if data.outcome is not None:
        if item.initiative_id is None:
            errors["outcome"] = _("An outcome is recorded only for an item about an initiative.")
        elif not data.decision.strip():
            errors["decision"] = _("Write the decision or answer that goes with the outcome.")
    elif item.initiative_id is not None and data.decision.strip():
        # Without an outcome the decision would not reach the initiative, and nobody would
        # be told: a decision on an initiative is its answer.
        errors["outcome"] = _("Choose the outcome of the initiative.")
    has_follow_up = data.follow_up_owner_id is not None or data.follow_up_due is not None
    if has_follow_up and not data.follow_up.strip():
        errors["follow_up"] = _("Describe the follow-up.")
    if data.follow_up_owner_id is not None:
        today = forum_service.local_date(utcnow())
        allowed = {p.id for p in forum_service.participants(session, today)}
        if data.follow_up_owner_id not in allowed:
            errors["follow_up_owner_id"] = _("Choose a member of the management or of Haso-yte.")
    if errors:
        raise ValidationFailed(errors)


def _answer(
    session: Session,
    initiative: Initiative,
    item: AgendaItem,
    user: Principal,
    now: datetime,
) -> str:
    """Move the initiative to answered with the decision; "" on success, else the reason."""
    assert item.outcome is not None
    if (
        initiative.state == State.answered
        and initiative.outcome == item.outcome
        and initiative.answer == item.decision
    ):
        return ""  # saved again with the same decision: it is already the answer
    try:
        # One savepoint: either both moves are made or neither.
        with session.begin_nested():
            if initiative.state == State.submitted:
                transitions.transition(session, initiative, "receive", user, now)
            transitions.transition(
                session,
                initiative,
                "answer",
                user,
                now,
                answer=AnswerInput(outcome=item.outcome, answer=item.decision),
            )
    except ValidationFailed as exc:
        session.refresh(initiative)
        return next(iter(exc.errors.values()), "")
    except Forbidden:
        session.refresh(initiative)
        return _("You may not answer this initiative.")
    except Conflict:
        session.refresh(initiative)
        return _("Someone else changed the initiative in the meantime.")
    return ""


def _unanswerable(initiative: Initiative, item: AgendaItem, user: Principal) -> str:
    """Why the item's decision could not answer the initiative now, or "" if it could."""
    if (
        initiative.state == State.answered
        and initiative.outcome == item.outcome
        and initiative.answer == item.decision
    ):
        return ""
    first = "receive" if initiative.state == State.submitted else "answer"
    try:
        transitions.check_move(initiative, first, user)
    except ValidationFailed as exc:
        return next(iter(exc.errors.values()), "")
    except Forbidden:
        return _("You may not answer this initiative.")
    return ""


def check_minutes_open(forum_session: ForumSession) -> None:
    """Refuse changes to the minutes once they are published (the chairs have read them)."""
    if forum_session.minutes_published_at is not None:
        raise ValidationFailed({"": _("The minutes are published; they can no longer change.")})


def record(
    session: Session,
    forum_session: ForumSession,
    item: AgendaItem,
    data: MinutesInput,
    user: Principal,
    now: datetime | None = None,
) -> MinutesResult:
    """Save an item's (draft) minutes. A decision with an outcome answers the item's initiative
    when the minutes are published, not before: nobody is told of a draft.

    The result's note says already now when the initiative could not be answered (withdrawn,
    already answered otherwise...).
    """
    now = now or utcnow()
    check_minutes_open(forum_session)
    if not forum_service.has_started(forum_session, now):
        raise ValidationFailed({"": _("The minutes can be recorded once the session has begun.")})
    _check(session, forum_session, item, data)
    before = audit.snapshot(item)
    versioning.bump(session, item, data.version)
    item.discussion = data.discussion.strip()
    item.decision = data.decision.strip()
    item.outcome = data.outcome if item.initiative_id is not None else None
    item.follow_up = data.follow_up.strip()
    item.follow_up_owner_id = data.follow_up_owner_id
    item.follow_up_due = data.follow_up_due
    item.recorded_at = now
    session.add(item)
    session.flush()
    audit.record(session, user.id, "update", item, before)
    result = MinutesResult(item=item)
    if item.initiative_id is None or item.kind != ItemKind.initiative:
        return result
    initiative = session.get(Initiative, item.initiative_id)
    result.initiative = initiative
    if initiative is None or item.outcome is None:
        return result
    reason = _unanswerable(initiative, item, user)
    if reason:
        result.note = _(
            "The minutes were saved, but publishing them will not change the initiative "
            "“%(title)s”: %(reason)s",
            title=initiative.title,
            reason=reason,
        )
    return result


def publish_minutes(
    session: Session, forum_session: ForumSession, user: Principal, now: datetime | None = None
) -> PublishedMinutes:
    """Publish the minutes: every chair may read them from now on. Each decision with an
    outcome now answers its initiative (whose followers are told); the follow-up owners are
    mailed their tasks."""
    now = now or utcnow()
    if forum_session.minutes_published_at is not None:
        raise ValidationFailed({"": _("The minutes are already published.")})
    if not forum_service.has_started(forum_session, now):
        raise ValidationFailed({"": _("The minutes can be published once the session has begun.")})
    agenda = forum_service.items(session, forum_session.id or 0)
    missing = [i.title for i in agenda if i.recorded_at is None]
    if missing:
        raise ValidationFailed(
            {
                "": _(
                    "Record the minutes of every item first. Missing: %(items)s",
                    items=", ".join(missing),
                )
            }
        )
    before = audit.snapshot(forum_session)
    versioning.bump(session, forum_session, forum_session.version)
    forum_session.minutes_published_at = now
    forum_session.updated_at = now
    session.add(forum_session)
    session.flush()
    audit.record(session, user.id, "update", forum_session, before)
    published = PublishedMinutes(forum_session=forum_session)
    for item in agenda:
        if item.kind != ItemKind.initiative or item.initiative_id is None or not item.outcome:
            continue
        initiative = session.get(Initiative, item.initiative_id)
        if initiative is None:
            continue
        reason = _answer(session, initiative, item, user, now)
        if reason:
            published.notes.append(
                _(
                    "The initiative “%(title)s” was not changed: %(reason)s",
                    title=initiative.title,
                    reason=reason,
                )
            )
        elif initiative.state == State.answered:
            published.answered.append(initiative)
    _mail_follow_ups(session, forum_session, agenda)
    return published


def _mail_follow_ups(
    session: Session, forum_session: ForumSession, agenda: list[AgendaItem]
) -> None:
    """Tell each follow-up owner what they are to do and by when; once per item."""
    owners = follow_up_owners(session, agenda)
    url = forum_service.session_url(forum_session)
    for item in agenda:
        owner = owners.get(item.follow_up_owner_id or 0)
        if owner is None or not item.follow_up:
            continue
        mail_service.queue(
            session,
            f"forum:{forum_session.id}:follow-up:{item.id}",
            owner,
            "forum_follow_up",
            forum_session=forum_session,
            item=item,
            url=f"{url}#item-{item.id}",
        )


def follow_up_owners(session: Session, agenda: list[AgendaItem]) -> dict[int, Person]:
    """The people named as follow-up owners on an agenda, by id."""
    ids = {i.follow_up_owner_id for i in agenda if i.follow_up_owner_id is not None}
    if not ids:
        return {}
    found = session.exec(select(Person).where(col(Person.id).in_(ids)))
    return {p.id: p for p in found if p.id is not None}


def calendar(session: Session, forum_session: ForumSession) -> str:
    """The session as an iCalendar file: time, place, the remote link and the agenda."""
    assert forum_session.id is not None
    agenda = forum_service.items(session, forum_session.id)
    url = forum_service.session_url(forum_session)
    lines = []
    if forum_session.remote_link:
        lines += [_("Remote participation: %(link)s", link=forum_session.remote_link), ""]
    if agenda:
        lines.append(_("Agenda") + ":")
        lines += [f"{n}. {item.title}" for n, item in enumerate(agenda, start=1)]
        lines.append("")
    lines.append(url)
    event = ics.Event(
        uid=ics.uid("forum-session", forum_session.id),
        start=forum_session.starts_at,
        end=forum_service.ends_at(forum_session),
        summary=forum_session.title,
        location=forum_session.place,
        description="\n".join(lines),
        url=url,
        dtstamp=forum_session.updated_at,
        # Calendar programs replace a saved event only by a higher SEQUENCE (RFC 5545 3.8.7.4);
        # the version grows with every change of the session or its agenda.
        sequence=forum_session.version,
    )
    return ics.calendar([event], name=forum_session.title)
