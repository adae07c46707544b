"""Notices to households: which apartments email reaches and which get a letter on paper.

A formal notice to a house's residents (the resident meeting's invitation: ASO act 47 §) goes to
each apartment: by email where the holder has given one, else in writing to the apartment's
postal address. Per apartment, then:

- someone there takes notices by email: the apartment is reached by email, and each person
  there who takes them by email gets the mail;
- nobody there does: one letter goes to the apartment, addressed to its people on paper, in
  their language (Finnish when they speak different ones).

Who was reached on which channel is recorded when the notice goes (NoticeRecipient), never twice
for a person, so the counts and the letters stay as they were sent when residents move later.
Any later per-apartment notice uses the same: households() now, record() at sending, reach()
and letters() afterwards.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.models.houses import Apartment, House
from app.models.notices import NoticeRecipient
from app.models.people import Language, NoticeChannel, Person
from app.models.types import utcnow
from app.services.bodies import apartments as apartments_service
from app.services.bodies import residencies as residencies_service


def takes_email(person: Person) -> bool:
    """Whether a person's notices go by email: they have an email and have not chosen paper."""
    return person.email is not None and person.notice_channel == NoticeChannel.email


def household_language(people: Iterable[Person]) -> str:
    """The language of a household's letter: the people's own, Finnish when they differ."""
    languages = {person.language.value for person in people}
    return languages.pop() if len(languages) == 1 else Language.fi.value


def postal_address(house: House, label: str) -> list[str]:
    """An apartment's postal address as Posti prints it: street and apartment, postal code and
    city in capitals ("Testikatu 5 A 12", "00100 HELSINKI")."""
    return [f"{house.street_address} {label}".strip(), f"{house.postal_code} {house.city.upper()}"]


@dataclass
class Household:
    """The people living in an apartment today (its row: None in a preview, see reach_now)."""

    label: str
    people: list[Person]
    apartment: Apartment | None = None

    @property
    def by_email(self) -> list[Person]:
        """Those whose notices go by email."""
        return [p for p in self.people if takes_email(p)]

    @property
    def on_paper(self) -> list[Person]:
        """Those whose notices go on paper."""
        return [p for p in self.people if not takes_email(p)]

    @property
    def channel(self) -> NoticeChannel:
        """How a notice reaches the apartment: by email if anyone there takes it so."""
        return NoticeChannel.email if self.by_email else NoticeChannel.paper

    @property
    def recipients(self) -> list[Person]:
        """Whom a notice to the apartment is sent to: the people by email, else those on paper."""
        return self.by_email if self.by_email else self.on_paper


def _grouped(session: Session, house_id: int, today: date) -> list[Household]:
    """A house's active residents today by apartment (A 2 before A 10), without rows."""
    found: dict[str, Household] = {}
    for resident in residencies_service.current(session, house_id, today):
        if not resident.person.is_active:
            continue
        label = resident.residency.apartment
        household = found.setdefault(
            apartments_service.key_of(house_id, label)[1], Household(label, [])
        )
        if resident.person not in household.people:
            household.people.append(resident.person)
    return list(found.values())


def households(session: Session, house_id: int, today: date) -> list[Household]:
    """A house's apartments with their active residents today, by apartment, each with its
    row (an apartment not recorded yet gets one: a notice is recorded against it)."""
    found = _grouped(session, house_id, today)
    rows = apartments_service.ensure(session, house_id, [h.label for h in found])
    for household in found:
        household.apartment = rows[household.label]
    return found


def preview(session: Session, house_id: int, today: date) -> list[Household]:
    """The same households without touching the database (for a confirmation, a page)."""
    return _grouped(session, house_id, today)


@dataclass
class Reach:
    """How many apartments and people a notice reaches on each channel."""

    email_apartments: int = 0
    email_people: int = 0
    paper_apartments: int = 0
    paper_people: int = 0

    @property
    def apartments(self) -> int:
        """Every apartment reached."""
        return self.email_apartments + self.paper_apartments

    @property
    def people(self) -> int:
        """Every person reached (by mail or named on a letter)."""
        return self.email_people + self.paper_people


