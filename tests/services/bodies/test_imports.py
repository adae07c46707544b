"""The CSV import: validation row by row, all or nothing, idempotent re-import, audit rows."""

from datetime import date
from decimal import Decimal, InvalidOperation

import pytest
from sqlmodel import col, select

from app.i18n import use_language
from app.models.audit import AuditEntry
from app.models.houses import Apartment, House, Residency, Tenure
from app.models.people import Language, Person, StaffKind
from app.services.bodies import imports as imports_service
from app.services.bodies import resident_import
from app.services.platform.csv_reading import BadCell, Column, integer_parser, parse_row
from tests.support import fi, make_house, make_person, make_resident, make_staff

HOUSES_HEADER = (
    "code,name,street_address,postal_code,city,district,apartments,floor_area,year_built,"
    "property_manager_email"
)
RESIDENTS_HEADER = (
    "house_code,apartment,name,email,phone,language,birth_date,tenure,starts_on,ends_on"
)


@pytest.fixture(autouse=True)
def english():
    """Reasons are asserted in English, whatever the catalogues say."""
    with use_language("en"):
        yield


@pytest.fixture()
def admin(session):
    return make_staff(session, StaffKind.admin)


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def houses_file(manager_email: str = "") -> bytes:
    return csv_bytes(
        HOUSES_HEADER,
        "IMP-1,Kalasataman Aallokko,Capellan puistotie 12,00580,Helsinki,Kalasatama,64,4120.5,"
        f"2016,{manager_email}",
        'IMP-2,Jätkäsaaren Laituri,Välimerenkatu 9,00220,,Jätkäsaari,88,"5890,0",2014,',
    )


