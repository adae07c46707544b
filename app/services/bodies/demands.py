"""Residents' demands for a resident meeting (ASO act 47 §).

Voters of a house (tenures.votes: adult holders, co-holders and holders' spouses or partners)
start a demand naming the matters they want handled, and co-sign the open demands of their
house; a signer may withdraw their signature while the demand is open. When the signatures
reach one tenth of the house's voters (rounded up; the voters counted at each signature, from
the current residencies), the demand is due: the house's committee and its property manager are
mailed at once (nobody twice), it is a task on their front page and a problem in the compliance
view until a resident meeting of the house is convened to start after it (meetings.create calls
close_for_meeting, which links the meeting).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import N_, _
from app.models.calendar import Audience
from app.models.demands import (
    MATTER_MAX_LENGTH,
    DemandStatus,
    MeetingDemand,
    MeetingDemandCreate,
    MeetingDemandSignature,
)
from app.models.houses import House, Residency
from app.models.meetings import ResidentMeeting
from app.models.people import Person
from app.models.types import utcnow
from app.services.access import audiences
from app.services.access.tenures import age_on, votes, voting_tenures
from app.services.mail import delivery as mail_service
from app.services.platform import audit

DUE_TEMPLATE = "meeting_demand_due"
SHARE = 10  # one tenth of the voters (47 §)
SUMMARY_LENGTH = 80  # of a matter, where a line names it (a task, a list)


NOT_A_VOTER = N_(
    "Only the house's right-of-occupancy holders, co-holders and holders' spouses or partners "
    "aged 18 or over (those entitled to vote) can demand a resident meeting or sign a demand. "
    "Renters and other household members cannot."
)


class NotAVoter(Forbidden):
    """Only the house's entitled voters may demand a meeting or sign a demand."""

    @property
    def message(self) -> str:
        """Why, in the current language."""
        return _(NOT_A_VOTER)


@dataclass
class DemandView:
    """A demand with its signatures counted against the house's voters today."""

    demand: MeetingDemand
    signatures: int
    voters: int
    signed: bool  # by the person looking

    @property
    def needed(self) -> int:
        """Signatures needed: a tenth of the voters, rounded up."""
        return needed_for(self.voters)

    @property
    def missing(self) -> int:
        """Signatures still missing before the demand is due (0 once it is)."""
        if self.demand.due_at is not None:
            return 0
        return max(self.needed - self.signatures, 0)

    @property
    def status(self) -> DemandStatus:
        """Where the demand stands."""
        return status(self.demand)

    @property
    def summary(self) -> str:
        """The matter in one short line."""
        return summarise(self.demand.matter)


