"""Newsletters: drafts in Markdown, scheduling, cancelling, the archive and sending progress.

Who gets a newsletter, what it says besides its text and how it is sent: newsletter_audience.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import NotFound, ValidationFailed
from app.i18n import N_, _, ngettext
from app.models.houses import House
from app.models.mail import Delivery, DeliveryStatus
from app.models.newsletter_schemas import NewsletterCreate, NewsletterUpdate, Translations
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus, Topic
from app.models.types import local_date, to_utc, utcnow
from app.services.access import policies as access_policies
from app.services.access.roles import Principal
from app.services.newsletters import policies as newsletters_policies
from app.services.newsletters import reach as newsletter_reach
from app.services.newsletters import sending as newsletter_audience
from app.services.platform import audit, versioning

MAX_DAYS_AHEAD = 366  # a send further ahead is a typo
CONFIRMATION = "confirm_recipients"  # the field that confirms a sending: the number of people

KIND_LABELS = {
    NewsletterKind.chairs: N_("Chairs' newsletter (Puheenjohtajaposti)"),
    NewsletterKind.residents: N_("Residents' newsletter"),
    NewsletterKind.house: N_("House bulletin"),
}
STATUS_LABELS = {
    NewsletterStatus.draft: N_("Draft"),
    NewsletterStatus.scheduled: N_("Scheduled"),
    NewsletterStatus.sending: N_("Sending"),
    NewsletterStatus.sent: N_("Sent"),
    NewsletterStatus.cancelled: N_("Cancelled"),
}
TOPICS = newsletter_audience.TOPICS


def url(newsletter: Newsletter) -> str:
    """The newsletter's page in the portal, as an absolute address (for mails)."""
    return f"{get_settings().base_url.rstrip('/')}/newsletters/{newsletter.id}"


def get(session: Session, newsletter_id: int) -> Newsletter:
    """A newsletter by id, or NotFound."""
    found = session.get(Newsletter, newsletter_id)
    if found is None:
        raise NotFound()
    return found


def writable_kinds(user: Principal) -> list[NewsletterKind]:
    """The kinds a user may write somewhere (a house bulletin: for some house)."""
    kinds = [k for k in NewsletterKind if k != NewsletterKind.house]
    allowed: list[NewsletterKind] = [
        k for k in kinds if newsletters_policies.can_write_newsletter(user, k)
    ]
    if access_policies.is_staff_overseer(user) or user.manager_of or user.committee_of:
        allowed.append(NewsletterKind.house)
    return allowed


def writable_houses(session: Session, user: Principal) -> list[House]:
    """The houses whose bulletin a user may write, by name."""
    houses = session.exec(select(House).order_by(col(House.name), col(House.id)))
    return [
        h
        for h in houses
        if h.id is not None
        and newsletters_policies.can_write_newsletter(user, NewsletterKind.house, h.id)
    ]


def house_of(session: Session, newsletter: Newsletter) -> House | None:
    """A house bulletin's house."""
    return session.get(House, newsletter.house_id) if newsletter.house_id else None


# ---- the archive ---------------------------------------------------------------------------


def readable(
    session: Session, user: Principal, kind: NewsletterKind | None = None
) -> list[Newsletter]:
    """The newsletters a user may read, newest first: sent ones to their audiences today,
    everything to management, and the writers' own drafts and scheduled ones."""
    query = select(Newsletter)
    if kind is not None:
        query = query.where(Newsletter.kind == kind)
    if not newsletters_policies.can_write_newsletters(
        user
    ) and not access_policies.is_staff_overseer(user):
        query = query.where(Newsletter.status == NewsletterStatus.sent)
    found = [n for n in session.exec(query) if newsletters_policies.can_read_newsletter(user, n)]
    return sorted(found, key=lambda n: (n.sent_at or n.updated_at, n.id or 0), reverse=True)


@dataclass
class Progress:
    """How a newsletter's deliveries stand."""

    sent: int = 0
    failed: int = 0
    pending: int = 0  # waiting, or being sent right now

    @property
    def total(self) -> int:
        """Every delivery written."""
        return self.sent + self.failed + self.pending


