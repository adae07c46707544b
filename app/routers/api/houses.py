"""The houses API: search, a house, its residents; administrators add and change houses."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import Field
from sqlmodel import SQLModel

from app import policies
from app.deps import ApiUser, SessionDep, require_api, today
from app.models.houses import House, HousePublic, Tenure
from app.services.access.roles import Principal
from app.services.bodies import houses as houses_service
from app.services.bodies import residencies as residencies_service

router = APIRouter(prefix="/api/v1", tags=["houses"])


class HouseDetail(HousePublic):
    """A house with the version to send back when changing it."""

    version: int


class HousePatch(houses_service.HouseUpdate):
    """Changes to a house and the version they were made against."""

    version: int


class HouseResident(SQLModel):
    """A current resident of a house."""

    person_id: int
    name: str
    apartment: str
    tenure: Tenure = Field(
        description="holder, co_holder, spouse (the holder's spouse or cohabiting partner living "
        "in the apartment), household_member (another household member) or renter. Holders, "
        "co-holders and spouses or partners aged 18 or over vote and may stand, one vote each."
    )
    starts_on: date
    ends_on: date | None
    email: str | None = Field(default=None, description="Shown to administrators only.")


def _detail(house: House) -> HouseDetail:
    return HouseDetail.model_validate(house)


def get_readable_house(house_id: int, user: ApiUser, session: SessionDep) -> House:
    """The path's house, for a token that may read houses."""
    house = houses_service.get(session, house_id)
    if not (policies.has_scope(user, "read") and policies.can_view_houses(user)):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


def get_residents_house(house_id: int, user: ApiUser, session: SessionDep) -> House:
    """The path's house, for a token that may read its residents."""
    house = houses_service.get(session, house_id)
    if not (policies.has_scope(user, "read") and policies.can_view_residents(user, house_id)):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


def get_writable_house(house_id: int, user: ApiUser, session: SessionDep) -> House:
    """The path's house, for an administrator's token that may write."""
    house = houses_service.get(session, house_id)
    if not (policies.has_scope(user, "write") and policies.can_administer(user)):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


def get_shows_emails(user: ApiUser) -> bool:
    """Whether residents' emails are shown to the caller: administrators only."""
    return policies.can_administer(user)


ShowsEmails = Annotated[bool, Depends(get_shows_emails)]
ReadableHouse = Annotated[House, Depends(get_readable_house)]
ResidentsHouse = Annotated[House, Depends(get_residents_house)]
WritableHouse = Annotated[House, Depends(get_writable_house)]


@router.get("/houses", response_model=list[HousePublic])
def list_houses(
    session: SessionDep,
    user: Annotated[Principal, require_api("can_view_houses", "read")],
    q: Annotated[str, Query(max_length=200, description="Text in name, code, address")] = "",
    district: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = houses_service.PAGE_SIZE,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[HousePublic]:
    """Houses by name, optionally only those matching a text and in a district."""
    houses = houses_service.search(session, q, district, limit=limit, offset=offset)
    return [HousePublic.model_validate(h) for h in houses]


@router.get("/houses/{house_id}", response_model=HouseDetail)
def get_house(house: ReadableHouse) -> HouseDetail:
    """One house."""
    return _detail(house)


@router.get("/houses/{house_id}/residents", response_model=list[HouseResident])
def list_residents(
    session: SessionDep, house: ResidentsHouse, with_email: ShowsEmails
) -> list[HouseResident]:
    """The house's residents today; emails only for administrators."""
    return [
        HouseResident(
            person_id=r.person.id or 0,
            name=r.person.name,
            apartment=r.residency.apartment,
            tenure=r.residency.tenure,
            starts_on=r.residency.starts_on,
            ends_on=r.residency.ends_on,
            email=r.person.email if with_email else None,
        )
        for r in residencies_service.current(session, house.id or 0, today())
    ]


@router.post("/houses", response_model=HouseDetail, status_code=201)
def create_house(
    session: SessionDep,
    user: Annotated[Principal, require_api("can_administer", "write")],
    data: houses_service.HouseInput,
) -> HouseDetail:
    """Add a house (administrators)."""
    return _detail(houses_service.create(session, data, user.id))


@router.patch("/houses/{house_id}", response_model=HouseDetail)
def update_house(
    session: SessionDep, user: ApiUser, house: WritableHouse, data: HousePatch
) -> HouseDetail:
    """Change a house (administrators); 409 if it changed since the version sent."""
    changes = houses_service.HouseUpdate.model_validate(
        data.model_dump(exclude_unset=True, exclude={"version"})
    )
    return _detail(houses_service.update(session, house, changes, user.id, data.version))
