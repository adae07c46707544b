"""Who someone is in the portal, derived from the data (residencies, seats, staff roles)."""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, or_, select

from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House, Residency
from app.models.people import Person, StaffKind, StaffRole
from app.models.yte import YteMember, YteTerm
from app.services.access.tenures import ADULT_AGE, age_on, votes


@dataclass
class Principal:
    """A logged-in person and every role they hold today."""

    person: Person
    resident_of: set[int] = field(default_factory=set)
    # Votes in the house (tenures.votes): a holder, co-holder or the holder's spouse or
    # partner, aged 18+.
    voter_of: set[int] = field(default_factory=set)
    committee_of: set[int] = field(default_factory=set)
    chair_of: set[int] = field(default_factory=set)
    manager_of: set[int] = field(default_factory=set)
    yte_member: bool = False
    staff: set[StaffKind] = field(default_factory=set)
    scopes: frozenset[str] | None = None  # None: a browser session, all the person's rights

    @property
    def id(self) -> int:
        """The person's id."""
        assert self.person.id is not None
        return self.person.id

    @property
    def is_admin(self) -> bool:
        """An administrator."""
        return StaffKind.admin in self.staff

    @property
    def is_management(self) -> bool:
        """Company management."""
        return StaffKind.management in self.staff

    @property
    def is_adviser(self) -> bool:
        """A housing adviser."""
        return StaffKind.housing_adviser in self.staff

    @property
    def is_manager(self) -> bool:
        """A property manager (of any house)."""
        return StaffKind.property_manager in self.staff or bool(self.manager_of)

    @property
    def is_chair(self) -> bool:
        """A sitting chair of any house."""
        return bool(self.chair_of)

    @property
    def houses(self) -> set[int]:
        """Every house the person has a role in."""
        return self.resident_of | self.committee_of | self.manager_of

    def role_names(self) -> list[str]:
        """Stable codes of the roles held, for display and tests."""
        names = []
        if self.resident_of:
            names.append("resident")
        if self.committee_of:
            names.append("committee")
        if self.chair_of:
            names.append("chair")
        if self.yte_member:
            names.append("yte")
        if self.is_manager:
            names.append("property_manager")
        names += sorted(k.value for k in self.staff if k != StaffKind.property_manager)
        return names


def is_adult(person: Person, on: date) -> bool:
    """Whether a person is 18 or older on a day (unknown birth date: no)."""
    years = age_on(person.birth_date, on)
    return years is not None and years >= ADULT_AGE


def current_residencies(session: Session, person_id: int, today: date) -> list[Residency]:
    """A person's residencies in force today."""
    return list(
        session.exec(
            select(Residency).where(
                Residency.person_id == person_id,
                Residency.starts_on <= today,
                or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= today),
            )
        )
    )


def load_principal(session: Session, person: Person, today: date) -> Principal:
    """Gather a person's roles for today."""
    assert person.id is not None
    principal = Principal(person=person)
    age = age_on(person.birth_date, today)
    for residency in current_residencies(session, person.id, today):
        principal.resident_of.add(residency.house_id)
        if votes(residency.tenure, age):
            principal.voter_of.add(residency.house_id)
    seats = session.exec(
        select(ResidentCommittee.house_id, CommitteeMember.position)
        .join(CommitteeMember, col(CommitteeMember.committee_id) == ResidentCommittee.id)
        .where(
            CommitteeMember.person_id == person.id,
            ResidentCommittee.term_start <= today,
            ResidentCommittee.term_end >= today,
        )
    )
    for house_id, position in seats:
        # A seat counts only while its holder lives in the house: moving out ends the role.
        if house_id not in principal.resident_of:
            continue
        principal.committee_of.add(house_id)
        if position == Position.chair:
            principal.chair_of.add(house_id)
    principal.staff = {
        StaffKind(kind)
        for kind in session.exec(select(StaffRole.kind).where(StaffRole.person_id == person.id))
    }
    # A house's manager acts for it only while holding the property-manager role.
    if StaffKind.property_manager in principal.staff:
        principal.manager_of = {
            house_id
            for house_id in session.exec(
                select(House.id).where(House.property_manager_id == person.id)
            )
            if house_id is not None
        }
    principal.yte_member = (
        session.exec(
            select(YteMember.id)
            .join(YteTerm, col(YteTerm.id) == YteMember.term_id)
            .where(
                YteMember.person_id == person.id,
                YteTerm.starts_on <= today,
                YteTerm.ends_on >= today,
            )
        ).first()
        is not None
    )
    return principal
