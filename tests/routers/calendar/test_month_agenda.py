"""The month view twice: a grid of weeks (wide screens) and an agenda of the days that have events
(narrow screens), both in the page; short weekday names explained by their full names."""

import re
from datetime import date, datetime, timedelta

import pytest

from app.deps import today
from app.models.calendar import Audience, CalendarEvent
from app.models.people import StaffKind
from app.models.types import HELSINKI
from tests.support import fi, make_staff

MONTH = "2031-03"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def add_event(session, title: str, day: date, hour: int) -> CalendarEvent:
    starts = datetime(day.year, day.month, day.day, hour, tzinfo=HELSINKI)
    event = CalendarEvent(
        title_fi=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        audience=Audience.all_residents,
    )
    session.add(event)
    session.flush()
    return event


@pytest.fixture()
def month(client, session):
    first = add_event(session, "Pihatalkoot", date(2031, 3, 5), 17)
    late = add_event(session, "Saunavuorojen arvonta", date(2031, 3, 12), 19)
    early = add_event(session, "Asukastoimikuntien koulutusilta", date(2031, 3, 12), 9)
    session.commit()
    client.login_as(session, make_staff(session, StaffKind.management))
    return first, early, late


def agenda_of(page: str) -> str:
    start = page.index('<ol class="calendar-agenda"')
    return page[start : page.index("</ol>", start)]


def test_the_agenda_lists_the_days_with_events_in_order(client, session, month):
    first, early, late = month
    page = client.get(f"/calendar?month={MONTH}").text
    agenda = agenda_of(page)
    days = re.findall(
        r'<h3 class="calendar-agenda__date"><time datetime="([^"]+)">([^<]+)</time>', agenda
    )
    assert [d for d, _heading in days] == ["2031-03-05", "2031-03-12"]  # only days with events
    # Each day headed by its weekday and date in words, in the page's language.
    assert days[0][1] == f"{fi(WEEKDAYS[date(2031, 3, 5).weekday()])} 5. maaliskuuta"
    # Within a day, the events in the order of their start.
    links = re.findall(r'href="/calendar/events/(\d+)"', agenda)
    assert links == [str(first.id), str(early.id), str(late.id)]
    assert "Asukastoimikuntien koulutusilta" in agenda
    assert re.search(r'<time datetime="2031-03-12T0[79]:00:00\+0[02]:00">9\.00</time>', agenda)
    # Named by the month's heading.
    assert 'aria-labelledby="month-title"' in page[page.index('<ol class="calendar-agenda"') :]


def test_the_grid_is_a_labelled_region_with_short_weekday_names(client, session, month):
    page = client.get(f"/calendar?month={MONTH}").text
    assert 'role="region" tabindex="0" aria-labelledby="month-grid-caption"' in page
    assert (
        '<caption id="month-grid-caption" class="visually-hidden">Maaliskuu 2031</caption>' in page
    )
    headers = re.findall(r'<th scope="col"><abbr title="([^"]+)">([^<]+)</abbr></th>', page)
    assert [full for full, _short in headers] == [fi(name) for name in WEEKDAYS]
    assert [short for _full, short in headers] == ["Ma", "Ti", "Ke", "To", "Pe", "La", "Su"]
    # Every event is in the grid too, once.
    grid = page[page.index('<table class="data calendar-month"') : page.index("</table>")]
    for event in month:
        assert grid.count(f'href="/calendar/events/{event.id}"') == 1


def test_a_month_without_events_has_no_agenda(client, session, month):
    page = client.get("/calendar?month=2031-04").text
    assert '<ol class="calendar-agenda"' not in page
    assert fi("No events this month.") in page
    assert '<table class="data calendar-month"' in page


def test_the_list_view_names_each_event_first(client, session, month):
    soon = add_event(session, "Kevätsiivous", today() + timedelta(days=3), 18)
    session.commit()
    page = client.get("/calendar?view=list").text
    assert 'role="region" tabindex="0" aria-labelledby="coming-caption"' in page
    assert f'<th scope="row"><a href="/calendar/events/{soon.id}">Kevätsiivous</a></th>' in page