def audit_rows(session, entity: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    return list(session.exec(query.order_by(col(AuditEntry.id))))


def house(session, code: str) -> House | None:
    return session.exec(select(House).where(House.code == code)).first()


def errors_of(report) -> list[tuple[int | None, str]]:
    return [(e.row, e.column) for e in report.errors]


# Houses


def test_good_houses_file_creates_houses_with_audit_rows(session, admin):
    manager = make_staff(session, StaffKind.property_manager, email="isannoitsija@example.com")
    report = imports_service.import_houses(
        session, houses_file("Isannoitsija@Example.com"), admin.id, filename="talot.csv"
    )
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.stored
    first = house(session, "IMP-1")
    second = house(session, "IMP-2")
    assert first is not None and second is not None
    assert first.floor_area == Decimal("4120.5")
    assert first.property_manager_id == manager.id
    assert second.city == "Helsinki"  # empty city
    assert second.floor_area == Decimal("5890.0")
    assert second.property_manager_id is None
    entries = audit_rows(session, "house")
    assert sorted(e.entity_id for e in entries) == sorted([str(first.id), str(second.id)])
    assert {(e.action, e.actor_id) for e in entries} == {("create", admin.id)}


def test_same_houses_file_again_changes_nothing(session, admin):
    data = houses_file()
    imports_service.import_houses(session, data, admin.id)
    audits_before = len(audit_rows(session))
    versions = {h.code: h.version for h in session.exec(select(House))}

    again = imports_service.import_houses(session, data, admin.id)

    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert again.changes == []
    assert not again.stored
    assert len(audit_rows(session)) == audits_before
    assert {h.code: h.version for h in session.exec(select(House))} == versions


def test_changed_house_is_updated_and_audited(session, admin):
    make_house(session, code="IMP-1", name="Vanha nimi", floor_area=Decimal("4000.0"))
    report = imports_service.import_houses(session, houses_file(), admin.id)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    updated = house(session, "IMP-1")
    assert updated is not None
    assert updated.name == "Kalasataman Aallokko"
    assert updated.version == 2
    change = next(c for c in report.changes if c.key == "IMP-1")
    assert change.action == "update"
    assert "name" in change.fields and "floor_area" in change.fields
    entry = next(e for e in audit_rows(session, "house") if e.action == "update")
    assert entry.before is not None and entry.before["name"] == "Vanha nimi"
    assert entry.after is not None and entry.after["name"] == "Kalasataman Aallokko"


def test_empty_manager_cell_keeps_the_house_manager(session, admin):
    manager = make_staff(session, StaffKind.property_manager)
    make_house(
        session,
        code="IMP-1",
        name="Kalasataman Aallokko",
        street_address="Capellan puistotie 12",
        postal_code="00580",
        district="Kalasatama",
        apartments=64,
        floor_area=Decimal("4120.5"),
        year_built=2016,
        property_manager_id=manager.id,
    )
    report = imports_service.import_houses(session, houses_file(), admin.id)
    assert report.unchanged == 1
    kept = house(session, "IMP-1")
    assert kept is not None and kept.property_manager_id == manager.id


def test_one_bad_row_among_good_ones_stores_nothing(session, admin):
    data = csv_bytes(
        HOUSES_HEADER,
        "IMP-1,Kalasataman Aallokko,Capellan puistotie 12,00580,Helsinki,Kalasatama,64,4120,2016,",
        "IMP-2,Jätkäsaaren Laituri,Välimerenkatu 9,220,Helsinki,Jätkäsaari,88,5890,2014,",
        "IMP-3,Kontulan Kaari,Kontulankaari 4,00940,Helsinki,Kontula,42,2710,1998,",
    )
    report = imports_service.import_houses(session, data, admin.id)
    assert not report.ok
    assert errors_of(report) == [(3, "postal_code")]
    assert report.errors[0].value == "220"
    assert "5 digits" in report.errors[0].reason
    assert not report.stored
    assert session.exec(select(House).where(col(House.code).startswith("IMP-"))).all() == []
    assert audit_rows(session) == []


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        (",Nimi,Katu 1,00100,Helsinki,Kallio,10,100,2000,", "code", "required"),
        ("IMP 9,Nimi,Katu 1,00100,Helsinki,Kallio,10,100,2000,", "code", "letters"),
        ("IMP-9,,Katu 1,00100,Helsinki,Kallio,10,100,2000,", "name", "required"),
        ("IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,kymmenen,100,2000,", "apartments", "whole"),
        ("IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,0,100,2000,", "apartments", "at least 1"),
        ("IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,10,sata,2000,", "floor_area", "number"),
        ("IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,10,100.25,2000,", "floor_area", "one decimal"),
        ("IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,10,100,1700,", "year_built", "at least 1800"),
        ("IMP-9,Nimi,Katu 1,0010A,Helsinki,Kallio,10,100,2000,", "postal_code", "5 digits"),
        # Other scripts' digits (fullwidth, Arabic-Indic) are not digits 0-9.
        ("IMP-9,Nimi,Katu 1,０٠١٢٣,Helsinki,Kallio,10,100,2000,", "postal_code", "5 digits"),
        ("IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,١٠,100,2000,", "apartments", "whole"),
        ("IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,10,١٠٠,2000,", "floor_area", "number"),
        ("IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,10,100,２０００,", "year_built", "whole"),
        # Very long numbers are row errors, not a crash in int() or Decimal.quantize().
        (f"IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,{'1' * 5000},100,2000,", "apartments", "digits"),
        (f"IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,10,100,{'9' * 5000},", "year_built", "digits"),
        (f"IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,-{'1' * 40},100,2000,", "apartments", "digits"),
        (f"IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,10,{'1' * 40},2000,", "floor_area", "digits"),
        (f"IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,10,{'1' * 5000},2000,", "floor_area", "digits"),
        (f"IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,10,0.{'0' * 40}1,2000,", "floor_area", "digits"),
        (
            "IMP-9,Nimi,Katu 1,00100,Helsinki,Kallio,10,100,2000,ei-osoite",
            "property_manager_email",
            "valid email",
        ),
    ],
)
def test_house_row_errors_name_row_column_and_reason(session, admin, line, column, reason):
    report = imports_service.import_houses(session, csv_bytes(HOUSES_HEADER, line), admin.id)
    assert errors_of(report) == [(2, column)]
    assert reason in report.errors[0].reason
    assert session.exec(select(House).where(House.code == "IMP-9")).first() is None


def test_unknown_property_manager_is_an_error(session, admin):
    make_person(session, email="ei.isannoitsija@example.com")  # a person, but not a manager
    report = imports_service.import_houses(
        session, houses_file("ei.isannoitsija@example.com"), admin.id
    )
    assert errors_of(report) == [(2, "property_manager_email")]
    assert "No property manager" in report.errors[0].reason
    assert house(session, "IMP-2") is None


def test_duplicate_code_in_the_file(session, admin):
    line = "IMP-1,Nimi,Katu 1,00100,Helsinki,Kallio,10,100,2000,"
    report = imports_service.import_houses(session, csv_bytes(HOUSES_HEADER, line, line), admin.id)
    assert errors_of(report) == [(3, "code")]
    assert "row 2" in report.errors[0].reason


def haso_777_row(name: str = "Kalasataman Aallokko", code: str = "haso-777") -> str:
    return f"{code},{name},Capellan puistotie 12,00580,Helsinki,Kalasatama,64,4120.5,2016,"


def make_haso_777(session, name: str = "Kalasataman Aallokko") -> House:
    return make_house(
        session,
        code="HASO-777",
        name=name,
        street_address="Capellan puistotie 12",
        postal_code="00580",
        district="Kalasatama",
        apartments=64,
        floor_area=Decimal("4120.5"),
        year_built=2016,
    )


