"""The import pages: who may use them, uploads, reports, example files."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from app.config import ROOT
from app.models.audit import AuditEntry
from app.models.houses import Apartment, House, Residency
from app.models.people import Language, Person, StaffKind
from app.services.bodies import imports as imports_service
from tests.support import make_house, make_manager, make_resident, make_staff

EXAMPLES = ROOT / "seeds" / "import-examples"
HOUSES = (
    "code,name,street_address,postal_code,city,district,apartments,floor_area,year_built,"
    "property_manager_email\r\n"
    "IMP-1,Kalasataman Aallokko,Capellan puistotie 12,00580,Helsinki,Kalasatama,64,4120.5,2016,\r\n"
    "IMP-2,Jätkäsaaren Laituri,Välimerenkatu 9,00220,Helsinki,Jätkäsaari,88,5890,2014,\r\n"
).encode()
BAD_HOUSES = (
    HOUSES + b"IMP-3,Kontulan Kaari,Kontulankaari 4,00940,Helsinki,Kontula,42,2710,1998x,\r\n"
)
POSTS = ["/admin/import/houses", "/admin/import/residents"]
PAGES = ["/admin/import", "/admin/import/example/houses.csv", "/admin/import/example/residents.csv"]


def upload(client, url: str, data: bytes, filename: str = "talot.csv", **fields):
    field = "houses_file" if url.endswith("houses") else "residents_file"
    return client.submit(url, fields, files={field: (filename, data, "text/csv")})


def imported_houses(session) -> list[House]:
    return list(session.exec(select(House).where(col(House.code).startswith("IMP-"))))


@pytest.fixture()
def admin_client(client, session):
    admin = make_staff(session, StaffKind.admin, language=Language.en)
    return client.login_as(session, admin)


@pytest.fixture()
def others(session):
    """Everyone who is not an administrator."""
    house = make_house(session)
    return {
        "management": make_staff(session, StaffKind.management),
        "manager": make_manager(session, house),
        "resident": make_resident(session, house),
    }


def test_import_page_documents_the_formats(admin_client):
    response = admin_client.get("/admin/import")
    assert response.status_code == 200
    page = response.text
    assert page.count("<h1") == 1
    assert 'enctype="multipart/form-data"' in page
    assert 'accept=".csv,text/csv"' in page
    assert '<label class="hds-text-input__label" for="field-houses_file">' in page
    assert '<label class="hds-text-input__label" for="field-residents_file">' in page
    for column in imports_service.HOUSE_COLUMNS + imports_service.RESIDENT_COLUMNS:
        assert f"<code>{column.name}</code>" in page
    assert 'href="/admin/import/example/houses.csv"' in page
    assert 'href="/admin/import/example/residents.csv"' in page


@pytest.mark.parametrize("name", ["houses.csv", "residents.csv"])
def test_example_files_download(admin_client, name):
    response = admin_client.get(f"/admin/import/example/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="{name}"' in response.headers["content-disposition"]
    assert response.content == (EXAMPLES / name).read_bytes()


def test_unknown_example_is_not_found(admin_client):
    assert admin_client.get("/admin/import/example/passwd").status_code == 404


@pytest.mark.parametrize("role", ["management", "manager", "resident"])
@pytest.mark.parametrize("url", PAGES)
def test_pages_refuse_non_administrators(client, session, others, role, url):
    client.login_as(session, others[role])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["management", "manager", "resident"])
@pytest.mark.parametrize("url", POSTS)
def test_uploads_refuse_non_administrators(client, session, others, role, url):
    client.login_as(session, others[role])
    assert upload(client, url, HOUSES).status_code == 403
    assert imported_houses(session) == []


@pytest.mark.parametrize("url", PAGES)
def test_pages_send_anonymous_visitors_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("url", POSTS)
def test_uploads_send_anonymous_visitors_to_login(client, session, url):
    response = upload(client, url, HOUSES)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert imported_houses(session) == []


@pytest.mark.parametrize("url", POSTS)
def test_upload_without_csrf_token_is_refused(admin_client, session, url):
    admin_client.csrf()
    field = "houses_file" if url.endswith("houses") else "residents_file"
    response = admin_client.post(url, files={field: ("talot.csv", HOUSES, "text/csv")})
    assert response.status_code == 403
    assert imported_houses(session) == []


def test_houses_import_and_the_same_file_again(admin_client, session):
    response = upload(admin_client, "/admin/import/houses", HOUSES)
    assert response.status_code == 200, response.text
    assert "talot.csv" in response.text
    assert "2 created, 0 updated, 0 unchanged" in response.text
    assert sorted(h.code for h in imported_houses(session)) == ["IMP-1", "IMP-2"]
    audits = len(session.exec(select(AuditEntry)).all())

    again = upload(admin_client, "/admin/import/houses", HOUSES)
    assert again.status_code == 200
    assert "0 created, 0 updated, 2 unchanged" in again.text
    assert len(session.exec(select(AuditEntry)).all()) == audits


def test_bad_row_stores_nothing_and_is_reported(admin_client, session):
    response = upload(admin_client, "/admin/import/houses", BAD_HOUSES, filename="virhe.csv")
    assert response.status_code == 422
    page = response.text
    assert "virhe.csv" in page
    assert 'role="alert"' in page
    assert "nothing was stored" in page
    assert '<th scope="row">4</th>' in page
    assert "<code>year_built</code>" in page
    assert "1998x" in page
    assert "Enter a whole number." in page
    assert imported_houses(session) == []


def test_dry_run_through_the_form_stores_nothing(admin_client, session):
    response = upload(admin_client, "/admin/import/houses", HOUSES, dry_run="true")
    assert response.status_code == 200
    assert "Dry run: nothing was stored." in response.text
    assert "2 created, 0 updated, 0 unchanged" in response.text
    assert "IMP-2" in response.text
    assert imported_houses(session) == []


def test_oversized_upload_is_rejected(admin_client, session):
    data = HOUSES + b" " * imports_service.MAX_BYTES
    response = upload(admin_client, "/admin/import/houses", data)
    assert response.status_code == 422
    assert "5 MB" in response.text
    assert imported_houses(session) == []


def test_missing_file_shows_error_at_the_field(admin_client):
    response = admin_client.submit("/admin/import/residents", {})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert 'aria-describedby="error-residents_file' in response.text
    assert "Choose a CSV file to import." in response.text


def test_example_files_import_through_the_pages(admin_client, session):
    houses = upload(
        admin_client, "/admin/import/houses", (EXAMPLES / "houses.csv").read_bytes(), "houses.csv"
    )
    assert houses.status_code == 200, houses.text
    residents = upload(
        admin_client,
        "/admin/import/residents",
        (EXAMPLES / "residents.csv").read_bytes(),
        "residents.csv",
    )
    assert residents.status_code == 200, residents.text
    assert "The import is done." in residents.text
    person = session.exec(select(Person).where(Person.email == "karin.lindqvist@example.com")).one()
    assert person.language == Language.sv
    assert session.exec(select(Residency).where(Residency.person_id == person.id)).one()


def test_residents_file_with_unknown_house_is_reported(admin_client, session):
    data = (
        "house_code;apartment;name;email;phone;language;birth_date;tenure;starts_on;ends_on\r\n"
        "EI-OLE;A 1;Aino Virtanen;aino@example.com;;;;haltija;1.9.2016;\r\n"
    ).encode("cp1252")
    response = upload(admin_client, "/admin/import/residents", data, filename="asukkaat.csv")
    assert response.status_code == 422
    assert "<code>house_code</code>" in response.text
    assert "EI-OLE" in response.text
    assert session.exec(select(Person).where(Person.email == "aino@example.com")).first() is None


def test_houses_file_with_a_code_in_another_case_updates_the_house(admin_client, session):
    stored = make_house(session, code="IMP-1", name="Vanha nimi")
    response = upload(admin_client, "/admin/import/houses", HOUSES.replace(b"IMP-1,", b"imp-1,"))
    assert response.status_code == 200, response.text
    assert "1 created, 1 updated, 0 unchanged" in response.text
    assert sorted(h.code for h in imported_houses(session)) == ["IMP-1", "IMP-2"]
    session.refresh(stored)
    assert stored.name == "Kalasataman Aallokko"


def test_residents_file_overlapping_a_stored_residency_is_reported(admin_client, session):
    house = make_house(session, code="HASO-001")
    resident = make_resident(session, house, apartment="A 1", starts_on=date(2020, 1, 1))
    data = (
        "house_code,apartment,name,email,phone,language,birth_date,tenure,starts_on,ends_on\r\n"
        f"haso-001,a 1,{resident.name},{resident.email},,,,holder,2021-01-01,\r\n"
    ).encode()
    response = upload(admin_client, "/admin/import/residents", data, filename="asukkaat.csv")
    assert response.status_code == 422
    assert "nothing was stored" in response.text
    assert '<th scope="row">2</th>' in response.text
    assert "<code>starts_on</code>" in response.text
    assert "already has a residency in this house at the same time" in response.text
    stays = session.exec(select(Residency).where(Residency.person_id == resident.id)).all()
    assert len(stays) == 1


def test_residents_file_with_floor_areas_through_the_page(admin_client, session):
    make_house(session, code="HASO-001")
    page = admin_client.get("/admin/import").text
    assert "<code>floor_area_m2</code>" in page
    data = (
        "house_code;apartment;name;email;phone;language;birth_date;tenure;starts_on;ends_on;"
        "floor_area_m2\r\n"
        "HASO-001;A 1;Aino Virtanen;aino@example.com;;;;haltija;1.9.2016;;58,5\r\n"
        "HASO-001;A 2;Matti Virtanen;matti@example.com;;;;haltija;1.9.2016;;58,55\r\n"
    ).encode("cp1252")
    response = upload(admin_client, "/admin/import/residents", data, filename="asukkaat.csv")
    assert response.status_code == 422
    assert "nothing was stored" in response.text
    assert '<th scope="row">3</th>' in response.text
    assert "<code>floor_area_m2</code>" in response.text and "58,55" in response.text
    assert "Enter the floor area with at most one decimal." in response.text
    assert session.exec(select(Apartment)).all() == []
    assert session.exec(select(Person).where(Person.email == "aino@example.com")).first() is None

    response = upload(
        admin_client, "/admin/import/residents", data.replace(b"58,55", b"71"), "asukkaat.csv"
    )
    assert response.status_code == 200, response.text
    assert "2 created, 0 updated, 0 unchanged" in response.text
    assert "HASO-001 A 2" in response.text
    areas = {a.label: a.floor_area_m2 for a in session.exec(select(Apartment))}
    assert areas == {"A 1": Decimal("58.5"), "A 2": Decimal("71.0")}
