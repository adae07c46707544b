"""Initiative lists as tables: the CSV export, and the names of people and houses they show."""

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.i18n import _
from app.jinja import participation_name
from app.models.houses import House
from app.models.initiatives import Initiative, Outcome, Scope
from app.models.people import Person
from app.models.types import local_date
from app.services.initiatives import lifecycle
from app.services.initiatives import lists as initiative_lists
from app.services.platform.csv_writing import safe_cell


def person_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Person id → name, for the ids given (None skipped)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = session.exec(select(Person.id, Person.name).where(col(Person.id).in_(wanted)))
    return {person_id: name for person_id, name in rows if person_id is not None}


def houses_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, House]:
    """House id → house, for the ids given (None skipped)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {
        house.id: house
        for house in session.exec(select(House).where(col(House.id).in_(wanted)))
        if house.id is not None
    }


def all_houses(session: Session) -> list[House]:
    """Every house, by name (the list filter of management)."""
    return list(session.exec(select(House).order_by(col(House.name), col(House.id))))


def outcome_label(outcome: Outcome | None) -> str:
    """The answer's verdict in the current language."""
    return _(lifecycle.OUTCOME_LABELS[outcome]) if outcome is not None else ""


def scope_label(scope: Scope) -> str:
    """House or company level, in the current language."""
    return _("House") if scope == Scope.house else _("Company")


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value)
    return value.isoformat()


def header() -> list[str]:
    """The export's column names in the current language."""
    return [
        _("ID"),
        _("Title"),
        _("House code"),
        _("Level"),
        _("State"),
        _("Kind of participation"),
        _("Filer"),
        _("Submitted"),
        _("Receipt due"),
        _("Received"),
        _("Answer due"),
        _("Answered"),
        _("Outcome"),
        _("Overdue"),
    ]


def rows(session: Session, initiatives: list[Initiative], today: date) -> list[list[str]]:
    """One row of cells per initiative, in the order of header()."""
    names = person_names(session, [i.filed_by_id or i.suggested_by_id for i in initiatives])
    houses = houses_by_id(session, [i.house_id for i in initiatives])
    found = []
    for item in initiatives:
        author = item.filed_by_id or item.suggested_by_id
        house = houses.get(item.house_id) if item.house_id is not None else None
        found.append(
            [
                str(item.id),
                item.title,
                house.code if house else "",
                scope_label(item.scope),
                _(lifecycle.STATE_LABELS[item.state]),
                participation_name(item.participation),
                names.get(author, "") if author is not None else "",
                _day(item.submitted_at),
                _day(item.receipt_due_on),
                _day(item.received_at),
                _day(item.answer_due_on),
                _day(item.answered_at),
                outcome_label(item.outcome),
                _("yes") if initiative_lists.is_overdue(item, today) else _("no"),
            ]
        )
    return found


def to_csv(session: Session, initiatives: list[Initiative], today: date) -> str:
    """The export as text: a BOM and ; separators, so Finnish Excel opens it as columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in header()])
    for row in rows(session, initiatives, today):
        writer.writerow([safe_cell(c) for c in row])
    return "\ufeff" + buffer.getvalue()