def reach(found: Iterable[Household]) -> Reach:
    """The reach a notice to these households would have."""
    counts = Reach()
    for household in found:
        if household.channel == NoticeChannel.email:
            counts.email_apartments += 1
            counts.email_people += len(household.by_email)
        else:
            counts.paper_apartments += 1
            counts.paper_people += len(household.on_paper)
    return counts


def record(
    session: Session,
    notice_key: str,
    house_id: int,
    found: Iterable[Household],
    now: datetime | None = None,
) -> list[NoticeRecipient]:
    """Write whom a notice reaches, on which channel and in which language; a person already
    recorded for the notice is not written again. Returns the rows written now."""
    now = now or utcnow()
    done = set(
        session.exec(
            select(NoticeRecipient.person_id).where(NoticeRecipient.notice_key == notice_key)
        )
    )
    written: list[NoticeRecipient] = []
    for household in found:
        assert household.apartment is not None and household.apartment.id is not None
        channel = household.channel
        letter_language = household_language(household.on_paper)
        for person in household.recipients:
            assert person.id is not None
            if person.id in done:
                continue
            done.add(person.id)
            written.append(
                NoticeRecipient(
                    notice_key=notice_key,
                    house_id=house_id,
                    apartment_id=household.apartment.id,
                    person_id=person.id,
                    channel=channel,
                    language=(
                        person.language.value if channel == NoticeChannel.email else letter_language
                    ),
                    created_at=now,
                )
            )
    session.add_all(written)
    session.flush()
    return written


def recorded(session: Session, notice_key: str) -> list[NoticeRecipient]:
    """Who a sent notice reached, as recorded at sending."""
    return list(
        session.exec(
            select(NoticeRecipient)
            .where(NoticeRecipient.notice_key == notice_key)
            .order_by(col(NoticeRecipient.id))
        )
    )


def recorded_reach(session: Session, notice_key: str) -> Reach | None:
    """The reach of a sent notice as recorded; None when nothing was recorded for it."""
    rows = recorded(session, notice_key)
    if not rows:
        return None
    email = [r for r in rows if r.channel == NoticeChannel.email]
    paper = [r for r in rows if r.channel == NoticeChannel.paper]
    return Reach(
        email_apartments=len({r.apartment_id for r in email}),
        email_people=len(email),
        paper_apartments=len({r.apartment_id for r in paper}),
        paper_people=len(paper),
    )


@dataclass
class Letter:
    """One apartment's letter: to its people on paper, at its postal address, in a language."""

    house: House
    apartment: Apartment
    people: list[Person] = field(default_factory=list)
    language: str = Language.fi.value

    @property
    def names(self) -> list[str]:
        """Whom the letter is addressed to, as recorded at sending (read now: an erased person
        shows as erased)."""
        return [p.name for p in self.people]

    @property
    def address(self) -> list[str]:
        """The postal address under the names."""
        return postal_address(self.house, self.apartment.label)


def letters(session: Session, notice_key: str) -> list[Letter]:
    """The letters of a sent notice, one per apartment on paper, by house and apartment."""
    rows = [r for r in recorded(session, notice_key) if r.channel == NoticeChannel.paper]
    if not rows:
        return []
    people = {
        p.id: p
        for p in session.exec(
            select(Person).where(col(Person.id).in_(sorted({r.person_id for r in rows})))
        )
    }
    apartments = {
        a.id: a
        for a in session.exec(
            select(Apartment).where(col(Apartment.id).in_(sorted({r.apartment_id for r in rows})))
        )
    }
    houses = {
        h.id: h
        for h in session.exec(
            select(House).where(col(House.id).in_(sorted({r.house_id for r in rows})))
        )
    }
    found: dict[int, Letter] = {}
    for row in rows:
        letter = found.get(row.apartment_id)
        if letter is None:
            letter = Letter(houses[row.house_id], apartments[row.apartment_id], [], row.language)
            found[row.apartment_id] = letter
        letter.people.append(people[row.person_id])
    return sorted(
        found.values(),
        key=lambda letter: (
            letter.house.name,
            residencies_service.natural_key(letter.apartment.label),
        ),
    )