def test_house_code_in_another_case_updates_the_house_and_keeps_its_code(session, admin):
    stored = make_haso_777(session, name="Vanha nimi")
    report = imports_service.import_houses(
        session, csv_bytes(HOUSES_HEADER, haso_777_row()), admin.id
    )
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert [(c.key, c.action, c.fields) for c in report.changes] == [
        ("HASO-777", "update", ["name"])
    ]
    houses = session.exec(select(House).where(col(House.code).ilike("haso-777"))).all()
    assert [h.id for h in houses] == [stored.id]
    session.refresh(stored)
    assert (stored.code, stored.name, stored.version) == ("HASO-777", "Kalasataman Aallokko", 2)


def test_house_code_differing_only_in_case_is_unchanged(session, admin):
    stored = make_haso_777(session)
    report = imports_service.import_houses(
        session, csv_bytes(HOUSES_HEADER, haso_777_row()), admin.id
    )
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert report.changes == []
    assert not report.stored
    session.refresh(stored)
    assert (stored.code, stored.version) == ("HASO-777", 1)
    assert house(session, "haso-777") is None
    assert audit_rows(session) == []


def test_codes_differing_only_in_case_in_the_file_are_duplicates(session, admin):
    data = csv_bytes(
        HOUSES_HEADER, haso_777_row(code="HASO-777"), haso_777_row("Toinen", code="Haso-777")
    )
    report = imports_service.import_houses(session, data, admin.id)
    assert errors_of(report) == [(3, "code")]
    assert report.errors[0].value == "Haso-777"
    assert "row 2" in report.errors[0].reason
    assert session.exec(select(House).where(col(House.code).ilike("haso-777"))).all() == []


def test_unknown_and_missing_columns_are_file_errors(session, admin):
    data = csv_bytes(
        "code,name,street_address,postal_code,district,apartments,floor_area,rakennusvuosi",
        "IMP-1,Nimi,Katu 1,00100,Kallio,10,100,2000",
    )
    report = imports_service.import_houses(session, data, admin.id)
    assert (1, "rakennusvuosi") in errors_of(report)
    assert (1, "year_built") in errors_of(report)
    assert all(e.row == 1 for e in report.errors)
    assert house(session, "IMP-1") is None


def test_semicolons_decimal_commas_and_windows_encoding(session, admin):
    data = csv_bytes(
        HOUSES_HEADER.replace(",", ";"),
        "IMP-1;Jätkäsaaren Laituri;Välimerenkatu 9;00220;Helsinki;Jätkäsaari;88;2 345,5;2014;",
        encoding="cp1252",
    )
    report = imports_service.import_houses(session, data, admin.id)
    assert report.ok, report.errors
    stored = house(session, "IMP-1")
    assert stored is not None
    assert stored.name == "Jätkäsaaren Laituri"
    assert stored.district == "Jätkäsaari"
    assert stored.floor_area == Decimal("2345.5")


def test_byte_order_mark_is_accepted(session, admin):
    data = b"\xef\xbb\xbf" + houses_file()
    report = imports_service.import_houses(session, data, admin.id)
    assert report.ok, report.errors
    assert report.created == 2


def test_oversized_file_is_rejected(session, admin):
    data = houses_file() + b" " * imports_service.MAX_BYTES
    report = imports_service.import_houses(session, data, admin.id)
    assert errors_of(report) == [(None, "")]
    assert "5 MB" in report.errors[0].reason
    assert house(session, "IMP-1") is None


def test_too_many_rows_is_rejected(session, admin, monkeypatch):
    monkeypatch.setattr(imports_service, "MAX_ROWS", 1)
    report = imports_service.import_houses(session, houses_file(), admin.id)
    assert errors_of(report) == [(None, "")]
    assert house(session, "IMP-1") is None


def test_dry_run_reports_changes_but_stores_nothing(session, admin):
    report = imports_service.import_houses(session, houses_file(), admin.id, dry_run=True)
    assert report.ok
    assert report.created == 2
    assert [c.key for c in report.changes] == ["IMP-1", "IMP-2"]
    assert not report.stored
    assert house(session, "IMP-1") is None
    assert audit_rows(session) == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2345.5", "2345.5"), ("2 345,5", "2345.5"), ("2\xa0345,5", "2345.5"), ("1,234.5", "1234.5")],
)
def test_decimals(raw, expected):
    assert imports_service.parse_decimal(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["2024-03-01", "1.3.2024", "01.03.2024"])
def test_dates(raw):
    assert imports_service.parse_date(raw) == date(2024, 3, 1)


