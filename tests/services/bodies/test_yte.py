"""Haso-yte's rules: terms that do not overlap, ten seats, only sitting chairs, one per house."""

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from app.errors import NotFound, ValidationFailed
from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.yte import YteMember, YteTerm, YteTermCreate
from app.services.bodies import yte as yte_service
from tests.support import make_chair, make_committee, make_house, make_person, make_resident

START = date(2026, 1, 15)
END = date(2028, 1, 14)


def _term(session, starts_on=START, ends_on=END) -> YteTerm:
    return yte_service.create_term(
        session, YteTermCreate(starts_on=starts_on, ends_on=ends_on), None
    )


def _chair(session, on: date = START):
    """A person who chairs a new house's committee on a day, and the house."""
    house = make_house(session)
    person = make_resident(session, house)
    make_committee(session, house, [(person, Position.chair)], term_start=on - timedelta(days=10))
    return person, house


def _audit(session, entity: str) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry).where(AuditEntry.entity == entity).order_by(col(AuditEntry.id))
        )
    )


def test_create_term_records_it_and_audits(session):
    admin = make_person(session)
    term = yte_service.create_term(session, YteTermCreate(starts_on=START, ends_on=END), admin.id)
    assert session.get(YteTerm, term.id) is not None
    entries = _audit(session, "yte_term")
    assert [(e.action, e.actor_id, e.entity_id) for e in entries] == [
        ("create", admin.id, str(term.id))
    ]


def test_term_must_end_after_it_starts(session):
    with pytest.raises(ValidationFailed) as exc:
        _term(session, START, START)
    assert set(exc.value.errors) == {"ends_on"}


def test_term_lasts_at_most_two_years(session):
    with pytest.raises(ValidationFailed) as exc:
        _term(session, START, START + timedelta(days=800))
    assert set(exc.value.errors) == {"ends_on"}
    assert _term(session, date(2030, 1, 15), date(2032, 1, 15)).id is not None


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (date(2027, 6, 1), date(2029, 5, 31)),  # starts inside
        (date(2025, 6, 1), date(2026, 1, 15)),  # ends on the first day
        (date(2026, 3, 1), date(2026, 9, 1)),  # inside entirely
    ],
)
def test_overlapping_term_is_refused(session, starts_on, ends_on):
    _term(session)
    with pytest.raises(ValidationFailed) as exc:
        _term(session, starts_on, ends_on)
    assert set(exc.value.errors) == {"starts_on"}
    assert len(list(session.exec(select(YteTerm)))) == 1


def test_next_term_may_start_the_day_after(session):
    _term(session)
    assert _term(session, END + timedelta(days=1), END + timedelta(days=700)).id is not None


def test_sitting_chair_is_added_and_audited(session):
    term = _term(session)
    person, house = _chair(session)
    actor = make_person(session)
    member = yte_service.add_member(session, term, person.id, house.id, actor.id)
    assert (member.person_id, member.house_id, member.is_chair) == (person.id, house.id, False)
    entries = _audit(session, "yte_member")
    assert [(e.action, e.actor_id) for e in entries] == [("create", actor.id)]


def test_eleventh_member_is_refused(session, settings):
    assert settings.yte_seats == 10
    term = _term(session)
    for _ in range(10):
        person, house = _chair(session)
        yte_service.add_member(session, term, person.id, house.id, None)
    person, house = _chair(session)
    with pytest.raises(ValidationFailed) as exc:
        yte_service.add_member(session, term, person.id, house.id, None)
    assert "10" in exc.value.errors[""]
    count = len(list(session.exec(select(YteMember).where(YteMember.term_id == term.id))))
    assert count == 10


def test_resident_who_is_not_a_chair_is_refused(session):
    term = _term(session)
    house = make_house(session)
    member = make_resident(session, house)
    make_committee(
        session, house, [(member, Position.member)], term_start=START - timedelta(days=5)
    )
    with pytest.raises(ValidationFailed) as exc:
        yte_service.add_member(session, term, member.id, house.id, None)
    assert set(exc.value.errors) == {"person_id"}


def test_chair_of_another_house_is_refused_for_this_house(session):
    term = _term(session)
    person, _house = _chair(session)
    other_house = make_house(session)
    with pytest.raises(ValidationFailed) as exc:
        yte_service.add_member(session, term, person.id, other_house.id, None)
    assert set(exc.value.errors) == {"person_id"}


def test_chair_whose_committee_term_ended_before_the_start_is_refused(session):
    term = _term(session)
    house = make_house(session)
    person = make_resident(session, house)
    # the committee's year ends on START - 1
    make_committee(
        session, house, [(person, Position.chair)], term_start=START - timedelta(days=366)
    )
    with pytest.raises(ValidationFailed):
        yte_service.add_member(session, term, person.id, house.id, None)


