"""The residents' import and tenures: the codes and their Finnish and Swedish words, a clear
per-row error for an unknown one, and the example file showing them."""

import pytest
from sqlmodel import select

from app.i18n import use_language
from app.models.houses import Residency, Tenure
from app.models.people import Person, StaffKind
from app.services.bodies import imports as imports_service
from app.services.bodies import resident_import
from app.services.platform.csv_reading import BadCell
from tests.support import make_house, make_staff

HEADER = "house_code,apartment,name,email,phone,language,birth_date,tenure,starts_on,ends_on"


@pytest.fixture(autouse=True)
def english():
    with use_language("en"):
        yield


@pytest.fixture()
def admin(session):
    return make_staff(session, StaffKind.admin)


@pytest.fixture()
def house(session):
    return make_house(session, code="TEN-1")


def csv_bytes(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def tenures(session) -> dict[str, Tenure]:
    rows = session.exec(select(Person.email, Residency.tenure).join(Residency)).all()
    return dict(rows)


@pytest.mark.parametrize(
    ("cell", "tenure"),
    [
        ("holder", Tenure.holder),
        ("Asumisoikeuden  haltija", Tenure.holder),
        ("boenderättsinnehavare", Tenure.holder),
        ("co_holder", Tenure.co_holder),
        ("CO-HOLDER", Tenure.co_holder),
        ("kanssahaltija", Tenure.co_holder),
        ("medinnehavare", Tenure.co_holder),
        ("spouse", Tenure.spouse),
        ("puoliso", Tenure.spouse),
        ("avopuoliso", Tenure.spouse),
        ("haltijan puoliso tai avopuoliso", Tenure.spouse),
        ("sambo", Tenure.spouse),
        ("make/maka", Tenure.spouse),
        ("household_member", Tenure.household_member),
        ("household member", Tenure.household_member),
        ("muu perheenjäsen", Tenure.household_member),
        ("familjemedlem", Tenure.household_member),
        ("renter", Tenure.renter),
        ("vuokralainen", Tenure.renter),
        ("hyresgäst", Tenure.renter),
    ],
)
def test_tenure_cell_reads_codes_and_words(cell, tenure):
    assert imports_service._tenure(cell) == tenure


@pytest.mark.parametrize("cell", ["omistaja", "co_holders", "puolisot", "owner", "spouse;"])
def test_unknown_tenure_cell_is_refused_naming_the_choices(cell):
    with pytest.raises(BadCell) as caught:
        imports_service._tenure(cell)
    reason = caught.value.reason
    assert reason.startswith("Unknown tenure.")
    for code in ("holder", "co_holder", "spouse", "household_member", "renter", "kanssahaltija"):
        assert code in reason


def test_a_household_is_imported_with_its_tenures(session, admin, house):
    data = csv_bytes(
        HEADER,
        "TEN-1,A 1,Aino Haltija,aino@example.com,,,1978-04-12,holder,2016-09-01,",
        "TEN-1,A 1,Matti Puoliso,matti@example.com,,,1976-11-30,puoliso,2016-09-01,",
        "TEN-1,A 1,Eero Lapsi,eero@example.com,,,2012-03-08,muu perheenjäsen,2016-09-01,",
        "TEN-1,B 2,Karin Medinnehavare,karin@example.com,,sv,1990-02-05,co_holder,2019-03-01,",
        "TEN-1,B 2,Sam Haltija,sam@example.com,,en,1988-10-09,holder,2019-03-01,",
    )
    report = resident_import.import_residents(session, data, admin.id)
    assert report.ok, report.errors
    assert tenures(session) == {
        "aino@example.com": Tenure.holder,
        "matti@example.com": Tenure.spouse,
        "eero@example.com": Tenure.household_member,
        "karin@example.com": Tenure.co_holder,
        "sam@example.com": Tenure.holder,
    }


def test_re_import_changes_a_tenure(session, admin, house):
    line = "TEN-1,A 1,Matti Puoliso,matti@example.com,,,1976-11-30,{},2016-09-01,"
    first = resident_import.import_residents(
        session, csv_bytes(HEADER, line.format("holder")), admin.id
    )
    assert first.ok and first.created == 1
    again = resident_import.import_residents(
        session, csv_bytes(HEADER, line.format("spouse")), admin.id
    )
    assert again.ok, again.errors
    assert again.updated == 1
    assert [c.fields for c in again.changes if c.entity == "residency"] == [["tenure"]]
    assert tenures(session) == {"matti@example.com": Tenure.spouse}


def test_each_unknown_tenure_is_an_error_of_its_row_and_nothing_is_stored(session, admin, house):
    data = csv_bytes(
        HEADER,
        "TEN-1,A 1,Aino Haltija,aino@example.com,,,1978-04-12,holder,2016-09-01,",
        "TEN-1,A 1,Matti Omistaja,matti@example.com,,,1976-11-30,omistaja,2016-09-01,",
        "TEN-1,A 2,Kalle Kämppis,kalle@example.com,,,1990-01-01,kämppis,2016-09-01,",
    )
    report = resident_import.import_residents(session, data, admin.id)
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (3, "tenure", "omistaja"),
        (4, "tenure", "kämppis"),
    ]
    assert all(e.reason.startswith("Unknown tenure.") for e in report.errors)
    assert tenures(session) == {}


def test_the_example_file_shows_every_tenure():
    text = imports_service.example("residents.csv").decode("utf-8")
    for code in ("holder", "co_holder", "spouse", "household_member", "renter"):
        assert f",{code}," in text
