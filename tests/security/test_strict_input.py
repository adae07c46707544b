"""Input the database cannot take, or that only looks valid, is refused with a 422 at the field.

A NUL character in a text is refused on every database alike (PostgreSQL cannot store it;
SQLite would keep it), at the field in a page form and in the API; a day is only YYYY-MM-DD
(not a number counted from 1970); an import without its file answers in the documented format.
"""

from app.models.people import StaffKind
from tests.support import api_headers, fi, make_house, make_person, make_staff

NUL = fi("The text contains a character that is not allowed (a NUL character).")


def test_a_nul_in_a_page_form_is_refused_at_its_field(client, session):
    house = make_house(session)
    client.login_as(session, make_staff(session, StaffKind.admin))
    form = {
        "code": house.code,
        "name": "Talo\x00nimi",
        "street_address": house.street_address,
        "postal_code": house.postal_code,
        "city": house.city,
        "version": "1",
    }
    response = client.submit(f"/houses/{house.id}/edit", form)
    assert response.status_code == 422
    assert NUL in response.text and 'aria-invalid="true"' in response.text


def test_a_nul_in_the_api_is_refused(client, session):
    person = make_person(session)
    headers = api_headers(session, make_staff(session, StaffKind.admin))
    response = client.patch(
        f"/api/v1/people/{person.id}",
        json={"name": "Nimi\u0000loppu", "version": 1},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "", "reason": NUL}]}


def test_a_day_is_only_year_month_day(client, session):
    headers = api_headers(session, make_person(session))
    for bad in ("0", "1700000000", "2026-1-5", "5.1.2026"):
        response = client.get("/api/v1/calendar/events", params={"from": bad}, headers=headers)
        assert response.status_code == 422, bad
        [error] = response.json()["detail"]
        assert error == {"field": "from", "reason": fi("Enter a date as YYYY-MM-DD.")}
    good = client.get("/api/v1/calendar/events", params={"from": "2026-01-05"}, headers=headers)
    assert good.status_code == 200


def test_an_import_without_a_file_answers_as_documented(client, session, app):
    management = make_staff(session, StaffKind.management)
    headers = api_headers(session, management, scopes=["read", "import"])
    response = client.post("/api/v1/finances/imports", headers=headers)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "file"
    documented = app.openapi()["paths"]["/api/v1/finances/imports"]["post"]["responses"]["422"]
    schemas = documented["content"]["application/json"]["schema"]["anyOf"]
    assert {"$ref": "#/components/schemas/ValidationProblem"} in schemas
