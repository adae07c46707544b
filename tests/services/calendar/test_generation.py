"""Turning the annual calendar's templates into dated events: a year, twice, edits, DST."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import col, select

from app.jobs import calendar as calendar_jobs
from app.models.audit import AuditEntry
from app.models.calendar import Audience, CalendarEvent, EventKind, EventTemplate
from app.models.types import HELSINKI
from app.services.calendar import defaults as calendar_defaults
from app.services.calendar import generation as calendar_generation
from tests.support import make_house


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture()
def houses(session):
    return [make_house(session) for _ in range(3)]


def generated(session, key: str) -> list[CalendarEvent]:
    template = session.exec(select(EventTemplate).where(EventTemplate.key == key)).one()
    return list(
        session.exec(
            select(CalendarEvent)
            .where(CalendarEvent.template_id == template.id)
            .order_by(col(CalendarEvent.starts_at), col(CalendarEvent.house_id))
        )
    )


def year_2028(session) -> list[CalendarEvent]:
    calendar_defaults.ensure_defaults(session)
    return calendar_generation.generate(session, today=date(2028, 1, 1))


def test_a_whole_year_from_the_defaults(session, houses):
    added = year_2028(session)
    starts = {e.title_en: e.starts_at for e in added if e.house_id is None}
    # The third Tuesday of January and October, the second of June, at 17.30 Helsinki time:
    # UTC+2 in winter, UTC+3 in summer.
    assert starts["Budget info: budgeting kick-off"] == utc(2028, 1, 18, 15, 30)
    assert starts["Budget info: budget proposals"] == utc(2028, 6, 13, 14, 30)
    assert starts["Budget info: confirmed budgets"] == utc(2028, 10, 17, 14, 30)
    assert starts["Spring chairs' event"] == utc(2028, 4, 13, 14, 0)
    assert starts["Early-winter chairs' seminar"] == utc(2028, 11, 11, 8, 0)
    # 2028 is even: the Haso-yte election is on the last Thursday of January.
    [election] = generated(session, "yte-election")
    assert (election.kind, election.starts_at) == (EventKind.election, utc(2028, 1, 27, 15, 30))
    assert election.audience == Audience.all_chairs and election.participation == "decision"
    newsletters = generated(session, "chairs-newsletter")
    assert [local.month for local in (e.starts_at.astimezone(HELSINKI) for e in newsletters)] == (
        list(range(1, 13))
    )
    assert len(generated(session, "residents-newsletter")) == 4
    forums = generated(session, "cooperation-forum")
    assert len(forums) == 4 and {f.audience for f in forums} == {Audience.yte}
    meetings = generated(session, "resident-meeting")
    assert sorted(m.house_id for m in meetings) == sorted(h.id for h in houses)
    assert {m.audience for m in meetings} == {Audience.house_residents}
    assert {m.starts_at for m in meetings} == {utc(2028, 4, 18, 15, 0)}
    budget = session.exec(
        select(EventTemplate).where(EventTemplate.key == "budget-info-january")
    ).one()
    session.refresh(budget)
    assert (budget.day, budget.weekday, budget.week) == (None, 1, 3)
    # Every generated event is in the audit log (made by the system).
    logged = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "calendar_event", AuditEntry.action == "create"
        )
    ).all()
    assert len(logged) == len(added) and {e.actor_id for e in logged} == {None}


def test_the_election_is_only_in_even_years(session, houses):
    calendar_defaults.ensure_defaults(session)
    calendar_generation.generate(session, today=date(2029, 1, 1))
    assert generated(session, "yte-election") == []
    calendar_generation.generate(session, today=date(2029, 12, 15), months=2)
    [election] = generated(session, "yte-election")
    assert election.starts_at == utc(2030, 1, 31, 15, 30)


def test_the_window_is_the_coming_twelve_months(session, houses):
    calendar_defaults.ensure_defaults(session)
    calendar_generation.generate(session, today=date(2028, 6, 14))
    # This year's June budget info (13 June) has passed: next year's is in the window.
    [june] = generated(session, "budget-info-june")
    assert june.starts_at == utc(2029, 6, 12, 14, 30)
    [january] = generated(session, "budget-info-january")
    assert january.starts_at == utc(2029, 1, 16, 15, 30)
    months = [e.starts_at.astimezone(HELSINKI) for e in generated(session, "chairs-newsletter")]
    assert len(months) == 12 and months[0].date() == date(2028, 7, 5)
    assert months[-1].date() == date(2029, 6, 5)


def test_generating_twice_adds_nothing(session, houses):
    first = year_2028(session)
    assert len(first) > 0
    count = len(session.exec(select(CalendarEvent)).all())
    assert calendar_defaults.ensure_defaults(session) == []
    assert calendar_generation.generate(session, today=date(2028, 1, 1)) == []
    assert calendar_generation.generate(session, today=date(2028, 3, 1)) != []  # next months
    again = len(session.exec(select(CalendarEvent)).all())
    assert again > count
    assert calendar_generation.generate(session, today=date(2028, 3, 1)) == []


def test_an_occurrence_another_scheduler_inserted_meanwhile_is_skipped(
    session, houses, monkeypatch
):
    calendar_defaults.ensure_defaults(session)
    template = session.exec(
        select(EventTemplate).where(EventTemplate.key == "safety-evening")
    ).one()
    [found] = calendar_generation.occurrences(template, 2028)
    key = found.key(template.id, None)
    session.add(
        CalendarEvent(
            template_id=template.id,
            occurrence_key=key,
            title_fi="Toisen ajon lisäämä",
            starts_at=found.starts_at,
            ends_at=found.ends_at,
            audience=template.audience,
        )
    )
    session.flush()
    # This run does not see the other one's row when it reads the keys: the insert collides.
    monkeypatch.setattr(calendar_generation, "_existing_keys", lambda session, template_id: set())
    added = calendar_generation.generate_template(session, template, date(2028, 1, 1))
    assert added == []
    [event] = session.exec(select(CalendarEvent).where(CalendarEvent.occurrence_key == key)).all()
    assert event.title_fi == "Toisen ajon lisäämä"
    # The session is still usable after the collision.
    assert session.exec(select(EventTemplate).where(EventTemplate.id == template.id)).one()


def test_adjusted_events_are_kept_and_template_edits_update_the_others(session, houses):
    year_2028(session)
    template = session.exec(
        select(EventTemplate).where(EventTemplate.key == "residents-newsletter")
    ).one()
    march, june, september, december = generated(session, "residents-newsletter")
    june.place, june.adjusted_at = "Käsin siirretty", utc(2028, 1, 2)
    session.add(june)
    session.flush()
    now = utc(2028, 4, 1)
    template.start_time = time(10, 30)
    template.place = "Verkossa"
    template.title_fi = "Asukasuutiskirje"
    session.add(template)
    calendar_generation.sync_template(session, template, None, now)
    session.refresh(march)
    session.refresh(june)
    session.refresh(september)
    # The past one and the adjusted one stay as they were; future ones follow the template.
    assert (march.place, march.title_fi) == ("", "Asukkaiden uutiskirje")
    assert june.place == "Käsin siirretty" and june.starts_at == utc(2028, 6, 10, 6, 0)
    assert (september.place, september.title_fi) == ("Verkossa", "Asukasuutiskirje")
    assert september.starts_at == utc(2028, 9, 10, 7, 30)  # 10.30 summer time
    assert september.version == 2
    # Regenerating changes nothing of an adjusted event.
    calendar_generation.generate(session, today=date(2028, 4, 1))
    session.refresh(june)
    assert june.place == "Käsin siirretty"


def test_a_month_dropped_from_the_rule_cancels_its_future_event(session, houses):
    year_2028(session)
    template = session.exec(
        select(EventTemplate).where(EventTemplate.key == "residents-newsletter")
    ).one()
    template.months = "3,6,9"
    calendar_generation.sync_template(session, template, None, utc(2028, 4, 1))
    *_, december = generated(session, "residents-newsletter")
    assert december.cancelled_at == utc(2028, 4, 1)


def test_local_times_follow_daylight_saving(session):
    template = EventTemplate(
        title_fi="Ilta",
        months=",".join(str(m) for m in range(1, 13)),
        weekday=6,  # Sunday
        week=5,  # the last one: the days the clocks change in March and October
        start_time=time(18, 0),
        duration_minutes=60,
        audience=Audience.all_residents,
    )
    found = {o.month: o for o in calendar_generation.occurrences(template, 2027)}
    # 28 March 2027: summer time from 03.00; 31 October 2027: back to winter time.
    assert found[3].starts_at == utc(2027, 3, 28, 15, 0)
    assert found[10].starts_at == utc(2027, 10, 31, 16, 0)
    assert found[2].starts_at == utc(2027, 2, 28, 16, 0)
    assert found[10].ends_at - found[10].starts_at == timedelta(hours=1)
    for occurrence in found.values():
        assert occurrence.starts_at.astimezone(HELSINKI).time() == time(18, 0)
    # The fifth week is the last: February 2027 has four Sundays.
    assert found[2].starts_at.astimezone(HELSINKI).day == 28


def test_a_time_in_the_spring_gap_becomes_a_real_instant(session):
    template = EventTemplate(
        title_fi="Yö",
        months="3",
        weekday=6,
        week=5,
        start_time=time(3, 30),  # 03.30 does not exist on 28 March 2027 in Helsinki
        audience=Audience.all_residents,
    )
    [found] = calendar_generation.occurrences(template, 2027)
    assert found.starts_at == utc(2027, 3, 28, 1, 30)


def test_a_fixed_day_and_odd_years(session):
    template = EventTemplate(
        title_fi="Päivä",
        months="2,11",
        years="odd",
        day=28,
        start_time=time(9, 0),
        audience=Audience.all_chairs,
    )
    assert calendar_generation.occurrences(template, 2028) == []
    starts = [o.starts_at for o in calendar_generation.occurrences(template, 2027)]
    assert starts == [utc(2027, 2, 28, 7, 0), utc(2027, 11, 28, 7, 0)]


def test_the_daily_job_generates_and_is_registered(session, houses, monkeypatch):
    calendar_defaults.ensure_defaults(session)
    monkeypatch.setattr(calendar_jobs, "utcnow", lambda: utc(2027, 12, 31, 23, 30))
    job = calendar_jobs.generate_events.__wrapped__  # type: ignore[attr-defined]
    first = job(session)
    assert first > 0 and job(session) == 0
    assert len(generated(session, "chairs-newsletter")) == 12
    from app import scheduler

    [entry] = [j for j in scheduler.JOBS if j[0] == "calendar_generate"]
    assert entry[1] is calendar_jobs.generate_events
    assert (entry[2], entry[3]) == ("cron", {"hour": 2, "minute": 30})
