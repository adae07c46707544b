"""Newsletters in each reader's language: the reader's own text if written, else the Finnish one
marked lang="fi" in a frame of their language; automatic sections in it too, never listing the
newsletters' own calendar slots. Through the real SMTP conversation."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from app.errors import ValidationFailed
from app.i18n import gettext, use_language
from app.jobs import newsletters as newsletter_jobs
from app.models.calendar import Audience, CalendarEvent, EventKind
from app.models.newsletter_schemas import NewsletterCreate, NewsletterUpdate
from app.models.newsletters import NewsletterKind
from app.models.people import Language, StaffKind
from app.models.types import utcnow
from app.services.access.roles import load_principal
from app.services.mail import delivery as mail_service
from app.services.newsletters import editions as service
from app.services.newsletters import sending
from tests.support import make_house, make_person, make_resident, make_staff

FINNISH_BODY = "Pihatalkoot **lauantaina** kello 10."
SWEDISH_BODY = "Städtalko **på lördag** klockan 10."


def who(session, person):
    return load_principal(session, person, date.today())


def in_language(lang, message):
    with use_language(lang):
        return gettext(message)


@pytest.fixture()
def readers(session):
    house = make_house(session)
    people = SimpleNamespace(
        house=house,
        finn=make_resident(session, house, make_person(session, name="Aino Aaltonen")),
        swede=make_resident(
            session, house, make_person(session, name="Björn Berg", language=Language.sv)
        ),
        briton=make_resident(
            session, house, make_person(session, name="Charles Carter", language=Language.en)
        ),
        management=make_staff(session, StaffKind.management),
    )
    session.commit()
    return people


def bulletin(session, readers, **fields):
    data = NewsletterCreate(
        kind=NewsletterKind.house,
        house_id=readers.house.id,
        title="Pihatalkoot",
        body_md=FINNISH_BODY,
        title_sv=fields.pop("title_sv", "Städtalko"),
        body_md_sv=fields.pop("body_md_sv", SWEDISH_BODY),
        include_events=fields.pop("include_events", False),
        include_initiatives=False,
    )
    return service.create(session, data, who(session, readers.management))


def send_now(session, connection, newsletter, management, recipients):
    service.schedule(
        session, newsletter, who(session, management), newsletter.version,
        confirm_recipients=recipients,
    )  # fmt: skip
    session.commit()
    newsletter_jobs.send_due_newsletters(connection)
    mail_service.send_pending(connection)


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content()


def test_each_reader_gets_their_own_text_or_the_finnish_one_marked(
    session, connection, readers, smtp
):
    newsletter = bulletin(session, readers)
    send_now(session, connection, newsletter, readers.management, 3)
    assert len(smtp.messages) == 3

    [to_swede] = smtp.to(readers.swede.email)
    assert to_swede["Subject"] == "Städtalko"
    swedish = html_of(to_swede)
    assert '<html lang="sv">' in swedish
    assert "Städtalko <strong>på lördag</strong> klockan 10." in swedish
    assert 'lang="fi"' not in swedish and "Pihatalkoot" not in swedish
    assert in_language("sv", "Read it in the resident portal") in swedish
    assert "Städtalko på lördag klockan 10." in smtp.text_of(to_swede)

    # No English text: the Finnish title and text, marked Finnish, in an English frame.
    [to_briton] = smtp.to(readers.briton.email)
    assert to_briton["Subject"] == "Pihatalkoot"
    english = html_of(to_briton)
    assert '<html lang="en">' in english
    assert '<h1 lang="fi">Pihatalkoot</h1>' in english
    marked = re.search(r'<div lang="fi">(.*?)</div>', english, re.S)
    assert marked and "Pihatalkoot <strong>lauantaina</strong> kello 10." in marked.group(1)
    assert "Read it in the resident portal" in english
    assert "here is its Finnish text" in english
    assert "Pihatalkoot lauantaina kello 10." in smtp.text_of(to_briton)

    [to_finn] = smtp.to(readers.finn.email)
    finnish = html_of(to_finn)
    assert '<html lang="fi">' in finnish and '<div lang="fi">' not in finnish
    assert "Pihatalkoot <strong>lauantaina</strong> kello 10." in finnish

    # The link to the portal names the reader's language, for the pages before logging in.
    assert f"/newsletters/{newsletter.id}?lang=sv" in smtp.text_of(to_swede)
    assert f"/newsletters/{newsletter.id}?lang=en" in smtp.text_of(to_briton)


def test_coming_events_speak_the_readers_language_and_leave_out_newsletter_slots(
    session, connection, readers, smtp
):
    starts = utcnow() + timedelta(days=7)

    def event(title_fi, kind=EventKind.event, **titles):
        row = CalendarEvent(
            kind=kind,
            title_fi=title_fi,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            audience=Audience.all_residents,
            **titles,
        )
        session.add(row)
        return row

    event("Turvallisuusilta", title_sv="Säkerhetskväll")
    event("Asukkaiden uutiskirje", EventKind.residents_newsletter, title_sv="Nyhetsbrev")
    event("Puheenjohtajaposti", EventKind.chairs_newsletter)
    newsletter = bulletin(session, readers, include_events=True)
    send_now(session, connection, newsletter, readers.management, 3)

    swedish = html_of(smtp.to(readers.swede.email)[0])
    assert ">Säkerhetskväll</a>" in swedish
    english = html_of(smtp.to(readers.briton.email)[0])
    assert 'lang="fi">Turvallisuusilta</a>' in english  # no English title: the Finnish, marked
    for message in smtp.messages:
        text = smtp.text_of(message)
        assert "Asukkaiden uutiskirje" not in text and "Nyhetsbrev" not in text
        assert "Puheenjohtajaposti" not in text


def test_a_swedish_or_english_text_needs_its_title(session, readers):
    with pytest.raises(ValidationFailed) as refused:
        bulletin(session, readers, title_sv="  ")
    assert set(refused.value.errors) == {"title_sv"}
    newsletter = bulletin(session, readers)
    change = NewsletterUpdate(
        title="Pihatalkoot", body_md=FINNISH_BODY, body_md_en="Clean-up day", version=1
    )
    with pytest.raises(ValidationFailed) as refused:
        service.update(session, newsletter, change, who(session, readers.management))
    assert set(refused.value.errors) == {"title_en"}
    blank = change.model_copy(update={"body_md_en": "  ", "title_sv": "", "body_md_sv": ""})
    service.update(session, newsletter, blank, who(session, readers.management))
    assert (newsletter.body_md_en, newsletter.body_md_sv) == ("", "")  # blanks are no text


def test_a_test_send_comes_in_the_writers_language(session, connection, readers, smtp):
    readers.management.language = Language.sv
    session.add(readers.management)
    newsletter = bulletin(session, readers)
    sending.test_send(session, newsletter, readers.management)
    session.commit()
    mail_service.send_pending(connection)
    [message] = smtp.to(readers.management.email)
    assert message["Subject"].endswith("Städtalko")
    assert "Städtalko på lördag" in smtp.text_of(message)
    assert len(smtp.messages) == 1  # to the writer alone
