"""Who may write, manage and read each kind of newsletter."""

from app.models.calendar import Audience
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.services.access import audiences
from app.services.access.policies import User, can_manage_house, is_staff_overseer

# Whom each kind of newsletter goes to (a house bulletin: the house's residents).
NEWSLETTER_AUDIENCES = {
    NewsletterKind.chairs: Audience.all_chairs,
    NewsletterKind.residents: Audience.all_residents,
    NewsletterKind.house: Audience.house_residents,
}


NEWSLETTER_EDITABLE = frozenset(
    {NewsletterStatus.draft, NewsletterStatus.scheduled, NewsletterStatus.cancelled}
)


def can_write_newsletter(user: User, kind: NewsletterKind, house_id: int | None = None) -> bool:
    """Write a newsletter of a kind: the chairs' and residents' newsletters management and
    administrators; a house's bulletin its property manager, its committee and management."""
    if user is None:
        return False
    if kind != NewsletterKind.house:
        return is_staff_overseer(user)
    return house_id is not None and (
        can_manage_house(user, house_id) or house_id in user.committee_of
    )


def can_write_newsletters(user: User) -> bool:
    """Start a newsletter of some kind: an overseer, a property manager or a committee member."""
    return user is not None and (
        is_staff_overseer(user) or bool(user.manager_of) or bool(user.committee_of)
    )


def can_manage_newsletter(user: User, newsletter: Newsletter) -> bool:
    """Preview, test, schedule or cancel a newsletter: whoever may write its kind."""
    return can_write_newsletter(user, newsletter.kind, newsletter.house_id)


def can_edit_newsletter(user: User, newsletter: Newsletter) -> bool:
    """Change a newsletter's text: its writers, until sending begins."""
    return newsletter.status in NEWSLETTER_EDITABLE and can_manage_newsletter(user, newsletter)


def can_cancel_newsletter(user: User, newsletter: Newsletter) -> bool:
    """Stop a scheduled newsletter before it goes: its writers."""
    return newsletter.status == NewsletterStatus.scheduled and can_manage_newsletter(
        user, newsletter
    )


def can_list_newsletters(user: User) -> bool:
    """Open the newsletter archive (it lists only what the user may read)."""
    return user is not None


def can_read_newsletter(user: User, newsletter: Newsletter) -> bool:
    """Read a newsletter: its writers always (drafts included), management and administrators,
    and once it is sent, whoever belongs to its audience today."""
    if user is None:
        return False
    if can_manage_newsletter(user, newsletter) or is_staff_overseer(user):
        return True
    if newsletter.status != NewsletterStatus.sent:
        return False
    audience = NEWSLETTER_AUDIENCES[NewsletterKind(newsletter.kind)]
    return audiences.includes(user, audience, newsletter.house_id)
