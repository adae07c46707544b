"""The daily election job: the voting announced once; after the close the counters are asked to
count with their key (the job cannot: it has no key); the results once counted."""

from datetime import UTC, datetime, time, timedelta

from app import scheduler
from app.jobs import elections as election_jobs
from app.models.ballots import ElectionCreate
from app.models.committees import Position
from app.models.people import StaffKind
from app.services.ballots import counting, election_mail
from app.services.ballots import elections as service
from app.services.ballots import voting as voting_service
from app.services.mail import delivery as mail_service
from tests.support import make_committee, make_house, make_resident, make_staff

DAY = datetime.now(UTC).date()


def _at(day, hour=12):
    return datetime.combine(day, time(hour), tzinfo=UTC)


def test_the_job_announces_asks_for_the_count_and_the_count_tells_the_results_once(
    session, connection, smtp, monkeypatch
):
    house = make_house(session, name="Koivukuja")
    chair = make_resident(session, house)
    vice = make_resident(session, house)
    make_committee(
        session,
        house,
        [(chair, Position.chair), (vice, Position.vice_chair)],
        term_start=DAY - timedelta(days=200),
    )
    bystander = make_resident(session, house)
    director = make_staff(session, StaffKind.management)
    election, counting_key = service.create_election(
        session,
        ElectionCreate(
            title="Haso-yte 2032",
            nomination_opens_on=DAY - timedelta(days=10),
            nomination_closes_on=DAY - timedelta(days=1),
            voting_opens_on=DAY,
            voting_closes_on=DAY + timedelta(days=2),
            term_starts_on=DAY + timedelta(days=3),
            term_ends_on=DAY + timedelta(days=100),
        ),
        None,
    )
    candidate = service.stand(
        session, election, chair.id, house.id, "Esittely", DAY - timedelta(days=5)
    )
    job = election_jobs.elections_daily.__wrapped__

    monkeypatch.setattr(election_jobs, "utcnow", lambda: _at(DAY))
    first = job(session)
    assert (first.announced, first.counted, first.mails) == (1, 0, 2)
    assert job(session).announced == 0
    voting_service.cast_vote(session, election, vice.id, house.id, [candidate.id], DAY)

    monkeypatch.setattr(election_jobs, "utcnow", lambda: _at(DAY + timedelta(days=3)))
    closing = job(session)
    assert (closing.announced, closing.counted, closing.count_requested) == (0, 0, 1)
    assert election.counted_at is None and election.count_requested_at is not None
    assert job(session).count_requested == 0
    counted_at = _at(DAY + timedelta(days=3), 14)
    counting.count(session, election, director.id, counting_key, now=counted_at)
    assert election_mail.announce_results(session, election, counted_at) == 1  # the chair
    assert candidate.elected and candidate.votes == 1
    assert election.term_id is not None
    assert job(session).counted == 0
    session.commit()

    mail_service.send_pending(connection)
    opened = smtp.to(vice.email)
    subjects = sorted(str(m["Subject"]) for m in opened)
    assert len(subjects) == 1 and "Haso-yte 2032" in subjects[0]
    to_chair = smtp.to(chair.email)
    assert len(to_chair) == 2  # the voting opens, and the results
    assert any(chair.name in smtp.text_of(m) for m in to_chair)
    assert smtp.to(bystander.email) == []
    (asked,) = smtp.to(director.email)
    assert "Haso-yte 2032" in str(asked["Subject"])
    assert f"/elections/{election.id}?lang=fi#count" in smtp.text_of(asked)


def test_the_job_is_registered():
    registered = {job_id: func for job_id, func, _trigger, _args in scheduler.JOBS}
    assert registered["elections_daily"] is election_jobs.elections_daily


def test_the_survey_job_mails_the_audience_once(session, connection, smtp, monkeypatch):
    from app.jobs import surveys as survey_jobs
    from app.models.calendar import Audience
    from app.models.people import StaffKind
    from app.models.surveys import SurveyCreate
    from app.services.access.roles import load_principal
    from app.services.ballots import surveys as surveys_service
    from tests.support import make_staff

    house, other = make_house(session), make_house(session)
    resident = make_resident(session, house)
    outsider = make_resident(session, other)
    boss = make_staff(session, StaffKind.management)
    survey = surveys_service.create_survey(
        session,
        SurveyCreate(
            title="Siivouskysely",
            audience=Audience.house_residents,
            house_id=house.id,
            opens_on=DAY + timedelta(days=1),
            closes_on=DAY + timedelta(days=9),
            questions="scale: Siisteys?",
        ),
        load_principal(session, boss, DAY),
    )
    job = survey_jobs.surveys_daily.__wrapped__
    monkeypatch.setattr(survey_jobs, "utcnow", lambda: _at(DAY))
    assert job(session) == 0  # not open yet
    monkeypatch.setattr(survey_jobs, "utcnow", lambda: _at(DAY + timedelta(days=1)))
    assert job(session) >= 1
    assert job(session) == 0
    assert survey.announced_at is not None
    session.commit()
    mail_service.send_pending(connection)
    [mail] = smtp.to(resident.email)
    assert "Siivouskysely" in str(mail["Subject"])
    assert f"/surveys/{survey.id}" in smtp.text_of(mail)
    assert smtp.to(outsider.email) == []

    # The day after it closes its maker is told how many answered, once.
    monkeypatch.setattr(survey_jobs, "utcnow", lambda: _at(survey.closes_on + timedelta(days=1)))
    assert job(session) == 1
    assert job(session) == 0
    session.commit()
    mail_service.send_pending(connection)
    [closed] = smtp.to(boss.email)
    assert "Siivouskysely" in str(closed["Subject"])
    assert f"/surveys/{survey.id}?lang=fi#results" in smtp.text_of(closed)


def test_the_chairs_are_told_once_that_they_may_stand(session, monkeypatch):
    from sqlmodel import select

    from app.models.mail import Delivery

    house = make_house(session)
    chair = make_resident(session, house)
    make_committee(session, house, [(chair, Position.chair)], term_start=DAY - timedelta(days=9))
    resident = make_resident(session, house)
    election, _key = service.create_election(
        session,
        ElectionCreate(
            title="Haso-yte 2033",
            nomination_opens_on=DAY,
            nomination_closes_on=DAY + timedelta(days=10),
            voting_opens_on=DAY + timedelta(days=11),
            voting_closes_on=DAY + timedelta(days=13),
        ),
        None,
    )
    job = election_jobs.elections_daily.__wrapped__
    monkeypatch.setattr(election_jobs, "utcnow", lambda: _at(DAY))
    assert job(session).mails >= 1
    monkeypatch.setattr(election_jobs, "utcnow", lambda: _at(DAY + timedelta(days=1)))
    job(session)
    key = f"election:{election.id}:nomination-open"
    mailed = session.exec(select(Delivery.person_id).where(Delivery.message_key == key)).all()
    assert chair.id in mailed and mailed.count(chair.id) == 1
    assert resident.id not in mailed
