"""People and staff roles."""

import enum
from datetime import date, datetime

from pydantic import EmailStr
from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.types import StrEnumType, UTCDateTime, utcnow


class Language(enum.StrEnum):
    """The user interface languages."""

    fi = "fi"
    sv = "sv"
    en = "en"


class NoticeChannel(enum.StrEnum):
    """How the formal notices to a person's household (a meeting's invitation) reach them."""

    email = "email"
    paper = "paper"  # a letter to the apartment's postal address; always so without an email


class StaffKind(enum.StrEnum):
    """Staff roles; a property manager's houses come from House.property_manager_id."""

    property_manager = "property_manager"
    management = "management"
    housing_adviser = "housing_adviser"
    admin = "admin"


class PersonBase(SQLModel):
    """Fields a person has everywhere."""

    name: str = Field(min_length=1, max_length=200)
    # None: a resident without email, invited on paper; they cannot log in until one is added.
    email: EmailStr | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    language: Language = Field(default=Language.fi, sa_type=StrEnumType(Language, 2))
    notice_channel: NoticeChannel = Field(
        default=NoticeChannel.email, sa_type=StrEnumType(NoticeChannel, 5)
    )


class Person(PersonBase, table=True):
    """Anyone who uses the portal: residents, chairs, staff. An email, where given, is unique
    and stored lower-case; a person without one gets their notices on paper."""

    __table_args__ = (
        CheckConstraint(
            "email IS NOT NULL OR notice_channel = 'paper'", name="paper_without_email"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=320, unique=True)
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
    # Given as None: the email is removed (the person then gets their notices on paper).
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    language: Language | None = None
    birth_date: date | None = None
    notice_channel: NoticeChannel | None = None


class PersonPublic(SQLModel):
    """A person as the API shows them to others."""

    id: int
    name: str
    language: Language


class PersonPrivate(PersonPublic):
    """A person as they and administrators see them."""

    email: str | None
    phone: str | None
    birth_date: date | None
    notice_channel: NoticeChannel = NoticeChannel.email


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
