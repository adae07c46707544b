"""The annual calendar's words: labels, titles in the viewer's language, audiences, rules."""

from sqlmodel import Session, col, select

from app import i18n
from app.i18n import N_, _, ngettext
from app.models.calendar import Audience, CalendarEvent, EventKind, EventTemplate, Mode, YearRule
from app.models.houses import House
from app.services.access import audiences
from app.services.calendar import generation as calendar_generation

AUDIENCE_LABELS = {
    Audience.all_chairs: N_("All chairs"),
    Audience.all_residents: N_("All residents"),
    Audience.yte: N_("Haso-yte and management"),
    Audience.management: N_("Management"),
    Audience.house_residents: N_("The house's residents"),
    Audience.house_committee: N_("The house's resident committee"),
}
KIND_LABELS = {
    EventKind.event: N_("Event"),
    EventKind.forum: N_("Cooperation forum"),
    EventKind.resident_meeting: N_("Resident meeting"),
    EventKind.election: N_("Election"),
    EventKind.chairs_newsletter: N_("Chairs' newsletter"),
    EventKind.residents_newsletter: N_("Residents' newsletter"),
}
MODE_LABELS = {
    Mode.physical: N_("On site"),
    Mode.online: N_("Online"),
    Mode.hybrid: N_("On site and online"),
}
YEAR_LABELS = {
    YearRule.every: N_("Every year"),
    YearRule.even: N_("Even years"),
    YearRule.odd: N_("Odd years"),
}
WEEKDAY_LABELS = [
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
]
WEEK_LABELS = {1: N_("First"), 2: N_("Second"), 3: N_("Third"), 4: N_("Fourth"), 5: N_("Last")}


# ---- texts ---------------------------------------------------------------------------------


def title(item: CalendarEvent | EventTemplate, lang: str | None = None) -> str:
    """The title in a language (the current one by default), falling back to Finnish."""
    lang = lang or i18n.get_language()
    return str(getattr(item, f"title_{lang}", "") or item.title_fi)


def description(item: CalendarEvent | EventTemplate, lang: str | None = None) -> str:
    """The description in a language, falling back to Finnish."""
    lang = lang or i18n.get_language()
    return str(getattr(item, f"description_{lang}", "") or item.description_fi)


def house_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """House names by id, for showing house audiences."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(House).where(col(House.id).in_(wanted)))
    return {h.id: h.name for h in rows if h.id is not None}


def house_options(session: Session) -> list[House]:
    """The houses to choose from, by name."""
    return list(session.exec(select(House).order_by(col(House.name), col(House.id))))


def audience_label(item: CalendarEvent | EventTemplate, houses: dict[int, str]) -> str:
    """Whom an event concerns, in the current language."""
    if item.audience in audiences.HOUSE_AUDIENCES:
        if item.house_id is None:
            if item.audience == Audience.house_residents:
                return _("The residents of every house")
            return _("The resident committee of every house")
        name = houses.get(item.house_id, "")
        if item.audience == Audience.house_residents:
            return _("Residents of %(house)s", house=name)
        return _("Resident committee of %(house)s", house=name)
    return _(AUDIENCE_LABELS[item.audience])


def rule_text(template: EventTemplate) -> str:
    """The template's date rule in words, e.g. "months 1, 6, 10: the third Tuesday"."""
    months = ", ".join(str(m) for m in calendar_generation.months_of(template))
    if template.weekday is None:
        day = _("day %(day)s", day=template.day)
    else:
        day = _(
            "%(week)s %(weekday)s",
            week=_(WEEK_LABELS.get(template.week, WEEK_LABELS[1])).lower(),
            weekday=_(WEEKDAY_LABELS[template.weekday]).lower(),
        )
    count = len(calendar_generation.months_of(template))
    text = ngettext(
        "Month %(months)s: %(day)s", "Months %(months)s: %(day)s", count, months=months, day=day
    )
    if template.years != YearRule.every:
        text += " (" + _(YEAR_LABELS[template.years]).lower() + ")"
    return text
