"""Nothing is sent unconfirmed: the reach a confirmation shows (people, channel, languages,
names), the confirmed number checked against the audience of the moment, and cancelling a
scheduled newsletter until its sending begins."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app.errors import Conflict, ValidationFailed
from app.models.mail import Delivery
from app.models.newsletter_schemas import NewsletterCreate
from app.models.newsletters import (
    Frequency,
    Newsletter,
    NewsletterKind,
    NewsletterStatus,
    Topic,
)
from app.models.people import Language, StaffKind
from app.models.types import utcnow
from app.services.access.roles import load_principal
from app.services.mail import preferences
from app.services.newsletters import editions as service
from app.services.newsletters import reach, sending
from tests.support import make_house, make_person, make_resident, make_staff


def who(session, person):
    return load_principal(session, person, date.today())


@pytest.fixture()
def world(session):
    house = make_house(session)
    names = ["Eero", "Aino", "Cecilia", "Dan", "Björn", "Fanny", "Gustav"]
    languages = [Language.fi, Language.fi, Language.sv, Language.en, Language.sv, Language.fi]
    people = [
        make_resident(session, house, make_person(session, name=name, language=language))
        for name, language in zip(names, languages + [Language.sv], strict=True)
    ]
    # Gustav (Swedish) has turned house bulletins off: he is no recipient.
    preferences.choose(session, people[-1].id, Topic.house_bulletin, Frequency.off)
    management = make_staff(session, StaffKind.management)
    newsletter = service.create(
        session,
        NewsletterCreate(
            kind=NewsletterKind.house,
            house_id=house.id,
            title="Talkoot",
            body_md="Tervetuloa talkoisiin.",
            title_sv="Talko",
            body_md_sv="Välkommen på talko.",
        ),
        who(session, management),
    )
    session.commit()
    return SimpleNamespace(house=house, people=people, boss=management, newsletter=newsletter)


def deliveries(session, newsletter):
    return session.exec(select(Delivery).where(Delivery.newsletter_id == newsletter.id)).all()


def test_the_reach_counts_people_per_language_and_names_a_few(session, world):
    found = reach.of(session, world.newsletter, date.today())
    assert found.recipients == 6 and found.channel == "mail"
    by_language = {row.language: (row.recipients, row.own_text) for row in found.languages}
    # English readers have no text of their own: they get the Finnish one.
    assert by_language == {"fi": (3, True), "sv": (2, True), "en": (1, False)}
    assert found.sample == ["Aino", "Björn", "Cecilia", "Dan", "Eero"]  # by name, five
    assert found.others == 1
    when, checked = service.check_schedule(session, world.newsletter)
    assert checked == found and abs(when - utcnow()) < timedelta(seconds=5)


def test_nothing_is_scheduled_without_the_confirmed_number(session, world):
    boss = who(session, world.boss)
    with pytest.raises(ValidationFailed) as refused:
        service.schedule(session, world.newsletter, boss, 1)
    assert set(refused.value.errors) == {"confirm_recipients"}
    with pytest.raises(ValidationFailed) as refused:
        service.schedule(session, world.newsletter, boss, 1, confirm_recipients=7)
    assert set(refused.value.errors) == {"confirm_recipients"}
    assert "6" in refused.value.errors["confirm_recipients"]
    assert world.newsletter.status == NewsletterStatus.draft
    assert sending.send_due(session, utcnow() + timedelta(days=1)) == 0
    assert deliveries(session, world.newsletter) == []

    service.schedule(session, world.newsletter, boss, 1, confirm_recipients=6)
    assert world.newsletter.status == NewsletterStatus.scheduled
    assert sending.send_due(session) == 6


def test_a_cancelled_newsletter_is_not_sent_and_one_being_sent_cannot_be_cancelled(session, world):
    boss = who(session, world.boss)
    later = utcnow() + timedelta(hours=2)
    service.schedule(session, world.newsletter, boss, 1, later, confirm_recipients=6)
    service.cancel(session, world.newsletter, boss, 2)
    assert world.newsletter.status == NewsletterStatus.cancelled
    assert sending.send_due(session, later + timedelta(minutes=1)) == 0
    assert deliveries(session, world.newsletter) == []

    # Scheduled again, its page read, then claimed by the sender: a cancel from that page is
    # too late (the claim moved the version on), and the newsletter goes to everyone.
    service.schedule(session, world.newsletter, boss, 3, confirm_recipients=6)
    as_read = Newsletter(**world.newsletter.model_dump())
    assert sending.send_due(session) == 6
    with pytest.raises(Conflict):
        service.cancel(session, as_read, boss, as_read.version)
    session.refresh(world.newsletter)
    assert world.newsletter.status == NewsletterStatus.sent
    assert len(deliveries(session, world.newsletter)) == 6
