"""House finances: cost groups, monthly actuals with their import, yearly budgets, usage charges."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import Money, StrEnumType, UTCDateTime, utcnow


class GroupKind(enum.StrEnum):
    """What a cost group's amounts are: maintenance costs, capital costs or income."""

    maintenance = "maintenance"  # hoitomenot: the thirteen standard groups
    capital = "capital"  # pääomakulut
    income = "income"  # käyttövastiketulot


class CostGroup(SQLModel, table=True):
    """A row of the house economy (ARA's hoitokuluryhmä, capital costs or usage-charge income)."""

    __tablename__ = "cost_group"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name_fi: str = Field(max_length=200)
    name_sv: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    kind: GroupKind = Field(default=GroupKind.maintenance, sa_type=StrEnumType(GroupKind, 12))
    position: int = 0
    active: bool = True

    def name(self, lang: str) -> str:
        """The name in a language (fi, sv or en), Finnish if unknown."""
        return {"sv": self.name_sv, "en": self.name_en}.get(lang, self.name_fi)


class ImportKind(enum.StrEnum):
    """What an imported file holds."""

    actuals = "actuals"  # monthly actual amounts: house, month, group, amount
    budget = "budget"  # yearly budgets: house, year, group, amount


class FinanceImport(SQLModel, table=True):
    """One import of monthly figures or yearly budgets: the source of every amount it stored."""

    __tablename__ = "finance_import"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=255)
    channel: str = Field(default="upload", max_length=10)  # upload (a page) or api
    kind: ImportKind = Field(default=ImportKind.actuals, sa_type=StrEnumType(ImportKind, 10))
    imported_by_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    rows: int = 0
    replaced: int = 0  # earlier amounts of the same houses and months that this import replaced


class MonthlyActual(SQLModel, table=True):
    """A house's actual amount of one cost group in one month (month: its first day)."""

    __tablename__ = "monthly_actual"
    __table_args__ = (
        UniqueConstraint("house_id", "cost_group_id", "month"),
        # Company-wide sums of a year (comparisons, management's overview) read only this index.
        Index("ix_monthly_actual_month_covering", "month", "cost_group_id", "house_id", "amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    house_id: int = Field(foreign_key="house.id", index=True, ondelete="CASCADE")
    cost_group_id: int = Field(foreign_key="cost_group.id", index=True, ondelete="RESTRICT")
    month: date
    amount: Decimal = Field(sa_type=Money())
    import_id: int | None = Field(
        default=None, foreign_key="finance_import.id", index=True, ondelete="SET NULL"
    )


class BudgetLine(SQLModel, table=True):
    """A house's budgeted amount of one cost group for one year."""

    __tablename__ = "budget_line"
    __table_args__ = (UniqueConstraint("house_id", "cost_group_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    house_id: int = Field(foreign_key="house.id", index=True, ondelete="CASCADE")
    cost_group_id: int = Field(foreign_key="cost_group.id", index=True, ondelete="RESTRICT")
    year: int
    amount: Decimal = Field(sa_type=Money())
    updated_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    import_id: int | None = Field(  # None: entered in the budget cycle (or by a script)
        default=None, foreign_key="finance_import.id", index=True, ondelete="SET NULL"
    )


class UsageCharge(SQLModel, table=True):
    """A house's usage charge (käyttövastike) in €/m²/month from its effective date on."""

    __tablename__ = "usage_charge"
    __table_args__ = (UniqueConstraint("house_id", "effective_from"),)

    id: int | None = Field(default=None, primary_key=True)
    house_id: int = Field(foreign_key="house.id", index=True, ondelete="CASCADE")
    effective_from: date
    amount: Decimal = Field(sa_type=Money())  # € per m² per month
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CycleStep(enum.StrEnum):
    """Where a budget cycle is: each step done moves it to the next."""

    kickoff = "kickoff"  # started: the property manager prepares the proposal
    proposal = "proposal"  # published: the committee (or Haso-yte) gives its statement
    statement = "statement"  # statement given: management confirms the budget
    confirmed = "confirmed"  # confirmed: the usage charge takes effect on its date
    evaluated = "evaluated"  # the budgeting process evaluated: the cycle is over


class BudgetCycle(SQLModel, table=True):
    """One house's (or, without a house, the company's) budgeting for a budget year."""

    __tablename__ = "budget_cycle"
    __table_args__ = (UniqueConstraint("year", "house_id"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int  # the budget year being prepared
    house_id: int | None = Field(
        default=None, foreign_key="house.id", index=True, ondelete="CASCADE"
    )
    step: CycleStep = Field(default=CycleStep.kickoff, sa_type=StrEnumType(CycleStep, 12))
    kickoff_on: date
    proposal_due: date
    statement_due: date
    confirmation_due: date
    effective_from: date
    evaluation_due: date
    proposal_text: str = ""
    proposed_charge: Decimal | None = Field(default=None, sa_type=Money())
    proposed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    statement_text: str = ""
    statement_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    statement_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmation_text: str = ""  # how the statement was taken into account
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    evaluation_text: str = ""
    evaluated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class CacheRevision(SQLModel, table=True):
    """A token that changes whenever the data behind a process-local cache changes.

    Aggregates that are costly to compute on every request (the company-wide figures of a year
    that every house finance page compares against) are kept per process under the token read
    in the request's transaction: a write that changes their data sets a new random token in the
    same transaction, so every process computes them again on its next read.
    """

    __tablename__ = "cache_revision"

    name: str = Field(primary_key=True, max_length=40)
    token: str = Field(max_length=36)