def progress(session: Session, newsletter_id: int) -> Progress:
    """Counts of sent, failed and pending deliveries of a newsletter."""
    rows = session.exec(
        select(Delivery.status, func.count())
        .where(Delivery.newsletter_id == newsletter_id)
        .group_by(Delivery.status)
    )
    result = Progress()
    for status, count in rows:
        if status == DeliveryStatus.sent:
            result.sent += count
        elif status == DeliveryStatus.failed:
            result.failed += count
        else:
            result.pending += count
    return result


# ---- drafts --------------------------------------------------------------------------------


def create(
    session: Session, data: NewsletterCreate, user: Principal, now: datetime | None = None
) -> Newsletter:
    """Start a draft of a kind the user may write (a house bulletin for a house of theirs)."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    house_id = data.house_id if data.kind == NewsletterKind.house else None
    if data.kind == NewsletterKind.house:
        if house_id is None or session.get(House, house_id) is None:
            errors["house_id"] = _("Choose the house.")
        elif not newsletters_policies.can_write_newsletter(user, data.kind, house_id):
            errors["house_id"] = _("You may not write this house's bulletin.")
    elif not newsletters_policies.can_write_newsletter(user, data.kind):
        errors["kind"] = _("You may not write this kind of newsletter.")
    title = data.title.strip()
    if not title:
        errors["title"] = _("This field is required.")
    errors.update(_translation_errors(data))
    if errors:
        raise ValidationFailed(errors)
    newsletter = Newsletter(
        kind=data.kind,
        house_id=house_id,
        title=title,
        body_md=data.body_md,
        participation=data.participation,
        include_events=data.include_events,
        include_initiatives=data.include_initiatives,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    for name, value in _translations(data).items():
        setattr(newsletter, name, value)
    session.add(newsletter)
    session.flush()
    audit.record(session, user.id, "create", newsletter)
    return newsletter


MISSING_TITLES = {
    "sv": N_("Give the Swedish text a title in Swedish too."),
    "en": N_("Give the English text a title in English too."),
}


def _translation_errors(data: Translations) -> dict[str, str]:
    """A Swedish or English text needs its title: else its readers get a Finnish subject."""
    errors = {}
    for lang, message in MISSING_TITLES.items():
        body, title = getattr(data, f"body_md_{lang}"), getattr(data, f"title_{lang}")
        if body.strip() and not title.strip():
            errors[f"title_{lang}"] = _(message)
    return errors


def _translations(data: Translations) -> dict[str, str]:
    """The Swedish and English titles and texts as stored (a text of blanks is no text)."""
    values = {}
    for lang in MISSING_TITLES:
        body = getattr(data, f"body_md_{lang}")
        values[f"title_{lang}"] = getattr(data, f"title_{lang}").strip()
        values[f"body_md_{lang}"] = body if body.strip() else ""
    return values


def _check_editable(newsletter: Newsletter) -> None:
    if newsletter.status not in newsletters_policies.NEWSLETTER_EDITABLE:
        raise ValidationFailed({"": _("A newsletter cannot be changed once sending has begun.")})


def update(
    session: Session,
    newsletter: Newsletter,
    data: NewsletterUpdate,
    user: Principal,
    now: datetime | None = None,
) -> Newsletter:
    """Save a changed text; a stale version conflicts, a sent newsletter stays as it went."""
    now = now or utcnow()
    _check_editable(newsletter)
    title = data.title.strip()
    errors = _translation_errors(data)
    if not title:
        errors["title"] = _("This field is required.")
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(newsletter)
    versioning.bump(session, newsletter, data.version)
    newsletter.title = title
    newsletter.body_md = data.body_md
    for name, value in _translations(data).items():
        setattr(newsletter, name, value)
    newsletter.participation = data.participation
    newsletter.include_events = data.include_events
    newsletter.include_initiatives = data.include_initiatives
    newsletter.updated_at = now
    session.add(newsletter)
    session.flush()
    audit.record(session, user.id, "update", newsletter, before)
    return newsletter


# ---- scheduling ----------------------------------------------------------------------------


def check_schedule(
    session: Session,
    newsletter: Newsletter,
    at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[datetime, newsletter_reach.Reach]:
    """When a newsletter would go (at a time, a zone-less one Helsinki time; now when at is
    None) and whom it reaches today, for the confirmation before sending.

    Refused: a newsletter past sending, a time in the past, a newsletter without text, and an
    audience with nobody in it today (the audience is resolved again when sending, so it may
    still change).
    """
    now = now or utcnow()
    _check_editable(newsletter)
    errors: dict[str, str] = {}
    when = now
    if at is not None:
        try:
            when = to_utc(at)
        except OverflowError:  # e.g. the year 1, which has no UTC equivalent
            when = datetime.min.replace(tzinfo=now.tzinfo)
        # A datetime-local field has whole minutes: the current minute still counts as now.
        if when < now.replace(second=0, microsecond=0):
            errors["scheduled_at"] = _("Choose a time in the future.")
        elif when > now + timedelta(days=MAX_DAYS_AHEAD):
            errors["scheduled_at"] = _("A newsletter can be scheduled at most a year ahead.")
        when = max(when, now)
    found = newsletter_reach.Reach(0, [], [])
    if not newsletter.body_md.strip():
        errors[""] = _("Write the newsletter's text before sending it.")
    else:
        found = newsletter_reach.of(session, newsletter, local_date(now))
        if not found.recipients:
            errors[""] = _(
                "Nobody would receive this newsletter: its audience is empty today "
                "(or everyone in it has unsubscribed)."
            )
    if errors:
        raise ValidationFailed(errors)
    return when, found


def schedule(
    session: Session,
    newsletter: Newsletter,
    user: Principal,
    version: int,
    at: datetime | None = None,
    now: datetime | None = None,
    *,
    confirm_recipients: int | None = None,
) -> Newsletter:
    """Schedule sending at a time (a zone-less one is Helsinki time), or now when at is None,
    once confirmed: confirm_recipients must be the number of recipients the confirmation
    showed, and still be the audience's size (check_schedule says what else is refused)."""
    now = now or utcnow()
    when, found = check_schedule(session, newsletter, at, now)
    if confirm_recipients is None:
        raise ValidationFailed(
            {
                CONFIRMATION: _(
                    "Nothing was sent: confirm the sending on the confirmation page, which "
                    "shows how many people the newsletter reaches."
                )
            }
        )
    if confirm_recipients != found.recipients:
        raise ValidationFailed(
            {
                CONFIRMATION: ngettext(
                    "Nothing was sent: the newsletter now reaches %(num)s person, not the "
                    "%(expected)s confirmed. Check the recipients and confirm again.",
                    "Nothing was sent: the newsletter now reaches %(num)s people, not the "
                    "%(expected)s confirmed. Check the recipients and confirm again.",
                    found.recipients,
                    expected=confirm_recipients,
                )
            }
        )
    return _move(
        session, newsletter, user, version, "schedule", now, NewsletterStatus.scheduled, when
    )


