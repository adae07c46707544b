"""`portal calendar-defaults`: the default templates and their events, loaded twice."""

from sqlalchemy import func
from sqlmodel import select

from app import cli
from app.models.calendar import CalendarEvent, EventTemplate
from app.services.calendar import defaults as calendar_defaults
from tests.test_cli import count, database_url, runner

__all__ = ["database_url"]  # the fixture, shared with the other command tests


def test_calendar_defaults_twice(database_url):
    assert runner.invoke(cli.app, ["migrate"]).exit_code == 0
    first = runner.invoke(cli.app, ["calendar-defaults"])
    assert first.exit_code == 0, first.output
    templates = count(database_url, select(func.count()).select_from(EventTemplate))
    events = count(database_url, select(func.count()).select_from(CalendarEvent))
    assert templates == len(calendar_defaults.DEFAULTS)
    # Without houses: at least the 12 chairs' newsletters and 4 forums of the coming year.
    assert events >= 16
    assert f"added {templates} default templates and {events} events" in first.output
    second = runner.invoke(cli.app, ["calendar-defaults"])
    assert second.exit_code == 0, second.output
    assert "added 0 default templates and 0 events" in second.output
    assert count(database_url, select(func.count()).select_from(CalendarEvent)) == events
