"""Resident meetings: the two weeks' notice, invitations sent once, minutes, compliance."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from app import i18n
from app.errors import Conflict, ValidationFailed
from app.jobs.meetings import send_due_invitations
from app.models.audit import AuditEntry
from app.models.houses import Tenure
from app.models.mail import Delivery, DeliveryStatus
from app.models.meetings import MeetingCreate, MeetingMinutes, ResidentMeeting
from app.models.people import Language
from app.models.types import utcnow
from app.services.bodies import meetings as meetings_service
from app.services.mail import delivery as mail_service
from tests.support import make_house, make_person, make_resident

TODAY = date(2027, 2, 15)
NOW = datetime(2027, 2, 15, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english():
    """Messages and dates in English, whatever catalogues exist."""
    with i18n.use_language("en"):
        yield


def meeting_input(meeting_day: date, invitation_on: date, **fields) -> MeetingCreate:
    values = {
        "starts_at": datetime.combine(meeting_day, time(18, 0)),
        "place": "Kerhohuone, Testikatu 1",
        "invitation_on": invitation_on,
        "agenda": "1. Opening\n2. Electing the resident committee",
    }
    values.update(fields)
    return MeetingCreate(**values)


def make_meeting(session, house, starts_at: datetime, **fields) -> ResidentMeeting:
    values = {"place": "Kerhohuone", "invitation_on": (starts_at - timedelta(days=20)).date()}
    values.update(fields)
    meeting = ResidentMeeting(house_id=house.id, starts_at=starts_at, **values)
    session.add(meeting)
    session.flush()
    return meeting


def test_thirteen_days_notice_is_refused_at_the_invitation_field(session):
    house = make_house(session)
    data = meeting_input(date(2027, 3, 17), date(2027, 3, 4))
    with pytest.raises(ValidationFailed) as caught:
        meetings_service.create(session, house.id, data, None, TODAY, NOW)
    assert caught.value.errors == {
        "invitation_on": "The invitation must be sent at least 14 days before the meeting "
        "(by 3 March 2027 at the latest)."
    }
    assert session.exec(select(ResidentMeeting)).all() == []


def test_fourteen_days_notice_is_accepted_and_stored_in_utc(session):
    house = make_house(session)
    person = make_person(session)
    data = meeting_input(date(2027, 3, 17), date(2027, 3, 3))
    meeting = meetings_service.create(session, house.id, data, person.id, TODAY, NOW)
    # 18:00 in Helsinki in March (UTC+2) is 16:00 UTC.
    assert meeting.starts_at == datetime(2027, 3, 17, 16, 0, tzinfo=UTC)
    assert meeting.invitation_sent_at is None
    assert meeting.created_by_id == person.id
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "resident_meeting", AuditEntry.entity_id == str(meeting.id)
        )
    ).one()
    assert entry.action == "create" and entry.actor_id == person.id


def test_notice_counts_helsinki_days_not_utc_days(session):
    house = make_house(session)
    # 00:30 on 17 March in Helsinki is still 16 March in UTC; the notice is 14 Helsinki days.
    data = meeting_input(
        date(2027, 3, 17), date(2027, 3, 3), starts_at=datetime(2027, 3, 17, 0, 30)
    )
    meeting = meetings_service.create(session, house.id, data, None, TODAY, NOW)
    assert meeting.starts_at.date() == date(2027, 3, 16)


def test_invitation_date_in_the_past_is_refused(session):
    house = make_house(session)
    data = meeting_input(date(2027, 3, 30), TODAY - timedelta(days=1))
    with pytest.raises(ValidationFailed) as caught:
        meetings_service.create(session, house.id, data, None, TODAY, NOW)
    assert caught.value.errors["invitation_on"] == "The invitation date cannot be in the past."


def test_remote_link_must_be_a_web_address(session):
    house = make_house(session)
    data = meeting_input(date(2027, 3, 30), TODAY, remote_link="javascript:alert(1)")
    with pytest.raises(ValidationFailed) as caught:
        meetings_service.create(session, house.id, data, None, TODAY, NOW)
    assert "remote_link" in caught.value.errors


def test_invitation_due_today_is_mailed_on_creation_to_current_residents_only(session):
    house = make_house(session)
    holder = make_resident(session, house)
    renter = make_resident(session, house, tenure=Tenure.renter)
    moved_out = make_resident(session, house, ends_on=TODAY - timedelta(days=1))
    other_house = make_resident(session, make_house(session))
    data = meeting_input(date(2027, 3, 10), TODAY)
    meeting = meetings_service.create(session, house.id, data, holder.id, TODAY, NOW)
    assert meeting.invitation_sent_at == NOW
    recipients = set(
        session.exec(
            select(Delivery.recipient).where(
                Delivery.message_key == f"meeting-invitation:{meeting.id}"
            )
        )
    )
    assert recipients == {holder.email, renter.email}
    assert moved_out.email not in recipients and other_house.email not in recipients


def test_invitation_is_written_in_each_residents_language(session):
    house = make_house(session)
    swede = make_resident(session, house, make_person(session, language=Language.sv))
    english = make_resident(session, house, make_person(session, language=Language.en))
    meeting = meetings_service.create(
        session, house.id, meeting_input(date(2027, 3, 10), TODAY), None, TODAY, NOW
    )
    sv = session.exec(select(Delivery).where(Delivery.recipient == swede.email)).one()
    en = session.exec(select(Delivery).where(Delivery.recipient == english.email)).one()
    assert f"/meetings/{meeting.id}" in en.body_text
    assert house.name in en.subject
    # Dates follow the recipient's locale even before any catalogue is translated.
    assert "mars 2027" in sv.body_text
    assert "March 2027" in en.body_text


def test_send_now_refused_when_the_notice_is_no_longer_possible(session):
    house = make_house(session)
    meeting = make_meeting(session, house, datetime(2027, 2, 28, 16, 0, tzinfo=UTC))
    with pytest.raises(ValidationFailed) as caught:
        meetings_service.send_invitation(session, meeting, None, TODAY, NOW)
    assert "too late" in caught.value.errors[""]
    assert meeting.invitation_sent_at is None


def test_send_now_records_the_day_and_is_not_repeated(session):
    house = make_house(session)
    make_resident(session, house)
    meeting = make_meeting(
        session,
        house,
        datetime(2027, 3, 20, 16, 0, tzinfo=UTC),
        invitation_on=date(2027, 3, 1),
    )
    queued = meetings_service.send_invitation(session, meeting, None, TODAY, NOW)
    assert queued == 1
    assert meeting.invitation_on == TODAY and meeting.invitation_sent_at == NOW
    with pytest.raises(ValidationFailed):
        meetings_service.send_invitation(session, meeting, None, TODAY, NOW)


def test_due_invitations_skip_meetings_already_begun_or_not_yet_due(session):
    house = make_house(session)
    make_resident(session, house)
    due = make_meeting(
        session, house, datetime(2027, 3, 5, 16, tzinfo=UTC), invitation_on=date(2027, 2, 14)
    )
    begun = make_meeting(
        session, house, datetime(2027, 2, 15, 7, tzinfo=UTC), invitation_on=date(2027, 1, 30)
    )
    later = make_meeting(
        session, house, datetime(2027, 4, 5, 16, tzinfo=UTC), invitation_on=date(2027, 3, 1)
    )
    assert meetings_service.send_due_invitations(session, TODAY, NOW) == 1
    assert due.invitation_sent_at == NOW
    assert begun.invitation_sent_at is None and later.invitation_sent_at is None


def test_job_run_twice_mails_each_resident_exactly_once(session, connection, smtp):
    house = make_house(session)
    first = make_resident(session, house)
    second = make_resident(session, house)
    now = utcnow()
    meeting = make_meeting(
        session,
        house,
        now + timedelta(days=20),
        invitation_on=meetings_service.local_date(now),
    )
    run = send_due_invitations.__wrapped__  # the job's body, in the test's transaction
    assert run(session) == 1
    assert run(session) == 0
    session.commit()
    mail_service.send_pending(connection)
    mail_service.send_pending(connection)
    assert len(smtp.to(first.email)) == 1
    assert len(smtp.to(second.email)) == 1
    assert len(smtp.messages) == 2
    text = smtp.text_of(smtp.to(first.email)[0])
    assert meeting.place in text and f"/meetings/{meeting.id}" in text


def test_delivering_again_never_mails_anyone_twice(session, connection, smtp):
    house = make_house(session)
    resident = make_resident(session, house)
    meeting = make_meeting(
        session, house, datetime(2027, 3, 20, 16, tzinfo=UTC), invitation_on=TODAY
    )
    meetings_service.send_due_invitations(session, TODAY, NOW)
    meeting.invitation_sent_at = None  # as if a crash had lost the mark but not the deliveries
    session.add(meeting)
    meetings_service.send_due_invitations(session, TODAY, NOW)
    session.commit()
    mail_service.send_pending(connection)
    assert len(smtp.to(resident.email)) == 1
    statuses = session.exec(select(Delivery.status).where(Delivery.recipient == resident.email))
    assert list(statuses) == [DeliveryStatus.sent]


def test_minutes_after_the_meeting_bump_the_version_and_are_audited(session):
    house = make_house(session)
    meeting = make_meeting(session, house, NOW - timedelta(days=1))
    data = MeetingMinutes(minutes="Present: 12.", decisions="Committee elected.", version=1)
    meetings_service.record_minutes(session, meeting, data, None, NOW)
    assert meeting.minutes == "Present: 12." and meeting.version == 2
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "resident_meeting", AuditEntry.action == "update"
        )
    ).one()
    assert entry.after == {
        "minutes": "Present: 12.",
        "decisions": "Committee elected.",
        "version": 2,
        "updated_at": NOW.isoformat(),
    }


def test_minutes_with_a_stale_version_conflict(session):
    house = make_house(session)
    meeting = make_meeting(session, house, NOW - timedelta(days=1))
    meetings_service.record_minutes(
        session, meeting, MeetingMinutes(minutes="First", version=1), None, NOW
    )
    with pytest.raises(Conflict):
        meetings_service.record_minutes(
            session, meeting, MeetingMinutes(minutes="Second", version=1), None, NOW
        )
    assert meeting.minutes == "First"


def test_minutes_before_the_meeting_are_refused(session):
    house = make_house(session)
    meeting = make_meeting(session, house, NOW + timedelta(days=1))
    with pytest.raises(ValidationFailed) as caught:
        meetings_service.record_minutes(
            session, meeting, MeetingMinutes(minutes="Too early", version=1), None, NOW
        )
    assert "minutes" in caught.value.errors


def test_houses_without_meeting_in_a_helsinki_calendar_year(session):
    met = make_house(session)
    not_met = make_house(session)
    new_years_eve = make_house(session)
    make_meeting(session, met, datetime(2027, 5, 1, 15, tzinfo=UTC))
    make_meeting(session, not_met, datetime(2026, 12, 1, 15, tzinfo=UTC))
    # 23:30 UTC on 31 December 2026 is already 2027 in Helsinki.
    make_meeting(session, new_years_eve, datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    ids = {met.id, not_met.id, new_years_eve.id}
    found = meetings_service.houses_without_meeting(session, 2027, ids)
    assert [h.id for h in found] == [not_met.id]
    found_2026 = meetings_service.houses_without_meeting(session, 2026, ids)
    assert {h.id for h in found_2026} == {met.id, new_years_eve.id}
    assert meetings_service.houses_without_meeting(session, 2027, set()) == []
    everywhere = {h.id for h in meetings_service.houses_without_meeting(session, 2027)}
    assert not_met.id in everywhere and met.id not in everywhere


def test_minutes_due_lists_started_meetings_without_minutes(session):
    house = make_house(session)
    held = make_meeting(session, house, NOW - timedelta(days=3))
    make_meeting(session, house, NOW - timedelta(days=30), minutes="Done")
    make_meeting(session, house, NOW + timedelta(days=3))
    rows = meetings_service.minutes_due(session, {house.id}, NOW)
    assert [(m.id, h.id) for m, h in rows] == [(held.id, house.id)]
    assert meetings_service.minutes_due(session, set(), NOW) == []


def test_invitation_text_part_is_not_html_escaped_but_the_html_part_is(session):
    house = make_house(session, name="Koti & Piha")
    resident = make_resident(session, house)
    data = meeting_input(
        date(2027, 3, 10), TODAY, place="Pihan 'kerho'", agenda="1. <Budget> & repairs"
    )
    meetings_service.create(session, house.id, data, None, TODAY, NOW)
    delivery = session.exec(select(Delivery).where(Delivery.recipient == resident.email)).one()
    assert "Koti & Piha" in delivery.subject
    assert "Pihan 'kerho'" in delivery.body_text
    assert "1. <Budget> & repairs" in delivery.body_text
    assert "1. &lt;Budget&gt; &amp; repairs" in delivery.body_html


def test_the_daily_job_is_registered_with_its_id():
    from app import scheduler

    registered = scheduler.build().get_job("send_meeting_invitations")
    assert registered is not None
    assert registered.func is send_due_invitations
    assert "cron" in str(registered.trigger)


def test_the_job_does_not_send_an_invitation_too_late(session):
    """After downtime, an invitation whose last legal day has passed is not sent late."""
    house = make_house(session)
    make_resident(session, house)
    late = make_meeting(
        session, house, datetime(2027, 2, 25, 16, tzinfo=UTC), invitation_on=date(2027, 2, 5)
    )
    assert meetings_service.send_due_invitations(session, TODAY, NOW) == 0
    assert late.invitation_sent_at is None
    assert session.exec(select(Delivery)).all() == []
    missed = meetings_service.notice_missed(session, {house.id}, TODAY, NOW)
    assert [m.id for m, _house in missed] == [late.id]
