"""Dates, times (Europe/Helsinki), numbers and euros per language, as the templates show them."""

import random
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal

from app import i18n
from app.jinja import env, fmt_timespan
from app.services.mail import delivery as mail_service
from tests.support import make_person

NBSP = "\xa0"


def show(lang: str, source: str, **context) -> str:
    with i18n.use_language(lang):
        return env.from_string(source).render(**context)


@pytest.mark.parametrize(
    ("lang", "money", "number"),
    [
        ("fi", f"1{NBSP}234,56{NBSP}€", f"1{NBSP}234{NBSP}567"),
        ("sv", f"1{NBSP}234,56{NBSP}€", f"1{NBSP}234{NBSP}567"),
        ("en", "€1,234.56", "1,234,567"),
    ],
)
def test_euros_and_numbers(lang, money, number):
    assert show(lang, "{{ v | money }}", v=Decimal("1234.56")) == money
    assert show(lang, "{{ v | number }}", v=1234567) == number
    assert show(lang, "{{ v | number(2) }}", v=Decimal("0.5")) == (
        "0.50" if lang == "en" else "0,50"
    )
    assert show(lang, "{{ v | money }}{{ v | number }}", v=None) == ""


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_numbers_and_euros_are_written_as_babel_writes_them(lang):
    # The filters write numbers themselves (Babel parses its pattern on every call); they must
    # agree with Babel to the character, rounding (half to even) and signs included.
    rng = random.Random(7)
    values = [Decimal("-1234.565"), Decimal("999.995"), Decimal("0.015"), Decimal("-0.001")]
    values += [
        Decimal(rng.randint(-(10**10), 10**10)).scaleb(-rng.randint(0, 4)) for _ in range(300)
    ]
    locale = i18n.locale(lang)
    for value in [*values, 12, -7, 2.5, -0.5]:
        for digits in (0, 1, 2):
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            expected = format_decimal(value, pattern, locale=locale)
            assert show(lang, "{{ v | number(d) }}", v=value, d=digits) == expected
    for value in values:
        expected = format_currency(value, "EUR", locale=locale)
        assert show(lang, "{{ v | money }}", v=value) == expected


# 10:05 UTC on 1 July is 13:05 in Helsinki (summer time); on 31 December at 23:30 UTC it is
# already 1 January in Helsinki.
SUMMER = datetime(2031, 7, 1, 10, 5, tzinfo=UTC)
NEW_YEAR = datetime(2031, 12, 31, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lang", "summer", "new_year", "day", "clock"),
    [
        ("fi", "1.7.2031 13.05", "1.1.2032", "24.12.2031", "14.00"),
        ("sv", "1 juli 2031 13:05", "1 jan. 2032", "24 dec. 2031", "14:00"),
        ("en", "1 Jul 2031 13:05", "1 Jan 2032", "24 Dec 2031", "14:00"),
    ],
)
def test_dates_and_times_in_helsinki(lang, summer, new_year, day, clock):
    assert show(lang, "{{ v | datetime }}", v=SUMMER) == summer
    assert show(lang, "{{ v | date }}", v=NEW_YEAR) == new_year
    assert show(lang, "{{ v | date }}", v=date(2031, 12, 24)) == day
    assert show(lang, "{{ v | time }}", v=time(14, 0)) == clock
    assert show(lang, "{{ v | time }}", v=SUMMER) == clock.replace("14", "13").replace("00", "05")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_mail_is_written_in_the_recipients_language(session, lang):
    """mail.render speaks the recipient's language, whatever the request's language is."""
    person = make_person(session, name="Aino")
    with i18n.use_language("fi"):
        _subject, text, html = mail_service.render(
            "accessibility_feedback_answer",
            lang,
            person=person,
            feedback=type("F", (), {"created_at": SUMMER, "answer": "Ok", "problem": "x"})(),
            url="http://example/accessibility",
        )
    expected = {"fi": "1.7.2031", "sv": "1 juli 2031", "en": "1 Jul 2031"}[lang]
    assert expected in text and expected in html
    assert f'<html lang="{lang}">' in html


def test_a_time_span_is_written_compactly_as_each_language_writes_it():
    start = datetime(2027, 3, 17, 16, 0, tzinfo=UTC)  # 18.00 in Helsinki
    end = datetime(2027, 3, 17, 17, 30, tzinfo=UTC)
    expected = {
        "fi": "ke 17.3.2027 klo 18.00–19.30",
        "sv": "ons 17.3.2027 kl. 18.00–19.30",
        "en": "Wed 17 Mar 2027, 18:00–19:30",
    }
    for lang, text in expected.items():
        with i18n.use_language(lang):
            assert fmt_timespan(start, end) == text
    with i18n.use_language("fi"):
        assert fmt_timespan(start) == "ke 17.3.2027 klo 18.00"
        overnight = fmt_timespan(start, datetime(2027, 3, 18, 6, 0, tzinfo=UTC))
        assert overnight == "ke 17.3.2027 klo 18.00–to 18.3.2027 8.00"


def test_machine_readable_times_are_valid_without_microseconds():
    moment = datetime(2027, 3, 17, 16, 0, 5, 123456, tzinfo=UTC)
    shown = show("fi", '<time datetime="{{ t | machine }}">', t=moment)
    assert shown == '<time datetime="2027-03-17T16:00:05+00:00">'