@pytest.mark.parametrize("raw", ["٢٠٢٤-٠٣-٠١", "１.３.２０２４", "2024-0٣-01", "1.3.２024"])
def test_dates_in_other_digits_are_refused(raw):
    with pytest.raises(BadCell, match="YYYY-MM-DD"):
        imports_service.parse_date(raw)


@pytest.mark.parametrize(
    "raw", ["١٢٣", "１２３", "12,٥", "1" * 31, "1" * 5000, "0," + "0" * 40 + "1"]
)
def test_decimals_refused(raw):
    with pytest.raises(BadCell):
        imports_service.parse_decimal(raw)


def test_longest_accepted_numbers():
    assert imports_service.parse_decimal("1" * 30) == Decimal("1" * 30)
    assert integer_parser(0, 10**40)("9" * 30) == int("9" * 30)
    with pytest.raises(BadCell, match="too many digits"):
        integer_parser(0, 10**40)("9" * 31)


@pytest.mark.parametrize("error", [ValueError("bad"), InvalidOperation()])
def test_a_parser_crashing_is_a_row_error(error):
    def parse(raw: str) -> str:
        raise error

    errors: list = []
    assert parse_row(2, {"x": "1"}, [Column("x", True, parse)], errors) is None
    assert [(e.row, e.column, e.value, e.reason) for e in errors] == [
        (2, "x", "1", "The value is not valid.")
    ]


# Residents


@pytest.fixture()
def houses(session):
    return make_house(session, code="IMP-1"), make_house(session, code="IMP-2")


def residents_file() -> bytes:
    return csv_bytes(
        RESIDENTS_HEADER,
        "IMP-1,A 12,Aino Virtanen,Aino.Virtanen@example.com,040 123 4567,fi,1978-04-12,holder,"
        "2016-09-01,",
        "IMP-1,A 12,Matti Virtanen,matti.virtanen@example.com,,,12.11.1976,haltija,1.9.2016,",
        "IMP-2,C 5,Karin Lindqvist,karin.lindqvist@example.com,,sv,,vuokralainen,2023-06-01,"
        "2025-05-31",
    )


def person(session, email: str) -> Person | None:
    return session.exec(select(Person).where(Person.email == email)).first()


def test_good_residents_file_creates_people_and_residencies(session, admin, houses):
    report = resident_import.import_residents(session, residents_file(), admin.id)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    aino = person(session, "aino.virtanen@example.com")
    matti = person(session, "matti.virtanen@example.com")
    karin = person(session, "karin.lindqvist@example.com")
    assert aino is not None and matti is not None and karin is not None
    assert aino.phone == "040 123 4567"
    assert matti.language == Language.fi  # default for a new person
    assert matti.birth_date == date(1976, 11, 12)
    assert karin.language == Language.sv
    stay = session.exec(select(Residency).where(Residency.person_id == karin.id)).one()
    assert stay.house_id == houses[1].id
    assert stay.tenure == Tenure.renter
    assert stay.ends_on == date(2025, 5, 31)
    held = session.exec(select(Residency).where(Residency.person_id == matti.id)).one()
    assert (held.apartment, held.tenure, held.starts_on) == (
        "A 12",
        Tenure.holder,
        date(2016, 9, 1),
    )
    assert len(audit_rows(session, "person")) == 3
    assert len(audit_rows(session, "residency")) == 3
    assert {e.actor_id for e in audit_rows(session)} == {admin.id}


def test_same_residents_file_again_changes_nothing(session, admin, houses):
    resident_import.import_residents(session, residents_file(), admin.id)
    audits_before = len(audit_rows(session))
    again = resident_import.import_residents(session, residents_file(), admin.id)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.changes == []
    assert len(audit_rows(session)) == audits_before


def test_known_person_and_residency_are_updated(session, admin, houses):
    known = make_person(
        session, name="Aino Vanha", email="aino.virtanen@example.com", phone=None, birth_date=None
    )
    make_resident(
        session,
        houses[0],
        known,
        apartment="A 12",
        starts_on=date(2016, 9, 1),
        tenure=Tenure.renter,
    )
    report = resident_import.import_residents(session, residents_file(), admin.id)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    session.refresh(known)
    assert known.name == "Aino Virtanen"
    assert known.phone == "040 123 4567"
    assert known.birth_date == date(1978, 4, 12)
    assert known.version == 2
    stays = session.exec(select(Residency).where(Residency.person_id == known.id)).all()
    assert len(stays) == 1 and stays[0].tenure == Tenure.holder
    updates = [e for e in audit_rows(session) if e.action == "update"]
    assert sorted(e.entity for e in updates) == ["person", "residency"]


