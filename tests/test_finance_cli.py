"""`portal finance-defaults`: the standard cost groups, loaded twice."""

from sqlalchemy import func
from sqlmodel import select

from app import cli
from app.models.finances import CostGroup
from tests.test_cli import count, database_url, runner

__all__ = ["database_url"]  # the fixture, shared with the other command tests


def test_finance_defaults_twice(database_url):
    assert runner.invoke(cli.app, ["migrate"]).exit_code == 0
    first = runner.invoke(cli.app, ["finance-defaults"])
    assert first.exit_code == 0, first.output
    assert "added 15 cost groups" in first.output
    assert count(database_url, select(func.count()).select_from(CostGroup)) == 15
    second = runner.invoke(cli.app, ["finance-defaults"])
    assert "added 0 cost groups" in second.output
    assert count(database_url, select(func.count()).select_from(CostGroup)) == 15