def test_same_person_or_same_house_cannot_sit_twice(session):
    term = _term(session)
    person, house = _chair(session)
    yte_service.add_member(session, term, person.id, house.id, None)
    with pytest.raises(ValidationFailed) as exc:
        yte_service.add_member(session, term, person.id, house.id, None)
    assert set(exc.value.errors) == {"person_id"}
    # a second chair of the same house (a new committee) still may not take a second seat
    successor = make_resident(session, house)
    make_committee(
        session, house, [(successor, Position.chair)], term_start=START - timedelta(days=1)
    )
    with pytest.raises(ValidationFailed) as exc:
        yte_service.add_member(session, term, successor.id, house.id, None)
    assert set(exc.value.errors) == {"house_id"}


def test_unknown_person_or_house_is_refused(session):
    term = _term(session)
    person, house = _chair(session)
    with pytest.raises(ValidationFailed) as exc:
        yte_service.add_member(session, term, 999999, house.id, None)
    assert set(exc.value.errors) == {"person_id"}
    with pytest.raises(ValidationFailed) as exc:
        yte_service.add_member(session, term, person.id, 999999, None)
    assert set(exc.value.errors) == {"house_id"}


def test_eligible_chairs_leave_out_those_seated_and_those_not_sitting(session):
    term = _term(session)
    seated, seated_house = _chair(session)
    free, free_house = _chair(session)
    _late, _late_house = _chair(session, on=START + timedelta(days=60))
    yte_service.add_member(session, term, seated.id, seated_house.id, None)
    candidates = yte_service.eligible_chairs(session, term)
    assert [(c.person_id, c.house_id) for c in candidates] == [(free.id, free_house.id)]
    assert candidates[0].key == f"{free.id}:{free_house.id}"


def test_current_term_lists_members_with_the_body_chair_first(session):
    today = date.today()
    house_a = make_house(session, name="Aurinkotalo")
    house_b = make_house(session, name="Bulevardi")
    chair_a = make_chair(session, house_a)
    chair_b = make_chair(session, house_b)
    term = _term(session, today - timedelta(days=30), today + timedelta(days=600))
    _term(session, today - timedelta(days=700), today - timedelta(days=31))
    yte_service.add_member(session, term, chair_a.id, house_a.id, None)
    second = yte_service.add_member(session, term, chair_b.id, house_b.id, None)
    yte_service.set_body_chair(session, term, second.id, None)

    view = yte_service.current_term(session, today)
    assert view is not None and view.term.id == term.id
    assert [(m.name, m.house_name, m.is_chair) for m in view.members] == [
        (chair_b.name, "Bulevardi", True),
        (chair_a.name, "Aurinkotalo", False),
    ]
    assert view.seats_left == 8
    assert yte_service.current_term(session, today + timedelta(days=601)) is None
    assert [v.term.id for v in yte_service.list_terms(session)][0] == term.id


def test_body_has_one_chair(session):
    term = _term(session)
    first_person, first_house = _chair(session)
    second_person, second_house = _chair(session)
    first = yte_service.add_member(session, term, first_person.id, first_house.id, None)
    second = yte_service.add_member(session, term, second_person.id, second_house.id, None)
    yte_service.set_body_chair(session, term, first.id, None)
    yte_service.set_body_chair(session, term, second.id, None)
    session.refresh(first)
    session.refresh(second)
    assert (first.is_chair, second.is_chair) == (False, True)
    updates = [e for e in _audit(session, "yte_member") if e.action == "update"]
    assert len(updates) == 3
    assert updates[-2].before == {"is_chair": True} and updates[-2].after == {"is_chair": False}


def test_remove_member_deletes_and_audits(session):
    term = _term(session)
    person, house = _chair(session)
    member = yte_service.add_member(session, term, person.id, house.id, None)
    member_id = member.id
    yte_service.remove_member(session, term, member_id, None)
    assert session.get(YteMember, member_id) is None
    deleted = [e for e in _audit(session, "yte_member") if e.action == "delete"]
    assert len(deleted) == 1 and deleted[0].before["person_id"] == person.id


def test_member_of_another_term_cannot_be_removed_through_this_one(session):
    term = _term(session)
    other = _term(session, date(2030, 1, 15), date(2032, 1, 14))
    person, house = _chair(session)
    member = yte_service.add_member(session, term, person.id, house.id, None)
    with pytest.raises(NotFound):
        yte_service.remove_member(session, other, member.id, None)
    with pytest.raises(NotFound):
        yte_service.set_body_chair(session, other, member.id, None)
    assert session.get(YteMember, member.id) is not None
