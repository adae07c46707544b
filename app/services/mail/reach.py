"""Whom a send to many people reaches, as the confirmation before it shows: how many, by which
channel, in which languages, and a few of their names (never a send on one click)."""

from dataclasses import dataclass, field

from app.i18n import LANGUAGES, N_
from app.models.people import Person

LANGUAGE_NAMES = {"fi": N_("Finnish"), "sv": N_("Swedish"), "en": N_("English")}
SAMPLE = 5  # the names shown


@dataclass
class Reach:
    """The people a send would reach."""

    recipients: int
    by_language: dict[str, int] = field(default_factory=dict)
    sample: list[str] = field(default_factory=list)

    @property
    def others(self) -> int:
        """The recipients not named in the sample."""
        return max(self.recipients - len(self.sample), 0)


def of_people(people: list[Person]) -> Reach:
    """The reach of a send to these people (each once)."""
    unique = {p.id: p for p in people}.values()
    counts = dict.fromkeys(LANGUAGES, 0)
    for person in unique:
        counts[person.language.value] = counts.get(person.language.value, 0) + 1
    names = sorted(p.name for p in unique)
    return Reach(recipients=len(names), by_language=counts, sample=names[:SAMPLE])
