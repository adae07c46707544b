"""Survey mail: the survey is open, to its audience, once per survey and person."""

from datetime import datetime

from sqlmodel import Session, col, select

from app.config import get_settings
from app.models.calendar import Audience
from app.models.surveys import Survey
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
