"""The main menu: grouped by what people do, at most seven entries at the top, per role."""

from dataclasses import dataclass, field

from app.i18n import _
from app.services.access.policies import can_administer
from app.services.access.roles import Principal
from app.services.ballots.policies import can_view_elections, can_view_surveys
from app.services.calendar.policies import can_view_calendar
from app.services.compliance.policies import can_view_compliance
from app.services.finances.policies import can_view_company_finances
from app.services.forum.policies import can_view_forum
from app.services.overview.policies import can_open_participation_profile


@dataclass
class Link:
    """One page of the menu."""

    href: str
    label: str
    current: bool = False


@dataclass
class Entry:
    """A top-level entry: one page, or a group of pages that opens as a list."""

    label: str
    href: str | None = None  # a page of its own; None for a group
    links: list[Link] = field(default_factory=list)
    current: bool = False

    @property
    def is_group(self) -> bool:
        return self.href is None


def _here(path: str, href: str) -> bool:
    if href == "/":
        return path == "/"
    return path == href or path.startswith(href + "/")


def _entry(label: str, links: list[Link], path: str) -> Entry | None:
    """A group of the links the person may open; a single link stands on its own."""
    for link in links:
        link.current = _here(path, link.href)
    if not links:
        return None
    if len(links) == 1:
        return Entry(label=links[0].label, href=links[0].href, current=links[0].current)
    return Entry(label=label, links=links, current=any(link.current for link in links))


def site_menu(user: Principal | None, path: str) -> list[Entry]:
    """The menu of a logged-in person, the page they are on marked; empty when logged out."""
    if user is None:
        return []
    take_part = [Link("/initiatives", _("Initiatives"))]
    if can_view_surveys(user):
        take_part.append(Link("/surveys", _("Surveys")))
    if can_view_elections(user):
        take_part.append(Link("/elections", _("Elections")))
    take_part.append(Link("/participation", _("Kinds of participation")))

    news = [Link("/newsletters", _("Newsletters"))]
    if can_view_calendar(user):
        news.insert(0, Link("/calendar", _("Calendar")))

    company = [Link("/houses", _("Houses")), Link("/yte", _("Haso-yte"))]
    if can_view_forum(user):
        company.append(Link("/forum", _("Cooperation forum")))
    if can_view_company_finances(user):
        company.append(Link("/finances", _("Finances")))
    elif user.manager_of:
        company.append(Link("/budget-cycles", _("Budget cycles")))
    if can_open_participation_profile(user):
        company.append(Link("/participation-profile", _("Participation profile")))

    administration = []
    if can_view_compliance(user):
        administration.append(Link("/compliance", _("Compliance")))
    if can_administer(user):
        administration.append(Link("/admin", _("Administration")))

    front = Link("/", _("Front page"))
    entries = [
        Entry(label=front.label, href=front.href, current=_here(path, "/")),
        _entry(_("Take part"), take_part, path),
        *[_entry(link.label, [link], path) for link in news],
        _entry(_("The company"), company, path),
        _entry(_("Administration"), administration, path),
    ]
    return [entry for entry in entries if entry is not None]
