"""Survey mail: the survey is open, to its audience; it has closed, to its maker (who shares the
results next); each once per survey and person."""

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models.calendar import Audience
from app.models.people import Person
from app.models.surveys import Survey, SurveyParticipation
from app.models.types import local_date, utcnow
from app.services.access import audiences
from app.services.mail import delivery as mail_service
from app.services.platform import audit


def announce_open(session: Session, now: datetime | None = None) -> int:
    """Mail the audience of every survey that opened and is not yet announced; returns mails."""
    now = now or utcnow()
    today = local_date(now)
    due = session.exec(
        select(Survey).where(
            col(Survey.announced_at).is_(None),
            col(Survey.opens_on) <= today,
            col(Survey.closes_on) >= today,
        )
    )
    queued = 0
    for survey in list(due):
        url = f"{get_settings().base_url.rstrip('/')}/surveys/{survey.id}"
        people = audiences.people(session, Audience(survey.audience), survey.house_id, today)
        for person in people:
            key = f"survey:{survey.id}:open"
            if mail_service.queue(session, key, person, "survey_open", survey=survey, url=url):
                queued += 1
        before = audit.snapshot(survey)
        survey.announced_at = now
        session.add(survey)
        session.flush()
        audit.record(session, None, "update", survey, before)
    return queued


# A survey that closed longer ago than this is not announced as closed any more (the portal
# was down, or the survey was recorded afterwards).
CLOSED_ANNOUNCED_WITHIN_DAYS = 7


def announce_closed(session: Session, now: datetime | None = None) -> int:
    """Tell the maker of every survey that has closed how many answered, and that the results
    wait to be read and shared; returns mails."""
    now = now or utcnow()
    today = local_date(now)
    due = session.exec(
        select(Survey).where(
            col(Survey.closes_on) < today,
            col(Survey.closes_on) >= today - timedelta(days=CLOSED_ANNOUNCED_WITHIN_DAYS),
            col(Survey.created_by).is_not(None),
        )
    )
    queued = 0
    for survey in list(due):
        maker = session.get(Person, survey.created_by)
        if maker is None or not maker.is_active:
            continue
        answered = session.exec(
            select(func.count())
            .select_from(SurveyParticipation)
            .where(SurveyParticipation.survey_id == survey.id)
        ).one()
        url = f"{get_settings().base_url.rstrip('/')}/surveys/{survey.id}#results"
        key = f"survey:{survey.id}:closed"
        if mail_service.queue(
            session, key, maker, "survey_closed", survey=survey, answered=answered, url=url
        ):
            queued += 1
    return queued