def cancel(
    session: Session,
    newsletter: Newsletter,
    user: Principal,
    version: int,
    now: datetime | None = None,
) -> Newsletter:
    """Stop a scheduled newsletter; it can be edited and scheduled again."""
    now = now or utcnow()
    if newsletter.status != NewsletterStatus.scheduled:
        raise ValidationFailed({"": _("Only a scheduled newsletter can be cancelled.")})
    return _move(
        session, newsletter, user, version, "cancel", now, NewsletterStatus.cancelled, None
    )


def _move(
    session: Session,
    newsletter: Newsletter,
    user: Principal,
    version: int,
    action: str,
    now: datetime,
    status: NewsletterStatus,
    scheduled_at: datetime | None,
) -> Newsletter:
    """Give a newsletter a new status and sending time from the version the user saw (audited)."""
    before = audit.snapshot(newsletter)
    versioning.bump(session, newsletter, version)
    newsletter.status = status
    newsletter.scheduled_at = scheduled_at
    newsletter.updated_at = now
    session.add(newsletter)
    session.flush()
    audit.record(session, user.id, action, newsletter, before)
    return newsletter


def topic_of(newsletter: Newsletter) -> Topic:
    """The mail choice that governs a newsletter."""
    return TOPICS[NewsletterKind(newsletter.kind)]
