"""Fixtures shared by the service tests."""

import pytest
from sqlmodel import select

from app.models.finances import CostGroup
from app.services.finances import figures as finances_service


@pytest.fixture()
def groups(session):
    """The default cost groups, by code."""
    finances_service.ensure_default_groups(session)
    return {g.code: g for g in session.exec(select(CostGroup))}
