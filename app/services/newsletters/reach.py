"""Whom a newsletter reaches, as the confirmation before sending shows it: how many people, by
which channel, in which languages, and a few of their names.

Newsletters go by mail at once to everyone who has not turned them off: their topics know only
"at once" and "off" (app.services.mail.preferences), so no reader gets one in a digest.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.i18n import LANGUAGES
from app.models.newsletters import Newsletter
from app.models.people import Person
from app.services.newsletters import content as newsletter_content
from app.services.newsletters import sending

CHANNEL = "mail"
SAMPLE = 5  # the names shown
_CHUNK = 5000  # ids per IN list (see sending._people)


@dataclass
class LanguageReach:
    """The readers of one language."""

    language: str
    recipients: int
    own_text: bool  # False: they get the Finnish text


@dataclass
class Reach:
    """Whom a newsletter would reach if it went now."""

    recipients: int
    languages: list[LanguageReach]
    sample: list[str]
    channel: str = CHANNEL

    @property
    def others(self) -> int:
        """The recipients not named in the sample."""
        return max(self.recipients - len(self.sample), 0)


def _chunks(ids: set[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def of_ids(session: Session, newsletter: Newsletter, ids: set[int]) -> Reach:
    """The reach of a newsletter to these people."""
    counts = dict.fromkeys(LANGUAGES, 0)
    for part in _chunks(ids):
        rows = session.exec(
            select(col(Person.language), func.count())
            .where(col(Person.id).in_(part))
            .group_by(col(Person.language))
        )
        for language, number in rows:
            counts[language.value] = counts.get(language.value, 0) + number
    first = next(_chunks(ids), [])
    sample = list(
        session.exec(
            select(col(Person.name))
            .where(col(Person.id).in_(first))
            .order_by(col(Person.name), col(Person.id))
            .limit(SAMPLE)
        )
    )
    return Reach(
        recipients=len(ids),
        languages=[
            LanguageReach(lang, counts[lang], newsletter_content.has_own_text(newsletter, lang))
            for lang in LANGUAGES
        ],
        sample=sample,
    )


def of(session: Session, newsletter: Newsletter, today: date) -> Reach:
    """The reach of a newsletter to its audience today, without those who turned it off."""
    return of_ids(session, newsletter, sending.recipient_ids(session, newsletter, today))
