"""Elections by secret ballot: nomination, one vote per house, the count, the lot and the term."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.errors import Forbidden, ValidationFailed
from app.models.audit import AuditEntry
from app.models.ballots import (
    Election,
    ElectionBallot,
    ElectionBallotChoice,
    ElectionCandidate,
    ElectionCreate,
    ElectionParticipation,
    ElectionPurpose,
    ElectionSealedBallot,
)
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.yte import YteMember
from app.services.ballots import counting
from app.services.ballots import elections as service
from app.services.ballots import secrecy as ballots
from app.services.ballots import voting as voting_service
from tests.support import fi, make_committee, make_house, make_person, make_resident

TODAY = date.today()
# The counting key of each election these tests make, by election id (the portal keeps none).
KEYS: dict[int, str] = {}


def _election(session, **fields) -> Election:
    values = dict(
        purpose=ElectionPurpose.yte,
        title="Haso-yte election",
        nomination_opens_on=TODAY - timedelta(days=20),
        nomination_closes_on=TODAY - timedelta(days=5),
        voting_opens_on=TODAY - timedelta(days=2),
        voting_closes_on=TODAY + timedelta(days=5),
        term_starts_on=TODAY + timedelta(days=6),
        term_ends_on=TODAY + timedelta(days=700),
    )
    values.update(fields)
    election, counting_key = service.create_election(session, ElectionCreate(**values), None)
    assert election.id is not None
    KEYS[election.id] = counting_key
    return election


def _house_with_officers(session):
    """A house whose committee has a chair and a vice-chair (both residents)."""
    house = make_house(session)
    chair = make_resident(session, house)
    vice = make_resident(session, house)
    make_committee(
        session,
        house,
        [(chair, Position.chair), (vice, Position.vice_chair)],
        term_start=TODAY - timedelta(days=300),
    )
    return house, chair, vice


def _candidates(session, election: Election, n: int) -> list[ElectionCandidate]:
    """n sitting chairs standing in the election (added during its nomination)."""
    out = []
    for _ in range(n):
        house, chair, _vice = _house_with_officers(session)
        out.append(
            service.stand(
                session,
                election,
                chair.id,
                house.id,
                "Olen toiminut puheenjohtajana.",
                election.nomination_opens_on,
            )
        )
    return out


def _ballot_rows(session) -> int:
    """Ballots cast: sealed while the voting goes on, opened ones after the count."""
    return len(session.exec(select(ElectionSealedBallot)).all()) + len(
        session.exec(select(ElectionBallot)).all()
    )


def _closed(election: Election) -> datetime:
    """Noon of the day after the voting closed."""
    day = datetime.combine(election.voting_closes_on + timedelta(days=1), datetime.min.time())
    return day.replace(hour=12, tzinfo=UTC)


def _count(session, election: Election, **kwargs) -> Election:
    assert election.id is not None
    kwargs.setdefault("now", _closed(election))
    return counting.count(session, election, None, KEYS[election.id], **kwargs)


def test_defaults_come_from_settings_and_bad_dates_are_refused(session, settings):
    election = _election(session)
    assert election.seats == settings.yte_seats == 10
    assert election.max_choices == settings.election_max_choices == 6
    assert election.min_choices == 1
    with pytest.raises(ValidationFailed) as info:
        _election(session, voting_opens_on=TODAY - timedelta(days=5))
    assert "voting_opens_on" in info.value.errors


def test_only_sitting_chairs_stand_and_only_during_the_nomination(session):
    election = _election(session)
    house, chair, vice = _house_with_officers(session)
    during = election.nomination_opens_on
    with pytest.raises(ValidationFailed) as info:
        service.stand(session, election, vice.id, house.id, "Hei", during)
    assert "house_id" in info.value.errors
    with pytest.raises(ValidationFailed) as info:
        service.stand(session, election, chair.id, house.id, "   ", during)
    assert "presentation" in info.value.errors
    with pytest.raises(ValidationFailed):
        service.stand(session, election, chair.id, house.id, "Hei", TODAY)  # voting runs
    candidate = service.stand(session, election, chair.id, house.id, "Hei", during)
    again = service.stand(session, election, chair.id, house.id, "Uusi esittely", during)
    assert again.id == candidate.id and again.presentation == "Uusi esittely"


def test_a_vote_stores_a_participation_record_and_an_anonymous_ballot(session):
    election = _election(session)
    a, b, _c = _candidates(session, election, 3)
    house, chair, _vice = _house_with_officers(session)
    receipt = voting_service.cast_vote(session, election, chair.id, house.id, [a.id, b.id], TODAY)

    participation = session.exec(select(ElectionParticipation)).one()
    assert (participation.house_id, participation.cast_by) == (house.id, chair.id)
    assert participation.voted_on == TODAY
    # While the voting goes on the ballot is sealed: nothing in the clear, not even the receipt.
    sealed = session.exec(select(ElectionSealedBallot)).one()
    assert session.exec(select(ElectionBallot)).all() == []
    assert ballots.receipt_hash(receipt).encode() not in sealed.sealed
    with pytest.raises(ValidationFailed) as early:
        voting_service.verify_receipt(session, election, receipt)
    assert set(early.value.errors) == {"receipt"}

    _count(session, election)
    assert session.exec(select(ElectionSealedBallot)).all() == []
    ballot = session.exec(select(ElectionBallot)).one()
    assert ballot.receipt_hash == ballots.receipt_hash(receipt)
    marked = session.exec(select(ElectionBallotChoice.candidate_id)).all()
    assert sorted(marked) == sorted([a.id, b.id])
    assert voting_service.verify_receipt(session, election, receipt)
    assert voting_service.verify_receipt(session, election, receipt.lower().replace("-", " "))
    assert not voting_service.verify_receipt(session, election, ballots.new_receipt())
    assert not voting_service.verify_receipt(session, election, "")


def test_nothing_in_the_database_links_a_ballot_to_its_voter(session):
    election = _election(session)
    candidates = _candidates(session, election, 3)
    voters = []
    for i in range(3):
        house, chair, _vice = _house_with_officers(session)
        voters.append((house, chair))
        voting_service.cast_vote(session, election, chair.id, house.id, [candidates[i].id], TODAY)
    inspector = inspect(session.connection())
    columns = {c["name"] for c in inspector.get_columns("election_sealed_ballot")}
    assert columns == {"id", "election_id", "sealed"}
    sizes = {len(row.sealed) for row in session.exec(select(ElectionSealedBallot))}
    assert len(sizes) == 1  # one mark or six: every sealed ballot is as long as the others
    _count(session, election)

    # The ballot tables have no column that could name, date or order a voter.
    inspector = inspect(session.connection())
    columns = {c["name"] for c in inspector.get_columns("election_ballot")}
    assert columns == {"id", "election_id", "receipt_hash"}
    columns = {c["name"] for c in inspector.get_columns("election_ballot_choice")}
    assert columns == {"ballot_id", "candidate_id"}
    # Keys are random UUIDs, not a sequence matching the order of voting.
    ids = [b.id for b in session.exec(select(ElectionBallot))]
    assert all(i.version == 4 for i in ids)

    # The audit log has the participation (who cast a house's vote), never a ballot.
    entries = session.exec(select(AuditEntry)).all()
    assert not [e for e in entries if e.entity.startswith("election_ballot")]
    logged = [e for e in entries if e.entity == "election_participation"]
    assert len(logged) == 3
    ballot_values = {str(i) for i in ids} | {
        b.receipt_hash for b in session.exec(select(ElectionBallot))
    }
    for entry in entries:
        blob = f"{entry.entity_id} {entry.before} {entry.after}"
        assert not any(value in blob for value in ballot_values)
    for entry in logged:
        assert set(entry.after or {}) == {"election_id", "house_id", "cast_by", "voted_on"}


@pytest.mark.parametrize(
    "case",
    ["before", "after", "too_many", "too_few", "twice_marked", "not_candidate", "other_house"],
)
def test_bad_votes_are_refused_and_store_nothing(session, case):
    election = _election(session, max_choices=2)
    a, b, c = _candidates(session, election, 3)
    other = _election(session, title="Other")
    (stranger,) = _candidates(session, other, 1)
    house, chair, _vice = _house_with_officers(session)
    other_house, _other_chair, _ = _house_with_officers(session)
    day, house_id, marked = TODAY, house.id, [a.id]
    if case == "before":
        day = election.voting_opens_on - timedelta(days=1)
    elif case == "after":
        day = election.voting_closes_on + timedelta(days=1)
    elif case == "too_many":
        marked = [a.id, b.id, c.id]
    elif case == "too_few":
        marked = []
    elif case == "twice_marked":
        marked = [a.id, a.id]
    elif case == "not_candidate":
        marked = [stranger.id]
    elif case == "other_house":
        house_id = other_house.id
    with pytest.raises(ValidationFailed) as info:
        voting_service.cast_vote(session, election, chair.id, house_id, marked, day)
    assert info.value.errors
    assert _ballot_rows(session) == 0
    assert session.exec(select(ElectionParticipation)).all() == []


def test_a_house_votes_once_and_cannot_change_its_vote(session):
    election = _election(session)
    a, b = _candidates(session, election, 2)
    house, chair, vice = _house_with_officers(session)
    voting_service.cast_vote(session, election, chair.id, house.id, [a.id], TODAY)
    with pytest.raises(ValidationFailed) as info:
        voting_service.cast_vote(session, election, vice.id, house.id, [b.id], TODAY)
    assert info.value.errors["house_id"] == fi(
        "This house has already voted; a cast vote cannot be changed."
    )
    assert _ballot_rows(session) == 1
    _count(session, election)
    assert session.exec(select(ElectionBallotChoice.candidate_id)).all() == [a.id]


def test_vice_chair_and_a_named_committee_member_may_cast_the_vote_a_resident_may_not(session):
    election = _election(session)
    (a,) = _candidates(session, election, 1)
    house, chair, vice = _house_with_officers(session)
    resident = make_resident(session, house)
    assert voting_service.voting_houses(session, election, vice.id, TODAY) == {house.id}
    assert voting_service.voting_houses(session, election, resident.id, TODAY) == set()
    outsider = make_person(session)
    with pytest.raises(Forbidden):
        voting_service.name_delegate(session, election, house.id, resident.id, outsider.id, TODAY)
    # The vote goes to a member of the house's committee, not to any resident or stranger.
    member = make_resident(session, house)
    committee = session.exec(
        select(ResidentCommittee).where(ResidentCommittee.house_id == house.id)
    ).one()
    session.add(CommitteeMember(committee_id=committee.id, person_id=member.id))
    session.flush()
    assert voting_service.delegate_choices(session, house.id, TODAY) == [member]
    for stranger in (resident, outsider):
        with pytest.raises(ValidationFailed) as refused:
            voting_service.name_delegate(session, election, house.id, stranger.id, chair.id, TODAY)
        assert set(refused.value.errors) == {"person_id"}
    assert voting_service.named_delegates(session, election, [house.id]) == {}
    voting_service.name_delegate(session, election, house.id, member.id, chair.id, TODAY)
    assert voting_service.named_delegates(session, election, [house.id]) == {house.id: member}
    assert voting_service.voting_houses(session, election, member.id, TODAY) == {house.id}
    assert voting_service.voting_houses(session, election, resident.id, TODAY) == set()
    voting_service.cast_vote(session, election, member.id, house.id, [a.id], TODAY)
    assert voting_service.turnout(session, election, TODAY).voted == 1


def test_counting_waits_for_the_close_and_seats_the_new_term(session):
    election = _election(session, max_choices=3)
    candidates = _candidates(session, election, 12)
    votes = {}
    for i in range(5):
        house, chair, _vice = _house_with_officers(session)
        marked = [candidates[0].id, candidates[1].id, candidates[2 + i].id]
        voting_service.cast_vote(session, election, chair.id, house.id, marked, TODAY)
    for c in candidates:
        votes[c.id] = 0
    for c in candidates[:2]:
        votes[c.id] = 5
    for c in candidates[2:7]:
        votes[c.id] = 1

    with pytest.raises(ValidationFailed):
        _count(session, election, now=datetime.now(UTC))
    closed = _closed(election)
    for wrong in (None, "", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"):
        with pytest.raises(ValidationFailed) as refused:
            counting.count(session, election, None, wrong, now=closed)
        assert set(refused.value.errors) == {"counting_key"}
    assert election.counted_at is None and _ballot_rows(session) == 5
    # The key as typed: small letters, spaces, look-alikes.
    typed = KEYS[election.id].lower().replace("-", " ").replace("0", "o")
    counting.count(session, election, None, typed, now=closed, seed="abc123")
    assert election.locked_private_key is None  # erased: nobody can open old copies' seals
    entries = session.exec(select(AuditEntry).where(AuditEntry.entity == "election")).all()
    assert all("locked_private_key" not in f"{e.before} {e.after}" for e in entries)
    assert election.counted_at is not None and election.lot_seed == "abc123"
    assert election.ballots_counted == 5 and election.houses_voted == 5
    rows = service.candidates(session, election)
    assert [r.candidate.votes for r in rows] == sorted(votes.values(), reverse=True)
    # Re-running the lot from the published seed gives the published order.
    assert [r.candidate.id for r in rows] == counting.ranking(votes, "abc123")
    elected = [r.candidate for r in rows if r.candidate.elected]
    assert len(elected) == 7  # ten seats, but only seven candidates got votes
    assert service.phase(election, closed.date()) == service.Phase.results

    assert election.term_id is not None
    members = session.exec(select(YteMember).where(YteMember.term_id == election.term_id)).all()
    assert {m.person_id for m in members} == {c.person_id for c in elected}
    with pytest.raises(ValidationFailed):
        _count(session, election, now=closed)


def test_ties_for_the_last_seat_are_decided_by_a_reproducible_lot():
    votes = {11: 3, 12: 2, 13: 2, 14: 2, 15: 1}
    first = counting.ranking(votes, "seed-1")
    assert first[0] == 11 and first[-1] == 15
    assert set(first[1:4]) == {12, 13, 14}
    assert counting.ranking(dict(reversed(list(votes.items()))), "seed-1") == first
    orders = {tuple(counting.ranking(votes, f"seed-{i}")) for i in range(20)}
    assert len(orders) > 1  # the seed decides, not the ids
    tied = sorted([12, 13, 14], key=lambda cid: counting.lot_key("seed-1", cid))
    assert first[1:4] == tied


def test_board_nomination_uses_the_same_machinery_without_a_term(session):
    election = _election(
        session,
        purpose=ElectionPurpose.board_nomination,
        title="Board nomination",
        seats=2,
        max_choices=2,
    )
    a, b, c = _candidates(session, election, 3)
    house, chair, _vice = _house_with_officers(session)
    voting_service.cast_vote(session, election, chair.id, house.id, [a.id, b.id], TODAY)
    _count(session, election)
    assert election.term_id is None and election.term_starts_on is None
    assert {
        x.candidate.id for x in service.candidates(session, election) if x.candidate.elected
    } == {
        a.id,
        b.id,
    }


def test_receipt_codes_are_random_and_normalised():
    codes = {ballots.new_receipt() for _ in range(50)}
    assert len(codes) == 50
    code = codes.pop()
    assert len(code) == 19 and code.count("-") == 3
    assert ballots.receipt_hash(code) == ballots.receipt_hash(code.lower().replace("-", ""))


def test_two_simultaneous_votes_for_one_house_leave_one_ballot(engine: Engine):
    """Two voters of one house press the button at once, on separate connections."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers with a file lock; PostgreSQL is the real test")
    with Session(engine) as setup:
        election = _election(setup)
        (a,) = _candidates(setup, election, 1)
        house, chair, vice = _house_with_officers(setup)
        setup.commit()
        ids = dict(election=election.id, a=a.id, house=house.id, chair=chair.id, vice=vice.id)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def vote(person_id: int) -> None:
        with Session(engine) as s:
            e = s.get(Election, ids["election"])
            assert e is not None
            barrier.wait()
            try:
                voting_service.cast_vote(s, e, person_id, ids["house"], [ids["a"]], TODAY)
                s.commit()
                outcomes.append("ok")
            except ValidationFailed:
                s.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=vote, args=(p,)) for p in (ids["chair"], ids["vice"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    try:
        assert sorted(outcomes) == ["ok", "refused"]
        with Session(engine) as check:
            ballots_stored = check.exec(
                select(ElectionSealedBallot).where(
                    ElectionSealedBallot.election_id == ids["election"]
                )
            ).all()
            assert len(ballots_stored) == 1
            records = check.exec(
                select(ElectionParticipation).where(
                    ElectionParticipation.election_id == ids["election"]
                )
            ).all()
            assert len(records) == 1
    finally:
        _clean(engine)


def _clean(engine: Engine) -> None:
    """Remove what the committed test wrote (the suite's other tests roll back)."""
    with engine.begin() as conn:
        for table in (
            "audit_entry",
            "election_ballot_choice",
            "election_ballot",
            "election_sealed_ballot",
            "election_participation",
            "election_delegate",
            "election_candidate",
            "election",
            "committee_member",
            "resident_committee",
            "residency",
            "house",
            "person",
        ):
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names


def test_turnout_counts_houses_never_choices(session):
    election = _election(session)
    (a,) = _candidates(session, election, 1)
    house, chair, _vice = _house_with_officers(session)
    before = voting_service.turnout(session, election, TODAY)
    voting_service.cast_vote(session, election, chair.id, house.id, [a.id], TODAY)
    after = voting_service.turnout(session, election, TODAY)
    assert (before.voted, after.voted) == (0, 1)
    assert after.houses >= 2
    assert set(vars(after)) == {"voted", "houses"}


def test_management_creates_the_election_from_the_calendars_election_event(session, settings):
    from app.models.calendar import Audience, CalendarEvent, EventKind

    start = datetime.combine(TODAY + timedelta(days=40), datetime.min.time(), tzinfo=UTC)
    start = start.replace(hour=15)
    event = CalendarEvent(
        kind=EventKind.election,
        title_fi="Puheenjohtajien kokous: Haso-yten vaali",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        audience=Audience.all_chairs,
    )
    session.add(event)
    session.flush()
    assert service.election_events(session, TODAY) == [event]
    election, _counting_key = service.create_from_event(session, event, None, TODAY)
    day = start.date()
    assert election.voting_opens_on == day
    assert election.voting_closes_on == day + timedelta(days=settings.election_voting_days - 1)
    assert election.nomination_opens_on == day - timedelta(days=settings.election_nomination_days)
    assert election.nomination_closes_on == day - timedelta(days=1)
    assert election.term_starts_on == election.voting_closes_on + timedelta(days=1)
    assert election.calendar_event_id == event.id
    assert service.election_events(session, TODAY) == []
    logged = session.exec(select(AuditEntry).where(AuditEntry.entity == "election")).all()
    assert len(logged) == 1