def test_empty_optional_person_values_are_kept(session, admin, houses):
    known = make_person(
        session,
        name="Matti Virtanen",
        email="matti.virtanen@example.com",
        phone="045 111 2222",
        language=Language.en,
        birth_date=date(1976, 11, 12),
    )
    make_resident(session, houses[0], known, apartment="A 12", starts_on=date(2016, 9, 1))
    data = csv_bytes(
        RESIDENTS_HEADER,
        "IMP-1,A 12,Matti Virtanen,matti.virtanen@example.com,,,,holder,2016-09-01,",
    )
    report = resident_import.import_residents(session, data, admin.id)
    assert report.unchanged == 1
    session.refresh(known)
    assert (known.phone, known.language) == ("045 111 2222", Language.en)


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        ("EI-OLE,A 1,Nimi,n@example.com,,,,holder,2020-01-01,", "house_code", "No house"),
        ("IMP-1,A 1,Nimi,ei-osoite,,,,holder,2020-01-01,", "email", "valid email"),
        ("IMP-1,A 1,Nimi,n@example.com,,ru,,holder,2020-01-01,", "language", "fi, sv or en"),
        ("IMP-1,A 1,Nimi,n@example.com,,,,omistaja,2020-01-01,", "tenure", "Unknown tenure"),
        ("IMP-1,A 1,Nimi,n@example.com,,,,holder,2020-13-01,", "starts_on", "date"),
        ("IMP-1,A 1,Nimi,n@example.com,,,,holder,٢٠٢٠-٠١-٠١,", "starts_on", "date"),
        ("IMP-1,A 1,Nimi,n@example.com,,,,holder,,", "starts_on", "required"),
        ("IMP-1,A 1,Nimi,n@example.com,,,31.2.1980,holder,2020-01-01,", "birth_date", "date"),
        ("IMP-1,A 1,Nimi,n@example.com,,,,holder,2020-01-01,2019-12-31", "ends_on", "before"),
    ],
)
def test_resident_row_errors(session, admin, houses, line, column, reason):
    good = "IMP-2,B 2,Toinen,toinen@example.com,,,,holder,2020-01-01,"
    report = resident_import.import_residents(
        session, csv_bytes(RESIDENTS_HEADER, good, line), admin.id
    )
    assert errors_of(report) == [(3, column)]
    assert reason in report.errors[0].reason
    assert person(session, "toinen@example.com") is None
    assert audit_rows(session) == []


def test_duplicate_residency_in_the_file(session, admin, houses):
    line = "IMP-1,A 1,Nimi,n@example.com,,,,holder,2020-01-01,"
    report = resident_import.import_residents(
        session, csv_bytes(RESIDENTS_HEADER, line, line.replace("n@", "N@")), admin.id
    )
    assert errors_of(report) == [(3, "email")]
    assert "row 2" in report.errors[0].reason


def test_conflicting_person_values_in_the_file(session, admin, houses):
    report = resident_import.import_residents(
        session,
        csv_bytes(
            RESIDENTS_HEADER,
            "IMP-1,A 1,Nimi,n@example.com,,,,holder,2020-01-01,2021-12-31",
            "IMP-2,B 1,Toinen Nimi,n@example.com,,,,holder,2022-01-01,",
        ),
        admin.id,
    )
    assert errors_of(report) == [(3, "name")]
    assert person(session, "n@example.com") is None


def test_one_person_moving_within_the_file(session, admin, houses):
    report = resident_import.import_residents(
        session,
        csv_bytes(
            RESIDENTS_HEADER,
            "IMP-1,A 1,Nimi,n@example.com,,,,holder,2020-01-01,2021-12-31",
            "IMP-2,B 1,Nimi,n@example.com,050 1,,,holder,2022-01-01,",
        ),
        admin.id,
    )
    assert report.ok, report.errors
    mover = person(session, "n@example.com")
    assert mover is not None and mover.phone == "050 1"
    assert len(session.exec(select(Residency).where(Residency.person_id == mover.id)).all()) == 2
    assert len(audit_rows(session, "person")) == 1


def residencies_of(session, someone: Person) -> list[Residency]:
    query = select(Residency).where(Residency.person_id == someone.id).order_by(Residency.starts_on)
    return list(session.exec(query))


