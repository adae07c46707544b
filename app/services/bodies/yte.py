"""Haso-yte: its two-year terms and its members, sitting chairs of the houses."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import exists, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.jinja import fmt_date
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House, Residency
from app.models.people import Person
from app.models.yte import YteMember, YteMemberPublic, YteTerm, YteTermCreate, YteTermPublic
from app.services.platform import audit

# Two years and a leap day: a term elected in January runs to the January two years later.
MAX_TERM_DAYS = 731


@dataclass
class MemberRow:
    """A member of a term, with the names a page or the API shows."""

    id: int
    person_id: int
    name: str
    house_id: int
    house_name: str
    is_chair: bool


@dataclass
class TermView:
    """A term and its members, the body's own chair first."""

    term: YteTerm
    members: list[MemberRow] = field(default_factory=list)

    @property
    def seats_left(self) -> int:
        """How many seats are still free."""
        return max(get_settings().yte_seats - len(self.members), 0)


@dataclass
class Candidate:
    """A sitting chair who may be added to a term, with their house."""

    person_id: int
    name: str
    house_id: int
    house_name: str

    @property
    def key(self) -> str:
        """The form value naming both the person and the house."""
        return f"{self.person_id}:{self.house_id}"


def _views(session: Session, *conditions: Any) -> list[TermView]:
    """Terms matching conditions with their members, newest first, in one query."""
    query = (
        select(YteTerm, YteMember, Person.name, House.name)
        .outerjoin(YteMember, col(YteMember.term_id) == YteTerm.id)
        .outerjoin(Person, col(Person.id) == YteMember.person_id)
        .outerjoin(House, col(House.id) == YteMember.house_id)
        .where(*conditions)
        .order_by(
            col(YteTerm.starts_on).desc(),
            col(YteTerm.id).desc(),
            col(YteMember.is_chair).desc(),
            col(Person.name),
        )
    )
    views: dict[int, TermView] = {}
    for term, member, person_name, house_name in session.exec(query):
        assert term.id is not None
        view = views.setdefault(term.id, TermView(term=term))
        if member is not None:
            assert member.id is not None
            view.members.append(
                MemberRow(
                    id=member.id,
                    person_id=member.person_id,
                    name=person_name or "",
                    house_id=member.house_id,
                    house_name=house_name or "",
                    is_chair=member.is_chair,
                )
            )
    return list(views.values())


def current_term(session: Session, today: date) -> TermView | None:
    """The term in force on a day, with its members; None between terms."""
    views = _views(session, col(YteTerm.starts_on) <= today, col(YteTerm.ends_on) >= today)
    return views[0] if views else None


def list_terms(session: Session) -> list[TermView]:
    """Every term with its members, newest first."""
    return _views(session)


def get_term(session: Session, term_id: int) -> YteTerm:
    """A term by id, or NotFound."""
    term = session.get(YteTerm, term_id)
    if term is None:
        raise NotFound()
    return term


def term_view(session: Session, term: YteTerm) -> TermView:
    """One term with its members."""
    views = _views(session, col(YteTerm.id) == term.id)
    return views[0] if views else TermView(term=term)


def public(view: TermView) -> YteTermPublic:
    """A term as the API shows it."""
    assert view.term.id is not None
    return YteTermPublic(
        id=view.term.id,
        starts_on=view.term.starts_on,
        ends_on=view.term.ends_on,
        members=[member_public(m) for m in view.members],
    )


def member_public(member: MemberRow) -> YteMemberPublic:
    """A member as the API shows them."""
    return YteMemberPublic(
        person_id=member.person_id,
        name=member.name,
        house_id=member.house_id,
        house_name=member.house_name,
        is_chair=member.is_chair,
    )


def create_term(session: Session, data: YteTermCreate, actor_id: int | None) -> YteTerm:
    """Record a new term: it ends after it starts, lasts at most two years, overlaps none."""
    if data.ends_on <= data.starts_on:
        raise ValidationFailed({"ends_on": _("The term must end after it starts.")})
    if (data.ends_on - data.starts_on).days > MAX_TERM_DAYS:
        raise ValidationFailed({"ends_on": _("A term of Haso-yte lasts at most two years.")})
    overlapping = session.exec(
        select(YteTerm)
        .where(col(YteTerm.starts_on) <= data.ends_on, col(YteTerm.ends_on) >= data.starts_on)
        .order_by(col(YteTerm.starts_on))
    ).first()
    if overlapping is not None:
        raise ValidationFailed(
            {
                "starts_on": _(
                    "The term overlaps the term %(start)s – %(end)s.",
                    start=fmt_date(overlapping.starts_on),
                    end=fmt_date(overlapping.ends_on),
                )
            }
        )
    term = YteTerm(starts_on=data.starts_on, ends_on=data.ends_on)
    session.add(term)
    session.flush()
    audit.record(session, actor_id, "create", term)
    return term


