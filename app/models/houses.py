"""Houses and who lives in them."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import StrEnumType, UTCDateTime, utcnow


class HouseBase(SQLModel):
    """Fields a house has everywhere."""

    code: str = Field(min_length=1, max_length=20, schema_extra={"pattern": r"^[A-Za-z0-9_-]+$"})
    name: str = Field(min_length=1, max_length=200)
    street_address: str = Field(min_length=1, max_length=200)
    postal_code: str = Field(max_length=5, schema_extra={"pattern": r"^\d{5}$"})
    city: str = Field(default="Helsinki", min_length=1, max_length=100)
    district: str = Field(min_length=1, max_length=100)
    apartments: int = Field(ge=1, le=10000)
    floor_area: Decimal = Field(gt=0, max_digits=10, decimal_places=1)
    year_built: int = Field(ge=1800, le=2100)
    property_manager_id: int | None = None


class House(HouseBase, table=True):
    """One right-of-occupancy building or estate (kotitalo)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    floor_area: Decimal = Field(sa_type=Numeric(10, 1))
    property_manager_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class HouseCreate(HouseBase):
    """Input for a new house."""


class HousePublic(HouseBase):
    """A house as the API shows it."""

    id: int


class Tenure(enum.StrEnum):
    """How a resident lives in their apartment; what each gives is in services/access/tenures."""

    holder = "holder"  # asumisoikeuden haltija
    co_holder = "co_holder"  # kanssahaltija: holds the right of occupancy with the holder
    spouse = "spouse"  # haltijan puoliso tai avopuoliso, living in the apartment
    household_member = "household_member"  # muu perheenjäsen
    renter = "renter"  # vuokralainen


class ResidencyBase(SQLModel):
    """Fields a residency has everywhere."""

    person_id: int
    house_id: int
    apartment: str = Field(min_length=1, max_length=20)
    tenure: Tenure = Field(default=Tenure.holder, sa_type=StrEnumType(Tenure, 20))
    starts_on: date
    ends_on: date | None = None


class Residency(ResidencyBase, table=True):
    """A person living in an apartment of a house for a period."""

    __table_args__ = (CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    house_id: int = Field(foreign_key="house.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ResidencyCreate(ResidencyBase):
    """Input for a new residency."""


class ResidencyPublic(ResidencyBase):
    """A residency as the API shows it."""

    id: int


class Apartment(SQLModel, table=True):
    """An apartment of a house, named by the label its residencies give it (Residency.apartment).

    A table of its own, not a column of the residency: the area belongs to the apartment, whoever
    lives in it and however many residencies (co-holders, moves) name it.
    """

    __table_args__ = (
        UniqueConstraint("house_id", "label"),
        CheckConstraint("floor_area_m2 > 0", name="floor_area_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    house_id: int = Field(foreign_key="house.id", ondelete="CASCADE")
    # As the residents' import writes Residency.apartment (spacing tidied, upper case): "A 12".
    label: str = Field(max_length=20)
    floor_area_m2: Decimal | None = Field(default=None, sa_type=Numeric(5, 1))  # None: unknown
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1
