"""Apartments: a house's apartments by the label its residencies give them, with their area."""

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models.houses import Apartment, Residency
from app.services.bodies.imports import apartment_key

ApartmentKey = tuple[int, str]  # house id, label as the import writes it ("A 12")


def key_of(house_id: int, label: str) -> ApartmentKey:
    """How an apartment is matched: "a  12" and "A 12" of one house are the same apartment."""
    return house_id, apartment_key(label)


def in_houses(session: Session, house_ids: Iterable[int]) -> dict[ApartmentKey, Apartment]:
    """The recorded apartments of some houses, by house and label (one query)."""
    ids = sorted(set(house_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Apartment).where(col(Apartment.house_id).in_(ids)).order_by(col(Apartment.id))
    )
    found: dict[ApartmentKey, Apartment] = {}
    for apartment in rows:
        found.setdefault(key_of(apartment.house_id, apartment.label), apartment)
    return found


def ensure(session: Session, house_id: int, labels: Iterable[str]) -> dict[str, Apartment]:
    """A house's apartments by their residencies' labels, each created when it is not recorded
    yet (without a floor area): a notice to it needs its row. Keyed by the label as given."""
    labels = list(labels)
    known = in_houses(session, [house_id])
    found: dict[str, Apartment] = {}
    for label in labels:
        key = key_of(house_id, label)
        apartment = known.get(key)
        if apartment is None:
            apartment = Apartment(house_id=house_id, label=key[1])
            try:
                with session.begin_nested():
                    session.add(apartment)
            except IntegrityError:  # made meanwhile by another transaction
                apartment = session.exec(
                    select(Apartment).where(
                        Apartment.house_id == house_id, Apartment.label == key[1]
                    )
                ).one()
            known[key] = apartment
        found[label] = apartment
    return found


def floor_areas(session: Session, residencies: Iterable[Residency]) -> dict[int, Decimal | None]:
    """Each residency's (by id) apartment's floor area in m², None where it is not recorded."""
    residencies = list(residencies)
    known = in_houses(session, (r.house_id for r in residencies))
    areas: dict[int, Decimal | None] = {}
    for residency in residencies:
        assert residency.id is not None
        apartment = known.get(key_of(residency.house_id, residency.apartment))
        areas[residency.id] = apartment.floor_area_m2 if apartment is not None else None
    return areas