def _sitting_chairs(on: date) -> Any:
    """Who chairs which house's committee on a day (and still lives in that house then)."""
    lives_there = exists().where(
        col(Residency.person_id) == CommitteeMember.person_id,
        col(Residency.house_id) == ResidentCommittee.house_id,
        col(Residency.starts_on) <= on,
        or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= on),
    )
    return (
        select(Person.id, Person.name, House.id, House.name)
        .select_from(CommitteeMember)
        .join(ResidentCommittee, col(ResidentCommittee.id) == CommitteeMember.committee_id)
        .join(Person, col(Person.id) == CommitteeMember.person_id)
        .join(House, col(House.id) == ResidentCommittee.house_id)
        .where(
            col(CommitteeMember.position) == Position.chair,
            col(ResidentCommittee.term_start) <= on,
            col(ResidentCommittee.term_end) >= on,
            lives_there,
        )
    )


def is_sitting_chair(session: Session, person_id: int, house_id: int, on: date) -> bool:
    """Whether a person chairs a house's committee on a day."""
    query = _sitting_chairs(on).where(col(Person.id) == person_id, col(House.id) == house_id)
    return session.exec(query).first() is not None


def eligible_chairs(session: Session, term: YteTerm) -> list[Candidate]:
    """Sitting chairs on the term's start date whose person and house are not yet on it."""
    taken_people = select(YteMember.person_id).where(YteMember.term_id == term.id)
    taken_houses = select(YteMember.house_id).where(YteMember.term_id == term.id)
    query = (
        _sitting_chairs(term.starts_on)
        .where(
            col(Person.is_active),
            col(Person.id).not_in(taken_people),
            col(House.id).not_in(taken_houses),
        )
        .order_by(col(House.name), col(Person.name))
    )
    return [
        Candidate(person_id=pid, name=name, house_id=hid, house_name=house_name)
        for pid, name, hid, house_name in session.exec(query)
    ]


def add_member(
    session: Session, term: YteTerm, person_id: int, house_id: int, actor_id: int | None
) -> YteMember:
    """Seat a sitting chair of a house on a term; one seat per person and per house."""
    assert term.id is not None
    seats = get_settings().yte_seats
    taken = session.exec(
        select(func.count()).select_from(YteMember).where(YteMember.term_id == term.id)
    ).one()
    if taken >= seats:
        raise ValidationFailed(
            {"": _("Haso-yte already has all its %(n)s members for this term.", n=seats)}
        )
    person = session.get(Person, person_id)
    house = session.get(House, house_id)
    if person is None or not person.is_active:
        raise ValidationFailed({"person_id": _("There is no such person.")})
    if house is None:
        raise ValidationFailed({"house_id": _("There is no such house.")})
    if not is_sitting_chair(session, person_id, house_id, term.starts_on):
        raise ValidationFailed(
            {
                "person_id": _(
                    "%(name)s is not the chair of %(house)s's resident committee on %(day)s, "
                    "when the term starts. Only sitting chairs can be members.",
                    name=person.name,
                    house=house.name,
                    day=fmt_date(term.starts_on),
                )
            }
        )
    seated = session.exec(
        select(YteMember).where(
            YteMember.term_id == term.id,
            (col(YteMember.person_id) == person_id) | (col(YteMember.house_id) == house_id),
        )
    ).first()
    if seated is not None and seated.person_id == person_id:
        raise ValidationFailed(
            {"person_id": _("%(name)s is already a member for this term.", name=person.name)}
        )
    if seated is not None:
        raise ValidationFailed(
            {"house_id": _("%(house)s already has a member for this term.", house=house.name)}
        )
    member = YteMember(term_id=term.id, person_id=person_id, house_id=house_id)
    try:
        with session.begin_nested():  # another administrator may have seated them meanwhile
            session.add(member)
    except IntegrityError as exc:
        raise ValidationFailed(
            {"person_id": _("%(name)s is already a member for this term.", name=person.name)}
        ) from exc
    audit.record(session, actor_id, "create", member)
    return member


def _member_of(session: Session, term: YteTerm, member_id: int) -> YteMember:
    member = session.get(YteMember, member_id)
    if member is None or member.term_id != term.id:
        raise NotFound()
    return member


def remove_member(session: Session, term: YteTerm, member_id: int, actor_id: int | None) -> None:
    """Take a member off a term."""
    member = _member_of(session, term, member_id)
    audit.record(session, actor_id, "delete", member, audit.snapshot(member))
    session.delete(member)
    session.flush()


def set_body_chair(
    session: Session, term: YteTerm, member_id: int, actor_id: int | None
) -> YteMember:
    """Make a member the body's own chair for the term; whoever chaired before no longer does."""
    chosen = _member_of(session, term, member_id)
    # The sitting chair steps down first, then the new one takes over.
    members = session.exec(
        select(YteMember)
        .where(YteMember.term_id == term.id)
        .order_by(col(YteMember.is_chair).desc(), col(YteMember.id))
    )
    for member in members:
        wanted = member.id == chosen.id
        if member.is_chair != wanted:
            before = audit.snapshot(member)
            member.is_chair = wanted
            session.add(member)
            session.flush()
            audit.record(session, actor_id, "update", member, before)
    return chosen