def needed_for(voters: int) -> int:
    """One tenth of the voters, rounded up (25 voters: 3 signatures)."""
    return -(-voters // SHARE)


def status(demand: MeetingDemand) -> DemandStatus:
    """Where a demand stands, from its dates."""
    if demand.closed_at is not None:
        if demand.convened_meeting_id is not None or demand.due_at is not None:
            return DemandStatus.convened
        return DemandStatus.withdrawn
    if demand.due_at is not None:
        return DemandStatus.due
    return DemandStatus.collecting


def summarise(matter: str, limit: int = SUMMARY_LENGTH) -> str:
    """A matter in one short line: its first line, cut at a word, with an ellipsis when there
    is more."""
    lines = [line for line in matter.splitlines() if line.strip()]
    if not lines:
        return ""
    first = " ".join(lines[0].split())
    if len(first) > limit:
        return first[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"
    return first + ("…" if len(lines) > 1 else "")


def get(session: Session, demand_id: int) -> MeetingDemand:
    """A demand by id, or NotFound."""
    demand = session.get(MeetingDemand, demand_id)
    if demand is None:
        raise NotFound()
    return demand


def voter_ids(session: Session, house_id: int, today: date) -> set[int]:
    """The house's entitled voters today: active people with a current residency whose tenure
    and age give a vote (tenures.votes)."""
    rows = session.exec(
        select(col(Person.id), col(Person.birth_date), col(Residency.tenure))
        .join(Residency, col(Residency.person_id) == Person.id)
        .where(
            Residency.house_id == house_id,
            col(Residency.tenure).in_(sorted(voting_tenures())),
            Residency.starts_on <= today,
            or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= today),
            col(Person.is_active),
        )
    )
    return {
        person_id
        for person_id, born, tenure in rows
        if person_id is not None and votes(tenure, age_on(born, today))
    }


def signature_count(session: Session, demand_id: int) -> int:
    """Signatures on a demand now."""
    return session.exec(
        select(func.count())
        .select_from(MeetingDemandSignature)
        .where(MeetingDemandSignature.demand_id == demand_id)
    ).one()


def _signature(session: Session, demand_id: int, person_id: int) -> MeetingDemandSignature | None:
    return session.exec(
        select(MeetingDemandSignature).where(
            MeetingDemandSignature.demand_id == demand_id,
            MeetingDemandSignature.person_id == person_id,
        )
    ).first()


def has_signed(session: Session, demand_id: int, person_id: int) -> bool:
    """Whether a person's signature is on a demand."""
    return _signature(session, demand_id, person_id) is not None


def _lock(session: Session, demand: MeetingDemand) -> MeetingDemand:
    """The demand's row, locked until the transaction ends (a no-op on SQLite, whose writes
    are one at a time): two signatures at once are counted one after the other."""
    return session.exec(
        select(MeetingDemand)
        .where(MeetingDemand.id == demand.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _matter(data: MeetingDemandCreate) -> str:
    matter = data.matter.strip()
    if not matter:
        raise ValidationFailed({"matter": _("This field is required.")})
    if len(matter) > MATTER_MAX_LENGTH:
        raise ValidationFailed(
            {"matter": _("Enter at most %(n)s characters.", n=MATTER_MAX_LENGTH)}
        )
    return matter


def _check_open(demand: MeetingDemand) -> None:
    if demand.closed_at is not None:
        raise ValidationFailed(
            {"": _("This demand is closed: signatures can no longer be added or withdrawn.")}
        )


def start(
    session: Session,
    house_id: int,
    data: MeetingDemandCreate,
    person_id: int,
    today: date,
    now: datetime | None = None,
) -> MeetingDemand:
    """Start a demand for a house, signed by whoever starts it; refuses a non-voter
    (NotAVoter) and a matter that is empty or too long. A house of ten voters or fewer needs
    only the first signature: the demand is due at once."""
    now = now or utcnow()
    matter = _matter(data)
    voters = voter_ids(session, house_id, today)
    if person_id not in voters:
        raise NotAVoter()
    demand = MeetingDemand(
        house_id=house_id, matter=matter, started_by_id=person_id, created_at=now
    )
    session.add(demand)
    session.flush()
    audit.record(session, person_id, "create", demand)
    _add_signature(session, demand, person_id, now)
    _check_due(session, demand, len(voters), person_id, today, now)
    return demand


def _add_signature(session: Session, demand: MeetingDemand, person_id: int, now: datetime) -> bool:
    assert demand.id is not None
    signature = MeetingDemandSignature(demand_id=demand.id, person_id=person_id, signed_at=now)
    try:
        with session.begin_nested():
            session.add(signature)
    except IntegrityError:
        return False  # signed at the same moment in another request: once is enough
    audit.record(session, person_id, "create", signature)
    return True


def sign(
    session: Session,
    demand: MeetingDemand,
    person_id: int,
    today: date,
    now: datetime | None = None,
) -> bool:
    """Add a voter's signature to an open demand; True when added, False when it was already
    there (signing twice changes nothing). Refuses a non-voter (NotAVoter) and a closed demand.
    The signature that reaches a tenth of today's voters makes the demand due."""
    now = now or utcnow()
    demand = _lock(session, demand)
    _check_open(demand)
    assert demand.id is not None
    if has_signed(session, demand.id, person_id):
        return False
    voters = voter_ids(session, demand.house_id, today)
    if person_id not in voters:
        raise NotAVoter()
    if not _add_signature(session, demand, person_id, now):
        return False
    _check_due(session, demand, len(voters), person_id, today, now)
    return True


def withdraw(
    session: Session, demand: MeetingDemand, person_id: int, now: datetime | None = None
) -> bool:
    """Take a person's signature off an open demand; True when there was one. A demand that
    loses its last signature before it is due is closed as withdrawn; one already due stays
    due (the committee and the manager have been told)."""
    now = now or utcnow()
    demand = _lock(session, demand)
    _check_open(demand)
    assert demand.id is not None
    signature = _signature(session, demand.id, person_id)
    if signature is None:
        return False
    audit.record(session, person_id, "delete", signature)
    session.delete(signature)
    session.flush()
    if demand.due_at is None and signature_count(session, demand.id) == 0:
        before = audit.snapshot(demand)
        demand.closed_at = now
        demand.version += 1
        session.add(demand)
        session.flush()
        audit.record(session, person_id, "update", demand, before)
    return True


def _check_due(
    session: Session,
    demand: MeetingDemand,
    voters: int,
    actor_id: int | None,
    today: date,
    now: datetime,
) -> None:
    """Make the demand due when its signatures reach a tenth of the voters, and tell the
    committee and the manager; once only."""
    assert demand.id is not None
    if demand.due_at is not None or signature_count(session, demand.id) < needed_for(voters):
        return
    before = audit.snapshot(demand)
    demand.due_at = now
    demand.version += 1
    session.add(demand)
    session.flush()
    audit.record(session, actor_id, "update", demand, before)
    _tell_due(session, demand, voters, today)


def recipients(session: Session, house: House, today: date) -> list[Person]:
    """Who is told that a demand is due: the house's committee in office (chair and members)
    and its property manager; management when the house has neither."""
    assert house.id is not None
    ids = audiences.person_ids(session, Audience.house_committee, house.id, today)
    if house.property_manager_id is not None:
        manager = session.get(Person, house.property_manager_id)
        if manager is not None and manager.is_active:
            ids.add(house.property_manager_id)
    if not ids:
        ids = audiences.person_ids(session, Audience.management, None, today)
    if not ids:
        return []
    return list(session.exec(select(Person).where(col(Person.id).in_(sorted(ids)))))


def due_key(demand: MeetingDemand) -> str:
    """The key of the mail telling that a demand is due (one per recipient, ever)."""
    return f"meeting-demand-due:{demand.id}"


def _tell_due(session: Session, demand: MeetingDemand, voters: int, today: date) -> int:
    """Mail the committee and the manager, each in their language; returns the mails queued."""
    assert demand.id is not None
    house = session.get(House, demand.house_id)
    assert house is not None
    base = get_settings().base_url.rstrip("/")
    signatures = signature_count(session, demand.id)
    queued = 0
    for person in recipients(session, house, today):
        delivery = mail_service.queue(
            session,
            due_key(demand),
            person,
            DUE_TEMPLATE,
            demand=demand,
            house=house,
            signatures=signatures,
            voters=voters,
            url=f"{base}/houses/{house.id}/meetings/new",
            notice_days=get_settings().meeting_notice_days,
            demand_url=f"{base}/meeting-demands/{demand.id}",
        )
        queued += delivery is not None
    return queued


def close_for_meeting(
    session: Session, meeting: ResidentMeeting, actor_id: int | None, now: datetime
) -> list[MeetingDemand]:
    """Close the house's open due demands as answered by a meeting convened to start after
    they became due, linking it; returns them."""
    assert meeting.id is not None
    found = list(
        session.exec(
            select(MeetingDemand)
            .where(
                MeetingDemand.house_id == meeting.house_id,
                col(MeetingDemand.closed_at).is_(None),
                col(MeetingDemand.due_at).is_not(None),
                col(MeetingDemand.due_at) < meeting.starts_at,
            )
            .order_by(col(MeetingDemand.id))
            .with_for_update()
        )
    )
    for demand in found:
        before = audit.snapshot(demand)
        demand.convened_meeting_id = meeting.id
        demand.closed_at = now
        demand.version += 1
        session.add(demand)
        session.flush()
        audit.record(session, actor_id, "update", demand, before)
    return found


def _views(
    session: Session, demands: list[MeetingDemand], viewer_id: int | None, today: date
) -> list[DemandView]:
    if not demands:
        return []
    ids = [d.id for d in demands if d.id is not None]
    counts = dict(
        session.exec(
            select(MeetingDemandSignature.demand_id, func.count())
            .where(col(MeetingDemandSignature.demand_id).in_(ids))
            .group_by(col(MeetingDemandSignature.demand_id))
        ).all()
    )
    mine: set[int] = set()
    if viewer_id is not None:
        mine = set(
            session.exec(
                select(MeetingDemandSignature.demand_id).where(
                    col(MeetingDemandSignature.demand_id).in_(ids),
                    MeetingDemandSignature.person_id == viewer_id,
                )
            )
        )
    voters: dict[int, int] = {}
    for house_id in {d.house_id for d in demands}:
        voters[house_id] = len(voter_ids(session, house_id, today))
    return [
        DemandView(
            demand=d,
            signatures=counts.get(d.id or 0, 0),
            voters=voters[d.house_id],
            signed=(d.id or 0) in mine,
        )
        for d in demands
    ]


def view(session: Session, demand: MeetingDemand, viewer_id: int | None, today: date) -> DemandView:
    """One demand, counted for a viewer."""
    return _views(session, [demand], viewer_id, today)[0]


def for_house(
    session: Session,
    house_id: int,
    viewer_id: int | None,
    today: date,
    only_open: bool = False,
) -> list[DemandView]:
    """A house's demands (or its open ones), the newest first, counted for a viewer."""
    query = select(MeetingDemand).where(MeetingDemand.house_id == house_id)
    if only_open:
        query = query.where(col(MeetingDemand.closed_at).is_(None))
    demands = list(
        session.exec(query.order_by(col(MeetingDemand.created_at).desc(), col(MeetingDemand.id)))
    )
    return _views(session, demands, viewer_id, today)


def open_due(
    session: Session, house_ids: Collection[int] | None = None
) -> list[tuple[MeetingDemand, House]]:
    """Due demands not yet answered by a meeting (of some houses, or of all), the oldest
    first."""
    query = (
        select(MeetingDemand, House)
        .join(House, col(House.id) == MeetingDemand.house_id)
        .where(col(MeetingDemand.closed_at).is_(None), col(MeetingDemand.due_at).is_not(None))
        .order_by(col(MeetingDemand.due_at), col(MeetingDemand.id))
    )
    if house_ids is not None:
        if not house_ids:
            return []
        query = query.where(col(MeetingDemand.house_id).in_(sorted(house_ids)))
    return [(demand, house) for demand, house in session.exec(query)]


def answered_by(session: Session, meeting_id: int) -> list[MeetingDemand]:
    """The demands a meeting was convened to answer."""
    return list(
        session.exec(
            select(MeetingDemand)
            .where(MeetingDemand.convened_meeting_id == meeting_id)
            .order_by(col(MeetingDemand.due_at), col(MeetingDemand.id))
        )
    )


def signers(session: Session, demand_id: int) -> list[tuple[Person, datetime]]:
    """Who signed a demand and when, in the order they signed."""
    rows = session.exec(
        select(Person, MeetingDemandSignature.signed_at)
        .join(MeetingDemandSignature, col(MeetingDemandSignature.person_id) == Person.id)
        .where(MeetingDemandSignature.demand_id == demand_id)
        .order_by(col(MeetingDemandSignature.signed_at), col(MeetingDemandSignature.id))
    )
    return [(person, signed_at) for person, signed_at in rows]


def agenda_prefill(demands: list[MeetingDemand]) -> str:
    """The demanded matters as the start of a meeting's agenda, for the convener to edit."""
    if not demands:
        return ""
    lines = [_("Matters demanded by the residents:")]
    for demand in demands:
        matter = demand.matter.strip().splitlines()
        lines.append(f"- {matter[0].strip()}" if matter else "-")
        lines += [f"  {line.strip()}" for line in matter[1:] if line.strip()]
    return "\n".join(lines)
