"""People and staff roles."""

import enum
from datetime import date, datetime

from pydantic import EmailStr
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.types import StrEnumType, UTCDateTime, utcnow


class Language(enum.StrEnum):
    """The user interface languages."""

    fi = "fi"
    sv = "sv"
    en = "en"


class StaffKind(enum.StrEnum):
    """Staff roles; a property manager's houses come from House.property_manager_id."""

    property_manager = "property_manager"
    management = "management"
    housing_adviser = "housing_adviser"
    admin = "admin"


class PersonBase(SQLModel):
    """Fields a person has everywhere."""

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr = Field(max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    language: Language = Field(default=Language.fi, sa_type=StrEnumType(Language, 2))


class Person(PersonBase, table=True):
    """Anyone who uses the portal: residents, chairs, staff. Email is unique, stored lower-case."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    birth_date: date | None = None
    password_hash: str | None = Field(default=None, max_length=200)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1
    # Set when the person's data was erased on request (app/services/privacy/data_protection.py).
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PersonCreate(PersonBase):
    """Input for a new person."""

    birth_date: date | None = None


class PersonUpdate(SQLModel):
    """Changes to a person; omitted fields stay."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    language: Language | None = None
    birth_date: date | None = None


class PersonPublic(SQLModel):
    """A person as the API shows them to others."""

    id: int
    name: str
    language: Language


class PersonPrivate(PersonPublic):
    """A person as they and administrators see them."""

    email: str
    phone: str | None
    birth_date: date | None


class StaffRole(SQLModel, table=True):
    """A staff role held by a person."""

    __tablename__ = "staff_role"
    __table_args__ = (UniqueConstraint("person_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    kind: StaffKind = Field(sa_type=StrEnumType(StaffKind, 24))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffRoleCreate(SQLModel):
    """Input for granting a staff role."""

    person_id: int
    kind: StaffKind
