"""Newsletters: who may write and read them, drafts, scheduling, sending to the audience of the
moment, automatic content, progress."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from markupsafe import escape
from sqlmodel import select

from app import policies
from app.errors import Conflict, ValidationFailed
from app.models.audit import AuditEntry
from app.models.calendar import Audience, CalendarEvent
from app.models.committees import Position
from app.models.houses import Residency
from app.models.initiatives import Outcome, State
from app.models.mail import Delivery, DeliveryStatus
from app.models.newsletter_schemas import NewsletterCreate, NewsletterUpdate
from app.models.newsletters import Frequency, Newsletter, NewsletterKind, NewsletterStatus, Topic
from app.models.people import Language, Person, StaffKind
from app.models.types import utcnow
from app.services.access.roles import load_principal
from app.services.mail import delivery as mail_service
from app.services.mail import preferences, unsubscribe
from app.services.newsletters import content as newsletter_content
from app.services.newsletters import editions as service
from app.services.newsletters import sending as newsletter_audience
from tests.support import (
    make_committee,
    make_house,
    make_initiative,
    make_manager,
    make_resident,
    make_staff,
)


def who(session, person):
    return load_principal(session, person, date.today())


@pytest.fixture()
def world(session):
    house_a = make_house(session, name="Koivukuja")
    house_b = make_house(session, name="Vaahterakuja")
    chair_a = make_resident(session, house_a)
    member_a = make_resident(session, house_a)
    make_committee(session, house_a, [(chair_a, Position.chair), (member_a, Position.member)])
    chair_b = make_resident(session, house_b)
    make_committee(session, house_b, [(chair_b, Position.chair)])
    people = SimpleNamespace(
        house_a=house_a,
        house_b=house_b,
        chair_a=chair_a,
        member_a=member_a,
        chair_b=chair_b,
        resident_a=make_resident(session, house_a),
        resident_b=make_resident(session, house_b),
        manager_a=make_manager(session, house_a),
        management=make_staff(session, StaffKind.management),
        admin=make_staff(session, StaffKind.admin),
        adviser=make_staff(session, StaffKind.housing_adviser),
    )
    session.commit()
    return people


def draft(session, world, kind=NewsletterKind.residents, house=None, **fields):
    author = world.management
    data = NewsletterCreate(
        kind=kind,
        house_id=house.id if house is not None else None,
        title=fields.pop("title", "Kevään uutiset"),
        body_md=fields.pop("body_md", "Pihatalkoot **lauantaina**."),
        include_events=fields.pop("include_events", False),
        include_initiatives=fields.pop("include_initiatives", False),
    )
    newsletter = service.create(session, data, who(session, author))
    for name, value in fields.items():
        setattr(newsletter, name, value)
    session.add(newsletter)
    session.flush()
    return newsletter


def scheduled(session, world, *args, **kwargs):
    newsletter = draft(session, world, *args, **kwargs)
    newsletter.status = NewsletterStatus.scheduled
    newsletter.scheduled_at = utcnow() - timedelta(minutes=1)
    session.add(newsletter)
    session.flush()
    return newsletter


def deliveries(session, newsletter):
    return session.exec(
        select(Delivery).where(Delivery.newsletter_id == newsletter.id).order_by(Delivery.id)
    ).all()


# ---- predicates ----------------------------------------------------------------------------


def test_who_may_write_which_kind(session, world):
    house_a, house_b = world.house_a.id, world.house_b.id
    for kind in (NewsletterKind.chairs, NewsletterKind.residents):
        assert policies.can_write_newsletter(who(session, world.management), kind)
        assert policies.can_write_newsletter(who(session, world.admin), kind)
        for person in (world.chair_a, world.manager_a, world.resident_a, world.adviser):
            assert not policies.can_write_newsletter(who(session, person), kind)
    house = NewsletterKind.house
    for person in (world.manager_a, world.chair_a, world.member_a, world.management):
        assert policies.can_write_newsletter(who(session, person), house, house_a)
    assert not policies.can_write_newsletter(who(session, world.manager_a), house, house_b)
    assert not policies.can_write_newsletter(who(session, world.chair_b), house, house_a)
    assert not policies.can_write_newsletter(who(session, world.resident_a), house, house_a)
    assert not policies.can_write_newsletter(who(session, world.management), house, None)
    assert not policies.can_write_newsletter(None, NewsletterKind.chairs)


def test_who_may_start_a_newsletter_and_open_the_archive(session, world):
    for person in (world.management, world.admin, world.manager_a, world.chair_a, world.member_a):
        assert policies.can_write_newsletters(who(session, person))
    for person in (world.resident_a, world.adviser):
        assert not policies.can_write_newsletters(who(session, person))
        assert policies.can_list_newsletters(who(session, person))
    assert not policies.can_write_newsletters(None)
    assert not policies.can_list_newsletters(None)


def test_who_may_manage_edit_and_cancel(session, world):
    bulletin = draft(session, world, NewsletterKind.house, world.house_a)
    chair_a, chair_b = who(session, world.chair_a), who(session, world.chair_b)
    assert policies.can_manage_newsletter(chair_a, bulletin)
    assert not policies.can_manage_newsletter(chair_b, bulletin)
    assert policies.can_edit_newsletter(chair_a, bulletin)
    assert not policies.can_cancel_newsletter(chair_a, bulletin)  # a draft: nothing to cancel
    bulletin.status = NewsletterStatus.scheduled
    assert policies.can_cancel_newsletter(chair_a, bulletin)
    assert not policies.can_cancel_newsletter(chair_b, bulletin)
    assert policies.can_edit_newsletter(chair_a, bulletin)
    bulletin.status = NewsletterStatus.sent
    assert not policies.can_edit_newsletter(chair_a, bulletin)
    assert not policies.can_cancel_newsletter(chair_a, bulletin)
    assert policies.can_manage_newsletter(chair_a, bulletin)


def test_who_may_read(session, world):
    chairs = draft(session, world, NewsletterKind.chairs)
    residents = draft(session, world, NewsletterKind.residents)
    bulletin = draft(session, world, NewsletterKind.house, world.house_a)
    resident_a, resident_b = who(session, world.resident_a), who(session, world.resident_b)
    chair_b, adviser = who(session, world.chair_b), who(session, world.adviser)
    # Drafts: their writers and the overseers only.
    for newsletter in (chairs, residents, bulletin):
        assert not policies.can_read_newsletter(resident_a, newsletter)
        assert policies.can_read_newsletter(who(session, world.admin), newsletter)
    assert policies.can_read_newsletter(who(session, world.member_a), bulletin)
    for newsletter in (chairs, residents, bulletin):
        newsletter.status = NewsletterStatus.sent
    assert policies.can_read_newsletter(chair_b, chairs)
    assert not policies.can_read_newsletter(resident_a, chairs)
    assert policies.can_read_newsletter(resident_a, residents)
    assert not policies.can_read_newsletter(adviser, residents)
    assert policies.can_read_newsletter(resident_a, bulletin)
    assert not policies.can_read_newsletter(resident_b, bulletin)
    assert not policies.can_read_newsletter(chair_b, bulletin)
    assert not policies.can_read_newsletter(None, residents)


# ---- drafts --------------------------------------------------------------------------------


def test_create_checks_the_kind_and_the_house(session, world):
    chair = who(session, world.chair_a)
    with pytest.raises(ValidationFailed) as refused:
        service.create(session, NewsletterCreate(kind=NewsletterKind.chairs, title="X"), chair)
    assert "kind" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        service.create(session, NewsletterCreate(kind=NewsletterKind.house, title="X"), chair)
    assert "house_id" in refused.value.errors
    other = NewsletterCreate(kind=NewsletterKind.house, house_id=world.house_b.id, title="X")
    with pytest.raises(ValidationFailed) as refused:
        service.create(session, other, chair)
    assert "house_id" in refused.value.errors
    blank = NewsletterCreate(kind=NewsletterKind.house, house_id=world.house_a.id, title="   ")
    with pytest.raises(ValidationFailed) as refused:
        service.create(session, blank, chair)
    assert "title" in refused.value.errors

    own = NewsletterCreate(
        kind=NewsletterKind.house, house_id=world.house_a.id, title=" Talkoot ", body_md="Hei"
    )
    created = service.create(session, own, chair)
    assert (created.title, created.status, created.created_by_id) == (
        "Talkoot",
        NewsletterStatus.draft,
        world.chair_a.id,
    )
    # A newsletter to everyone never carries a house.
    everyone = NewsletterCreate(
        kind=NewsletterKind.residents, house_id=world.house_a.id, title="Kaikille"
    )
    assert service.create(session, everyone, who(session, world.management)).house_id is None
    audited = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "newsletter", AuditEntry.entity_id == str(created.id)
        )
    ).one()
    assert audited.action == "create" and audited.actor_id == world.chair_a.id


def test_update_is_locked_optimistically_and_audited(session, world):
    newsletter = draft(session, world)
    boss = who(session, world.management)
    change = NewsletterUpdate(
        title="Kesän uutiset", body_md="Uusi teksti", include_events=True, version=1
    )
    service.update(session, newsletter, change, boss)
    assert (newsletter.title, newsletter.version, newsletter.include_events) == (
        "Kesän uutiset",
        2,
        True,
    )
    with pytest.raises(Conflict):
        service.update(session, newsletter, change, boss)  # read at version 1
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "newsletter", AuditEntry.action == "update")
    ).one()
    assert entry.after["title"] == "Kesän uutiset" and entry.before["title"] == "Kevään uutiset"

    newsletter.status = NewsletterStatus.sent
    with pytest.raises(ValidationFailed):
        service.update(session, newsletter, change.model_copy(update={"version": 2}), boss)


# ---- scheduling ----------------------------------------------------------------------------


def test_schedule_refuses_the_past_at_the_field(session, world):
    newsletter = draft(session, world)
    now = utcnow()
    with pytest.raises(ValidationFailed) as refused:
        service.schedule(
            session, newsletter, who(session, world.management), 1, now - timedelta(hours=1), now
        )
    assert set(refused.value.errors) == {"scheduled_at"}
    with pytest.raises(ValidationFailed) as refused:
        service.schedule(
            session, newsletter, who(session, world.management), 1, now + timedelta(days=400), now
        )
    assert set(refused.value.errors) == {"scheduled_at"}
    assert newsletter.status == NewsletterStatus.draft


def test_schedule_at_a_helsinki_time_or_now(session, world):
    newsletter = draft(session, world)
    boss = who(session, world.management)
    now = datetime(2031, 3, 1, 10, 0, tzinfo=utcnow().tzinfo)
    everyone = 5  # the residents of both houses
    service.schedule(
        session, newsletter, boss, 1, datetime(2031, 3, 2, 9, 0), now, confirm_recipients=everyone
    )
    assert newsletter.status == NewsletterStatus.scheduled
    assert newsletter.scheduled_at == datetime(2031, 3, 2, 7, 0, tzinfo=now.tzinfo)  # UTC+2
    service.cancel(session, newsletter, boss, 2, now)
    assert (newsletter.status, newsletter.scheduled_at) == (NewsletterStatus.cancelled, None)
    service.schedule(session, newsletter, boss, 3, None, now, confirm_recipients=everyone)
    assert newsletter.scheduled_at == now
    actions = session.exec(
        select(AuditEntry.action).where(AuditEntry.entity == "newsletter").order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "schedule", "cancel", "schedule"]
    with pytest.raises(Conflict):
        service.cancel(session, newsletter, boss, 3, now)


def test_cancel_needs_a_scheduled_newsletter(session, world):
    newsletter = draft(session, world)
    with pytest.raises(ValidationFailed) as refused:
        service.cancel(session, newsletter, who(session, world.management), 1)
    assert "" in refused.value.errors


def test_schedule_refuses_an_empty_audience_and_an_empty_text(session, world):
    house = make_house(session, name="Tyhjä talo")
    manager = make_manager(session, house)
    empty = service.create(
        session,
        NewsletterCreate(kind=NewsletterKind.house, house_id=house.id, title="X", body_md="Hei"),
        who(session, manager),
    )
    with pytest.raises(ValidationFailed) as refused:
        service.schedule(session, empty, who(session, manager), 1)
    empty_audience = refused.value.errors[""]

    # Everyone in it has unsubscribed: as empty.
    lonely = make_house(session)
    resident = make_resident(session, lonely)
    manager_l = make_manager(session, lonely)
    preferences.choose(session, resident.id, Topic.house_bulletin, Frequency.off)
    bulletin = service.create(
        session,
        NewsletterCreate(kind=NewsletterKind.house, house_id=lonely.id, title="X", body_md="Hei"),
        who(session, manager_l),
    )
    with pytest.raises(ValidationFailed) as refused:
        service.schedule(session, bulletin, who(session, manager_l), 1)
    assert refused.value.errors == {"": empty_audience}

    no_text = draft(session, world, body_md="  ")
    with pytest.raises(ValidationFailed) as refused:
        service.schedule(session, no_text, who(session, world.management), 1)
    assert set(refused.value.errors) == {""}
    assert refused.value.errors[""] != empty_audience


# ---- sending -------------------------------------------------------------------------------


def test_the_audience_is_resolved_when_sending_without_those_who_opted_out(session, world):
    newsletter = scheduled(session, world, NewsletterKind.residents)
    # After scheduling: someone moves in, someone moves out, someone unsubscribes.
    newcomer = make_resident(session, world.house_b)
    moved = session.exec(select(Residency).where(Residency.person_id == world.resident_b.id)).one()
    moved.ends_on = date.today() - timedelta(days=1)
    session.add(moved)
    preferences.choose(session, world.chair_a.id, Topic.residents_newsletter, Frequency.off)
    # Another topic turned off does not matter.
    preferences.choose(session, world.member_a.id, Topic.chairs_newsletter, Frequency.off)
    session.flush()

    written = newsletter_audience.send_due(session)

    expected = {
        world.member_a.id,
        world.chair_b.id,
        world.resident_a.id,
        newcomer.id,
    }
    rows = deliveries(session, newsletter)
    assert {d.person_id for d in rows} == expected
    assert written == len(expected) == newsletter.recipients
    assert newsletter.status == NewsletterStatus.sent and newsletter.sent_at is not None
    assert {d.message_key for d in rows} == {f"newsletter:{newsletter.id}"}
    for row in rows:
        assert row.unsubscribe_url == newsletter_audience.unsubscribe_url(
            row.person_id, Topic.residents_newsletter
        )
        assert "Pihatalkoot <strong>lauantaina</strong>." in row.body_html
        assert "Pihatalkoot lauantaina." in row.body_text
        assert row.unsubscribe_url in row.body_text  # the footer link too
        assert "/account/notifications" in row.body_text
    # Each copy is exactly what rendering it for that reader alone gives (the copies are made
    # from one rendering per language with the reader's own unsubscribe address put in).
    found = newsletter_content.content(session, newsletter, utcnow())
    for row in rows:
        person = session.get(Person, row.person_id)
        alone = mail_service.render(
            newsletter_audience.TEMPLATE,
            person.language.value,
            person=person,
            unsubscribe_url=row.unsubscribe_url,
            **found.context(person.language.value),
        )
        assert (row.subject, row.body_text, row.body_html) == alone
        assert f'href="{escape(row.unsubscribe_url)}"' in row.body_html


def test_sending_twice_reaches_nobody_twice(session, world):
    newsletter = scheduled(session, world, NewsletterKind.chairs)
    assert newsletter_audience.send_due(session) == 2
    assert newsletter_audience.send_due(session) == 0  # already sent: not due any more
    # Even if it were resolved again (say two schedulers raced), the unique key holds.
    newsletter.status = NewsletterStatus.scheduled
    session.add(newsletter)
    session.flush()
    assert newsletter_audience.send_due(session) == 0
    rows = deliveries(session, newsletter)
    assert sorted(d.person_id for d in rows) == sorted([world.chair_a.id, world.chair_b.id])


def test_a_house_bulletin_goes_only_to_that_house(session, world):
    bulletin = scheduled(session, world, NewsletterKind.house, world.house_a)
    newsletter_audience.send_due(session)
    assert {d.person_id for d in deliveries(session, bulletin)} == {
        world.chair_a.id,
        world.member_a.id,
        world.resident_a.id,
    }
    assert all(
        "/unsubscribe/" in d.unsubscribe_url and ".house_bulletin." in d.unsubscribe_url
        for d in deliveries(session, bulletin)
    )


def test_an_audience_empty_at_sending_time_is_recorded(session, world):
    house = make_house(session)
    resident = make_resident(session, house)
    manager = make_manager(session, house)
    bulletin = service.create(
        session,
        NewsletterCreate(kind=NewsletterKind.house, house_id=house.id, title="X", body_md="Hei"),
        who(session, manager),
    )
    service.schedule(session, bulletin, who(session, manager), 1, confirm_recipients=1)
    preferences.choose(session, resident.id, Topic.house_bulletin, Frequency.off)
    bulletin.scheduled_at = utcnow() - timedelta(seconds=1)
    session.add(bulletin)
    session.flush()

    assert newsletter_audience.send_due(session) == 0
    assert (bulletin.status, bulletin.recipients) == (NewsletterStatus.sent, 0)
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "newsletter",
            AuditEntry.entity_id == str(bulletin.id),
            AuditEntry.action == newsletter_audience.EMPTY_AUDIENCE,
        )
    ).one()
    assert entry.after["recipients"] == 0


def test_a_cancelled_or_future_newsletter_is_not_sent(session, world):
    later = scheduled(session, world, NewsletterKind.residents)
    later.scheduled_at = utcnow() + timedelta(hours=1)
    cancelled = draft(session, world, NewsletterKind.chairs, status=NewsletterStatus.cancelled)
    session.add(later)
    session.flush()
    assert newsletter_audience.send_due(session) == 0
    assert deliveries(session, later) == [] and deliveries(session, cancelled) == []
    assert newsletter_audience.send_due(session, now=utcnow() + timedelta(hours=2)) > 0


def test_each_recipient_reads_the_frame_in_their_own_language(session, world):
    world.resident_a.language = Language.sv
    session.add(world.resident_a)
    initiative = make_initiative(session, world.chair_a, world.house_a, State.answered)
    bulletin = scheduled(
        session, world, NewsletterKind.house, world.house_a, include_initiatives=True
    )
    newsletter_audience.send_due(session)
    by_person = {d.person_id: d for d in deliveries(session, bulletin)}
    assert initiative.title in by_person[world.resident_a.id].body_text
    assert "Godkänt" in by_person[world.resident_a.id].body_text
    assert "Hyväksytty" in by_person[world.member_a.id].body_text
    # The text itself stays as it was written.
    assert "Pihatalkoot lauantaina." in by_person[world.resident_a.id].body_text


def event(session, audience, days, house=None, **fields):
    starts = utcnow() + timedelta(days=days)
    row = CalendarEvent(
        title_fi=fields.pop("title_fi", f"Tapahtuma {audience} {days}"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        audience=audience,
        house_id=house.id if house is not None else None,
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def test_coming_events_fit_the_audience(session, world):
    now = utcnow()
    chairs_event = event(session, Audience.all_chairs, 10)
    everyone = event(session, Audience.all_residents, 20, title_sv="Alla", title_en="All")
    house_a = event(session, Audience.house_residents, 5, world.house_a)
    house_b = event(session, Audience.house_residents, 5, world.house_b)
    event(session, Audience.all_residents, 50)  # too far ahead
    event(session, Audience.all_residents, -1)  # already begun
    event(session, Audience.all_residents, 3, cancelled_at=now)
    event(session, Audience.management, 3)
    event(session, Audience.house_committee, 3, world.house_a)

    def ids(kind, house=None):
        newsletter = draft(session, world, kind, house, include_events=True)
        return [e.id for e in newsletter_content.coming_events(session, newsletter, now)]

    assert ids(NewsletterKind.chairs) == [chairs_event.id]
    assert ids(NewsletterKind.residents) == [everyone.id]
    assert ids(NewsletterKind.house, world.house_a) == [house_a.id, everyone.id]
    assert ids(NewsletterKind.house, world.house_b) == [house_b.id, everyone.id]

    # In the mail: the date in Helsinki time and a link, the title in the reader's language.
    bulletin = scheduled(session, world, NewsletterKind.house, world.house_a, include_events=True)
    world.resident_a.language = Language.sv
    session.add(world.resident_a)
    newsletter_audience.send_due(session)
    mails = {d.person_id: d for d in deliveries(session, bulletin)}
    assert f"/calendar/events/{everyone.id}" in mails[world.resident_a.id].body_text
    assert "Alla" in mails[world.resident_a.id].body_text
    assert everyone.title_fi in mails[world.member_a.id].body_text
    assert 'href="http://' in mails[world.member_a.id].body_html.replace("https", "http")


def test_answered_initiatives_fit_the_audience(session, world):
    now = utcnow()
    company = make_initiative(session, world.chair_a, None, State.answered)
    house_a = make_initiative(session, world.chair_a, world.house_a, State.answered)
    house_b = make_initiative(session, world.chair_b, world.house_b, State.answered)
    make_initiative(
        session,
        world.chair_a,
        None,
        State.answered,
        answered_at=now - timedelta(days=61),
    )  # too long ago
    make_initiative(session, world.chair_a, None, State.received)  # not answered
    rejected = make_initiative(
        session, world.chair_a, None, State.implemented, outcome=Outcome.rejected
    )

    def ids(kind, house=None):
        newsletter = draft(session, world, kind, house, include_initiatives=True)
        return {i.id for i in newsletter_content.answered_initiatives(session, newsletter, now)}

    assert ids(NewsletterKind.chairs) == {company.id, rejected.id}
    # Residents may not see the company's initiatives, so their newsletter lists none.
    assert ids(NewsletterKind.residents) == set()
    assert ids(NewsletterKind.house, world.house_a) == {house_a.id}
    assert ids(NewsletterKind.house, world.house_b) == {house_b.id}

    # Left out unless asked for.
    plain = scheduled(session, world, NewsletterKind.chairs)
    newsletter_audience.send_due(session)
    assert company.title not in deliveries(session, plain)[0].body_text


def test_progress_counts_sent_failed_and_pending(session, world):
    newsletter = scheduled(session, world, NewsletterKind.residents)
    newsletter_audience.send_due(session)
    rows = deliveries(session, newsletter)
    assert len(rows) == 5
    rows[0].status = DeliveryStatus.sent
    rows[1].status = DeliveryStatus.sent
    rows[2].status = DeliveryStatus.failed
    rows[3].status = DeliveryStatus.sending
    for row in rows[:4]:
        session.add(row)
    session.flush()
    progress = service.progress(session, newsletter.id)
    assert (progress.sent, progress.failed, progress.pending, progress.total) == (2, 1, 2, 5)
    # A test send is not part of the progress.
    newsletter_audience.test_send(session, newsletter, world.management)
    newsletter_audience.test_send(session, newsletter, world.management)
    assert service.progress(session, newsletter.id).total == 5
    tests = session.exec(select(Delivery).where(Delivery.recipient == world.management.email)).all()
    assert len(tests) == 2 and len({t.message_key for t in tests}) == 2
    assert all(t.subject.startswith("[") and t.unsubscribe_url for t in tests)


def test_the_archive_lists_what_a_person_may_read(session, world):
    sent = draft(session, world, NewsletterKind.residents, status=NewsletterStatus.sent)
    sent.sent_at = utcnow() - timedelta(days=3)
    newer = draft(session, world, NewsletterKind.residents, status=NewsletterStatus.sent)
    newer.sent_at = utcnow() - timedelta(days=1)
    chairs = draft(session, world, NewsletterKind.chairs, status=NewsletterStatus.sent)
    chairs.sent_at = utcnow()
    bulletin_b = draft(
        session, world, NewsletterKind.house, world.house_b, status=NewsletterStatus.sent
    )
    bulletin_b.sent_at = utcnow() - timedelta(days=2)
    own_draft = draft(session, world, NewsletterKind.house, world.house_a)
    session.flush()

    def listed(person, kind=None):
        return [n.id for n in service.readable(session, who(session, person), kind)]

    assert listed(world.resident_a) == [newer.id, sent.id]
    assert listed(world.chair_b) == [chairs.id, newer.id, bulletin_b.id, sent.id]
    assert own_draft.id in listed(world.manager_a) and bulletin_b.id not in listed(world.manager_a)
    assert set(listed(world.management)) == {
        sent.id,
        newer.id,
        chairs.id,
        bulletin_b.id,
        own_draft.id,
    }
    assert listed(world.chair_b, NewsletterKind.chairs) == [chairs.id]
    assert listed(world.adviser) == []


def test_a_preview_shows_the_mail_with_unsaved_changes(session, world):
    newsletter = draft(session, world)
    unsaved = newsletter_content.with_changes(
        newsletter,
        title="Uusi otsikko",
        body_md="Uusi <script>x()</script> **teksti**",
        include_events=False,
        include_initiatives=False,
    )
    shown = newsletter_audience.preview(session, unsaved, world.management, utcnow())
    assert [p.lang for p in shown] == ["fi", "sv", "en"]  # the viewer's language first
    for preview in shown:
        assert "Uusi otsikko" in preview.html and "<strong>teksti</strong>" in preview.html
        assert "<script>" not in preview.html
    assert newsletter.title == "Kevään uutiset"  # nothing saved
    stored = select(Newsletter).where(Newsletter.title == "Uusi otsikko")
    assert session.exec(stored).first() is None


@pytest.mark.parametrize(
    "address",
    [
        "https://portal.example/unsubscribe/1.x\r\nBcc: everyone@example.com",
        "https://portal.example/unsubscribe/1.x>, <mailto:attacker@example.com",
        "javascript:alert(1)",
        "https://portal.example/unsubscribe/ space",
    ],
)
def test_an_unsafe_unsubscribe_address_adds_no_header(address, settings):
    delivery = Delivery(
        message_key="k",
        recipient="a@example.com",
        subject="S",
        body_text="T",
        unsubscribe_url=address,
    )
    message = mail_service.build_message(delivery, settings)
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert message["Bcc"] is None


def test_a_long_unsubscribe_address_stays_on_one_unencoded_line(settings):
    address = "https://asukasportaali.example.fi/unsubscribe/" + unsubscribe.make(
        123456, Topic.residents_newsletter
    )
    delivery = Delivery(
        message_key="k",
        recipient="a@example.com",
        subject="S",
        body_text="T",
        unsubscribe_url=address,
    )
    raw = mail_service.build_message(delivery, settings).as_bytes().decode()
    assert f"List-Unsubscribe: <{address}>\n" in raw
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n" in raw