def test_house_code_of_residents_is_matched_in_any_case(session, admin):
    haso = make_house(session, code="HASO-001")
    data = csv_bytes(RESIDENTS_HEADER, "haso-001,A 1,Nimi,n@example.com,,,,holder,2020-01-01,")
    report = resident_import.import_residents(session, data, admin.id)
    assert report.ok, report.errors
    assert [c.key for c in report.changes if c.entity == "residency"] == [
        "HASO-001 A 1, 2020-01-01"
    ]
    resident = person(session, "n@example.com")
    assert resident is not None
    assert [r.house_id for r in residencies_of(session, resident)] == [haso.id]

    again = resident_import.import_residents(
        session,
        csv_bytes(RESIDENTS_HEADER, "Haso-001,A 1,Nimi,n@example.com,,,,holder,2020-01-01,"),
        admin.id,
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_house_codes_differing_only_in_case_are_one_residency_key(session, admin, houses):
    report = resident_import.import_residents(
        session,
        csv_bytes(
            RESIDENTS_HEADER,
            "IMP-1,A 1,Nimi,n@example.com,,,,holder,2020-01-01,",
            "imp-1,a 1,Nimi,n@example.com,,,,holder,2020-01-01,",
        ),
        admin.id,
    )
    assert errors_of(report) == [(3, "email")]
    assert "row 2" in report.errors[0].reason
    assert person(session, "n@example.com") is None


def test_apartment_in_another_case_and_spacing_is_the_same_residency(session, admin, houses):
    known = make_resident(
        session,
        houses[0],
        make_person(session, email="n@example.com", name="Nimi"),
        apartment="A 1",
        starts_on=date(2020, 1, 1),
    )
    data = csv_bytes(RESIDENTS_HEADER, "IMP-1,a   1,Nimi,n@example.com,,,,holder,2020-01-01,")
    report = resident_import.import_residents(session, data, admin.id)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert [r.apartment for r in residencies_of(session, known)] == ["A 1"]

    ended = resident_import.import_residents(
        session,
        csv_bytes(RESIDENTS_HEADER, "IMP-1,a 1,Nimi,n@example.com,,,,holder,2020-01-01,2022-12-31"),
        admin.id,
    )
    assert ended.ok, ended.errors
    assert (ended.created, ended.updated, ended.unchanged) == (0, 1, 0)
    stays = residencies_of(session, known)
    assert [(r.apartment, r.ends_on) for r in stays] == [("A 1", date(2022, 12, 31))]


def test_new_residency_stores_the_apartment_normalised(session, admin, houses):
    data = csv_bytes(RESIDENTS_HEADER, "IMP-1,c    5 b,Nimi,n@example.com,,,,holder,2020-01-01,")
    report = resident_import.import_residents(session, data, admin.id)
    assert report.ok, report.errors
    resident = person(session, "n@example.com")
    assert resident is not None
    assert [r.apartment for r in residencies_of(session, resident)] == ["C 5 B"]


@pytest.mark.parametrize(
    ("apartment", "starts_on", "ends_on"),
    [
        ("A 1", "2021-01-01", ""),  # same apartment, later start
        ("B 2", "2021-01-01", ""),  # another apartment of the same house
        ("B 2", "2019-01-01", "2020-01-01"),  # ends on the day the stored one starts
        ("B 2", "2018-01-01", ""),  # starts earlier, continues
    ],
)
def test_residency_overlapping_one_in_the_database_is_an_error(
    session, admin, houses, apartment, starts_on, ends_on
):
    known = make_resident(
        session,
        houses[0],
        make_person(session, email="n@example.com", name="Nimi"),
        apartment="A 1",
        starts_on=date(2020, 1, 1),
    )
    data = csv_bytes(
        RESIDENTS_HEADER,
        "IMP-2,B 2,Toinen,toinen@example.com,,,,holder,2020-01-01,",
        f"IMP-1,{apartment},Uusi Nimi,n@example.com,,,,holder,{starts_on},{ends_on}",
    )
    report = resident_import.import_residents(session, data, admin.id)
    assert errors_of(report) == [(3, "starts_on")]
    assert report.errors[0].value == starts_on
    reason = report.errors[0].reason
    assert "already has a residency in this house at the same time" in reason
    assert "apartment A 1" in reason
    assert not report.stored
    assert len(residencies_of(session, known)) == 1
    session.refresh(known)
    assert known.name == "Nimi"
    assert person(session, "toinen@example.com") is None
    assert audit_rows(session) == []


@pytest.mark.parametrize(
    ("house_code", "starts_on"),
    [("IMP-1", "2021-01-01"), ("IMP-2", "2020-06-01")],
)
def test_residency_next_to_one_in_the_database_is_accepted(
    session, admin, houses, house_code, starts_on
):
    known = make_resident(
        session,
        houses[0],
        make_person(session, email="n@example.com", name="Nimi"),
        apartment="A 1",
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
    )
    data = csv_bytes(
        RESIDENTS_HEADER, f"{house_code},B 2,Nimi,n@example.com,,,,holder,{starts_on},"
    )
    report = resident_import.import_residents(session, data, admin.id)
    assert report.ok, report.errors
    assert len(residencies_of(session, known)) == 2


def test_overlapping_residencies_in_the_file_are_an_error(session, admin, houses):
    report = resident_import.import_residents(
        session,
        csv_bytes(
            RESIDENTS_HEADER,
            "IMP-1,A 1,Nimi,n@example.com,,,,holder,2020-01-01,2021-06-30",
            "IMP-2,A 1,Nimi,n@example.com,,,,holder,2020-01-01,",  # another house: fine
            "IMP-1,B 2,Nimi,n@example.com,,,,holder,2021-06-30,",
        ),
        admin.id,
    )
    assert errors_of(report) == [(4, "starts_on")]
    assert "row 2" in report.errors[0].reason
    assert person(session, "n@example.com") is None
    assert audit_rows(session) == []


def test_file_may_end_a_residency_and_start_the_next(session, admin, houses):
    known = make_resident(
        session,
        houses[0],
        make_person(session, email="n@example.com", name="Nimi"),
        apartment="A 1",
        starts_on=date(2020, 1, 1),
    )
    data = csv_bytes(
        RESIDENTS_HEADER,
        "IMP-1,B 2,Nimi,n@example.com,,,,holder,2021-01-01,",
        "IMP-1,A 1,Nimi,n@example.com,,,,holder,2020-01-01,2020-12-31",
    )
    report = resident_import.import_residents(session, data, admin.id)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    stays = residencies_of(session, known)
    assert [(r.apartment, r.starts_on, r.ends_on) for r in stays] == [
        ("A 1", date(2020, 1, 1), date(2020, 12, 31)),
        ("B 2", date(2021, 1, 1), None),
    ]
    audits = len(audit_rows(session))

    again = resident_import.import_residents(session, data, admin.id)
    assert again.ok, again.errors
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert again.changes == []
    assert len(audit_rows(session)) == audits


def test_overlap_reason_is_translated(session, admin, houses):
    make_resident(
        session,
        houses[0],
        make_person(session, email="n@example.com"),
        apartment="A 1",
        starts_on=date(2020, 1, 1),
    )
    data = csv_bytes(
        RESIDENTS_HEADER,
        "IMP-1,B 2,Nimi,n@example.com,,,,holder,2021-01-01,",
        "IMP-1,C 3,Nimi,n@example.com,,,,holder,2021-02-01,",
    )
    with use_language("fi"):
        report = resident_import.import_residents(session, data, admin.id)
    assert errors_of(report) == [(2, "starts_on"), (3, "starts_on")]
    assert "asunto A 1" in report.errors[0].reason and "1.1.2020" in report.errors[0].reason
    assert "rivillä 2" in report.errors[1].reason


def test_residents_dry_run_stores_nothing(session, admin, houses):
    report = resident_import.import_residents(session, residents_file(), admin.id, dry_run=True)
    assert report.ok
    assert report.count("person", "create") == 3
    assert report.count("residency", "create") == 3
    assert person(session, "aino.virtanen@example.com") is None
    assert audit_rows(session) == []


def test_example_files_import_cleanly(session, admin):
    houses = imports_service.import_houses(session, imports_service.example("houses.csv"), admin.id)
    assert houses.ok, houses.errors
    residents = resident_import.import_residents(
        session, imports_service.example("residents.csv"), admin.id
    )
    assert residents.ok, residents.errors
    assert residents.created == residents.rows > 0


# Apartments' floor areas (the optional floor_area_m2 column)

AREA_HEADER = RESIDENTS_HEADER + ",floor_area_m2"


def apartments(session) -> dict[tuple[int, str], Decimal | None]:
    return {(a.house_id, a.label): a.floor_area_m2 for a in session.exec(select(Apartment))}


def test_floor_area_column_records_each_apartments_area(session, admin, houses):
    data = csv_bytes(
        AREA_HEADER,
        'IMP-1,a  12,Aino Virtanen,aino@example.com,,,,holder,2016-09-01,,"62,5"',
        "IMP-1,A 12,Matti Virtanen,matti@example.com,,,,holder,2016-09-01,,62.5",
        "IMP-2,C 5,Karin Lindqvist,karin@example.com,,,,holder,2023-06-01,,34",
        "IMP-2,C 6,Sam Okafor,sam@example.com,,,,holder,2023-06-01,,",
    )
    report = resident_import.import_residents(session, data, admin.id)
    assert report.ok, report.errors
    assert apartments(session) == {
        (houses[0].id, "A 12"): Decimal("62.5"),
        (houses[1].id, "C 5"): Decimal("34.0"),
    }
    assert report.count("apartment", "create") == 2
    assert [(c.row, c.key) for c in report.changes if c.entity == "apartment"] == [
        (2, "IMP-1 A 12"),
        (4, "IMP-2 C 5"),
    ]
    assert len(audit_rows(session, "apartment")) == 2

    again = resident_import.import_residents(session, data, admin.id)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert again.changes == []

    # A new area updates the apartment; an empty cell leaves the recorded one.
    changed = csv_bytes(
        AREA_HEADER,
        "IMP-1,A 12,Aino Virtanen,aino@example.com,,,,holder,2016-09-01,,63",
        "IMP-2,C 5,Karin Lindqvist,karin@example.com,,,,holder,2023-06-01,,",
    )
    report = resident_import.import_residents(session, changed, admin.id)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert [(c.row, c.entity, c.action, c.fields) for c in report.changes] == [
        (2, "apartment", "update", ["floor_area_m2"])
    ]
    assert apartments(session) == {
        (houses[0].id, "A 12"): Decimal("63.0"),
        (houses[1].id, "C 5"): Decimal("34.0"),
    }
    [update] = [e for e in audit_rows(session, "apartment") if e.action == "update"]
    assert (update.before["floor_area_m2"], update.after["floor_area_m2"]) == ("62.5", "63.0")
    assert update.after["version"] == 2


def test_floor_area_dry_run_stores_no_apartment(session, admin, houses):
    data = csv_bytes(AREA_HEADER, "IMP-1,B 2,Nimi,n@example.com,,,,holder,2020-01-01,,45,5")
    report = resident_import.import_residents(session, data, admin.id, dry_run=True)
    assert errors_of(report) == [(2, "")]  # 45,5 unquoted is two cells: the row is too long
    data = csv_bytes(AREA_HEADER, 'IMP-1,B 2,Nimi,n@example.com,,,,holder,2020-01-01,,"45,5"')
    report = resident_import.import_residents(session, data, admin.id, dry_run=True)
    assert report.ok and report.count("apartment", "create") == 1
    assert apartments(session) == {}


@pytest.mark.parametrize(
    ("area", "reason"),
    [
        ("abc", "Enter a number, e.g. 2345,5."),
        ("0", "Enter a number greater than zero."),
        ("-42", "Enter a number greater than zero."),
        ('"62,55"', "Enter the floor area with at most one decimal."),
        ("1000", "An apartment's floor area is less than 1,000 m². Check the value."),
        ("٦٢", "Enter a number, e.g. 2345,5."),
    ],
)
def test_bad_floor_area_is_an_error_at_its_row_and_column(session, admin, houses, area, reason):
    good = "IMP-2,B 2,Toinen,toinen@example.com,,,,holder,2020-01-01,,55"
    bad = f"IMP-1,A 1,Nimi,n@example.com,,,,holder,2020-01-01,,{area}"
    report = resident_import.import_residents(session, csv_bytes(AREA_HEADER, good, bad), admin.id)
    assert errors_of(report) == [(3, "floor_area_m2")]
    assert report.errors[0].reason == reason
    assert report.errors[0].value == area.strip('"')
    assert not report.stored
    assert person(session, "toinen@example.com") is None
    assert apartments(session) == {}
    assert audit_rows(session) == []


def test_two_areas_for_one_apartment_is_an_error(session, admin, houses):
    data = csv_bytes(
        AREA_HEADER,
        "IMP-1,A 12,Aino Virtanen,aino@example.com,,,,holder,2016-09-01,,62.5",
        "IMP-1,a 12,Matti Virtanen,matti@example.com,,,,holder,2016-09-01,,",
        "IMP-1,A 12,Ville Virtanen,ville@example.com,,,,holder,2016-09-01,,65",
    )
    report = resident_import.import_residents(session, data, admin.id)
    assert errors_of(report) == [(4, "floor_area_m2")]
    assert report.errors[0].reason == ("Row 2 gives another floor area for the same apartment.")
    assert apartments(session) == {} and person(session, "aino@example.com") is None


def test_floor_area_error_is_in_the_users_language(session, admin, houses):
    data = csv_bytes(AREA_HEADER, "IMP-1,A 1,Nimi,n@example.com,,,,holder,2020-01-01,,0")
    with use_language("fi"):
        report = resident_import.import_residents(session, data, admin.id)
    assert errors_of(report) == [(2, "floor_area_m2")]
    reason = report.errors[0].reason
    assert reason == fi("Enter a number greater than zero.") != "Enter a number greater than zero."


def test_example_residents_file_gives_apartment_areas(session, admin):
    imports_service.import_houses(session, imports_service.example("houses.csv"), admin.id)
    report = resident_import.import_residents(
        session, imports_service.example("residents.csv"), admin.id
    )
    assert report.ok, report.errors
    codes = {h.id: h.code for h in session.exec(select(House))}
    assert {(codes[h], label): area for (h, label), area in apartments(session).items()} == {
        ("HASO-101", "A 12"): Decimal("72.5"),
        ("HASO-101", "B 34"): Decimal("48.0"),
        ("HASO-102", "C 5"): Decimal("34.5"),
        ("HASO-104", "A 2"): Decimal("58.0"),
    }
