"""Participation profile API: a year's items per kind for a house, a district or the company."""

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app import policies
from app.deps import ApiUser, SessionDep, permit, today
from app.errors import ValidationFailed
from app.i18n import _
from app.models.participation import Participation
from app.services.bodies import houses as houses_service
from app.services.overview import participation as profile_service

router = APIRouter(prefix="/api/v1", tags=["participation profile"])


class HouseCounts(BaseModel):
    """One house's items per kind."""

    house_id: int
    code: str
    name: str
    district: str
    counts: dict[Participation, int]
    missing: list[Participation]


class ProfilePublic(BaseModel):
    """A year's participatory items per kind, per source, and the kinds missing."""

    year: int
    level: profile_service.Level
    house_id: int | None
    district: str | None
    counts: dict[Participation, int]
    by_source: dict[str, dict[Participation, int]]
    missing: list[Participation]
    total: int
    # House level: the company's average per house, to compare with.
    company_average_per_house: dict[Participation, Decimal] | None = None
    # Company and district level, for management: every house side by side.
    houses: list[HouseCounts] | None = None


@router.get("/participation-profile", response_model=ProfilePublic)
def read_profile(
    session: SessionDep,
    user: ApiUser,
    year: Annotated[int | None, Query(description="Calendar year (Helsinki); default this")] = None,
    house_id: Annotated[int | None, Query(description="A house, against the average")] = None,
    district: Annotated[str | None, Query(max_length=100, description="A district")] = None,
) -> ProfilePublic:
    """Items per kind of participation in a year. With house_id: that house (its committee,
    manager and management), with the company average per house. Without: the company or a
    district, with every house side by side for management."""
    permit(policies.has_scope(user, "read"))
    if house_id is not None:
        houses_service.get(session, house_id)
        permit(policies.can_view_house_profile(user, house_id))
        if district:
            raise ValidationFailed({"district": _("Give either a house or a district, not both.")})
    else:
        permit(policies.can_view_company_totals(user))
    chosen = profile_service.check_year(year, today())
    smallest = policies.smallest_group(user)
    district = (
        profile_service.check_district(session, district, smallest) if house_id is None else None
    )
    found = profile_service.profile(session, chosen, house_id=house_id, district=district)
    result = ProfilePublic(
        year=found.year,
        level=found.level,
        house_id=found.house_id,
        district=found.district,
        counts=found.counts,
        by_source=found.by_source,
        missing=found.missing,
        total=found.total,
    )
    if house_id is not None:
        average = profile_service.company_average_per_house(session, chosen)
        result.company_average_per_house = average.counts
    elif policies.can_view_company_profile(user):
        rows = profile_service.houses_side_by_side(session, chosen, district=district)
        result.houses = [
            HouseCounts(
                house_id=row.house_id,
                code=row.code,
                name=row.name,
                district=row.district,
                counts=row.counts,
                missing=row.missing,
            )
            for row in rows
        ]
    return result
