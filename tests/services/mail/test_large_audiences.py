"""Audiences larger than one IN list of bound parameters (every resident of a large company)."""

from datetime import date

from sqlalchemy import insert
from sqlmodel import Session

from app.models import MailPreference, Person, Residency
from app.models.calendar import Audience
from app.models.newsletters import Frequency, Topic
from app.services.access import audiences
from app.services.mail import preferences
from app.services.newsletters import sending as newsletter_audience
from tests.support import make_house

MANY = 70_000  # more bound parameters than SQLite (32,766) or PostgreSQL (65,535) take


def _residents(session: Session, count: int) -> list[int]:
    house = make_house(session)
    rows = [
        {"name": f"Asukas {n}", "email": f"many{n}@example.com", "is_active": n % 1000 != 7}
        for n in range(count)
    ]
    session.execute(insert(Person), rows)
    ids = [
        pid
        for (pid,) in session.execute(
            Person.__table__.select()  # type: ignore[attr-defined]
            .with_only_columns(Person.__table__.c.id)  # type: ignore[attr-defined]
            .where(Person.__table__.c.email.like("many%@example.com"))  # type: ignore[attr-defined]
        )
    ]
    session.execute(
        insert(Residency),
        [
            {
                "person_id": pid,
                "house_id": house.id,
                "apartment": str(n),
                "starts_on": date(2020, 1, 1),
            }
            for n, pid in enumerate(ids)
        ],
    )
    session.flush()
    return ids


def test_every_resident_of_a_large_company_is_reached(session: Session) -> None:
    ids = _residents(session, MANY)
    inactive = {pid for n, pid in enumerate(sorted(ids)) if n % 1000 == 7}
    found = audiences.person_ids(session, Audience.all_residents, None, date(2026, 6, 1))
    assert set(ids) - inactive <= found
    assert not inactive & found
    people = audiences.people(session, Audience.all_residents, None, date(2026, 6, 1))
    assert [p.id for p in people] == sorted(found)


def test_opt_outs_of_a_large_audience(session: Session) -> None:
    ids = _residents(session, MANY)
    off = set(sorted(ids)[::5000])
    session.execute(
        insert(MailPreference),
        [
            {"person_id": pid, "topic": Topic.residents_newsletter, "frequency": Frequency.off}
            for pid in off
        ],
    )
    assert preferences.opted_out(session, set(ids), Topic.residents_newsletter) == off
    small = set(sorted(ids)[:10])
    assert preferences.opted_out(session, small, Topic.residents_newsletter) == off & small


def test_newsletter_people_come_a_chunk_at_a_time_in_id_order(session: Session) -> None:
    ids = set(_residents(session, 12_000))
    chunks = list(newsletter_audience._people(session, ids, chunk=5000))
    assert [len(c) for c in chunks] == [5000, 5000, 2000]
    assert [person_id for chunk in chunks for person_id, _email, _lang in chunk] == sorted(ids)
