"""Two people saving the same record from the same version: the second save is refused."""

from decimal import Decimal

import pytest
from sqlmodel import Session, delete, select

from app.errors import Conflict
from app.models.audit import AuditEntry
from app.models.houses import House
from app.services.bodies import houses as houses_service


def test_the_database_refuses_a_stale_version(engine):
    with Session(engine, expire_on_commit=False) as setup:
        house = House(
            code="VERSIO-1",
            name="Versiotalo",
            street_address="Testikatu 1",
            postal_code="00100",
            district="Kallio",
            apartments=10,
            floor_area=Decimal("700"),
            year_built=2000,
        )
        setup.add(house)
        setup.commit()
        house_id = house.id
    try:
        with (
            Session(engine, expire_on_commit=False) as first,
            Session(engine) as second,
        ):
            mine = first.get_one(House, house_id)
            first.commit()  # my edit form was rendered by an earlier request
            theirs = second.get_one(House, house_id)
            houses_service.update(
                second, theirs, houses_service.HouseUpdate(name="Heidän nimensä"), None, 1
            )
            second.commit()
            # my copy still says version 1: only the database knows better
            assert mine.version == 1
            with pytest.raises(Conflict):
                houses_service.update(
                    first, mine, houses_service.HouseUpdate(name="Minun nimeni"), None, 1
                )
            first.rollback()
        with Session(engine) as check:
            stored = check.get_one(House, house_id)
            assert (stored.name, stored.version) == ("Heidän nimensä", 2)
    finally:
        with Session(engine) as cleanup:
            cleanup.execute(delete(AuditEntry).where(AuditEntry.entity == "house"))
            cleanup.execute(delete(House).where(House.id == house_id))
            cleanup.commit()
            assert cleanup.exec(select(House).where(House.id == house_id)).first() is None
