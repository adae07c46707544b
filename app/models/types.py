"""Column types shared by every feature: UTC timestamps, string enums, money."""

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

HELSINKI = ZoneInfo("Europe/Helsinki")  # dates and times are shown, and days counted, here


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC)


def local_date(moment: datetime) -> date:
    """The Helsinki calendar day of a timestamp."""
    return moment.astimezone(HELSINKI).date()


def to_utc(moment: datetime) -> datetime:
    """A timestamp in UTC; one without a time zone is taken as Helsinki time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=HELSINKI)
    return moment.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC; SQLite's naive values come back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StrEnumType(TypeDecorator[Any]):
    """An enum stored as its string value in a VARCHAR: portable, no database enum types."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[enum.Enum], length: int = 32) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum_class(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return self.enum_class(value)


def Money() -> Numeric[Decimal]:  # noqa: N802 - reads like a type in column definitions
    """Money: Numeric(12, 2), always Decimal."""
    return Numeric(12, 2, asdecimal=True)
