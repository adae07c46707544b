"""Every route of the app, for every role, for the user's own house and for another house.

Each route must have an entry in MATRIX (a route added without one fails the suite). An entry
names who may pass the route's guard; everyone else must be refused: pages answer 403/404
(anonymous visitors are sent to /login), the API answers 401/403/404.
"""

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from app.main import create_app
from app.models.committees import Position
from app.models.meetings import ResidentMeeting
from app.models.people import StaffKind
from app.models.types import utcnow
from tests.authz import FEATURES
from tests.authz.roles import (
    ADMIN,
    EVERYONE,
    HOUSE_A_MANAGERS,
    HOUSE_A_MEMBERS,
    HOUSE_A_ORGANISERS,
    HOUSE_A_RESIDENTS_VIEW,
    LOGGED_IN,
    OVERSEERS,
    ROLES,
    Rule,
)
from tests.support import (
    PortalClient,
    api_headers,
    make_committee,
    make_house,
    make_manager,
    make_person,
    make_resident,
    make_staff,
    make_yte_term,
)

# "METHOD path" → who may pass. Path parameters are filled from the world below.
MATRIX: dict[str, Rule] = {
    # public
    "GET /login": Rule(EVERYONE),
    "POST /login": Rule(EVERYONE),
    "POST /login/link": Rule(EVERYONE),
    "GET /login/link/{token}": Rule(EVERYONE),
    "POST /login/link/{token}": Rule(EVERYONE),
    "POST /logout": Rule(EVERYONE),
    "POST /language": Rule(EVERYONE),
    "POST /api/v1/auth/token": Rule(EVERYONE),
    # every logged-in person
    "GET /": Rule(LOGGED_IN),
    "GET /participation": Rule(LOGGED_IN),
    "GET /account": Rule(LOGGED_IN),
    "POST /account/password": Rule(LOGGED_IN),
    "POST /account/tokens": Rule(LOGGED_IN),
    "POST /account/tokens/{token_id}/revoke": Rule(LOGGED_IN),
    "GET /api/v1/me": Rule(LOGGED_IN),
    "GET /api/v1/me/tokens": Rule(LOGGED_IN),
    "POST /api/v1/me/tokens": Rule(LOGGED_IN),
    "DELETE /api/v1/me/tokens/{token_id}": Rule(LOGGED_IN),
    # houses
    "GET /houses": Rule(LOGGED_IN),
    "GET /houses/{house_id}": Rule(LOGGED_IN),
    "GET /api/v1/houses": Rule(LOGGED_IN),
    "GET /api/v1/houses/{house_id}": Rule(LOGGED_IN),
    "GET /api/v1/houses/{house_id}/residents": Rule(HOUSE_A_RESIDENTS_VIEW),
    "GET /houses/new": Rule(ADMIN),
    "POST /houses/new": Rule(ADMIN),
    "GET /houses/{house_id}/edit": Rule(ADMIN),
    "POST /houses/{house_id}/edit": Rule(ADMIN),
    # The house's property manager records its residents too (tests/authz/households.py).
    "GET /houses/{house_id}/residents/new": Rule({"manager_a"} | ADMIN),
    "POST /houses/{house_id}/residents/new": Rule({"manager_a"} | ADMIN),
    "GET /houses/{house_id}/residents/{residency_id}/end": Rule({"manager_a"} | ADMIN),
    "POST /houses/{house_id}/residents/{residency_id}/end": Rule({"manager_a"} | ADMIN),
    "POST /api/v1/houses": Rule(ADMIN),
    "PATCH /api/v1/houses/{house_id}": Rule(ADMIN),
    # resident meetings and committees
    "GET /houses/{house_id}/meetings": Rule(HOUSE_A_MEMBERS),
    "GET /meetings/{meeting_id}": Rule(HOUSE_A_MEMBERS),
    "GET /committees/{committee_id}": Rule(HOUSE_A_MEMBERS),
    "GET /api/v1/houses/{house_id}/meetings": Rule(HOUSE_A_MEMBERS),
    "GET /api/v1/meetings/{meeting_id}": Rule(HOUSE_A_MEMBERS),
    "GET /api/v1/houses/{house_id}/committees": Rule(HOUSE_A_MEMBERS),
    "GET /api/v1/houses/{house_id}/committees/current": Rule(HOUSE_A_MEMBERS),
    "GET /api/v1/committees/{committee_id}": Rule(HOUSE_A_MEMBERS),
    "GET /houses/{house_id}/meetings/new": Rule(HOUSE_A_ORGANISERS),
    "POST /houses/{house_id}/meetings/new": Rule(HOUSE_A_ORGANISERS),
    "POST /meetings/{meeting_id}/send-invitation": Rule(HOUSE_A_ORGANISERS),
    "GET /meetings/{meeting_id}/minutes": Rule(HOUSE_A_ORGANISERS),
    "POST /meetings/{meeting_id}/minutes": Rule(HOUSE_A_ORGANISERS),
    "POST /api/v1/houses/{house_id}/meetings": Rule(HOUSE_A_ORGANISERS),
    "PUT /api/v1/meetings/{meeting_id}/minutes": Rule(HOUSE_A_ORGANISERS),
    "GET /houses/{house_id}/committees/new": Rule(HOUSE_A_MANAGERS),
    "POST /houses/{house_id}/committees/new": Rule(HOUSE_A_MANAGERS),
    "POST /committees/{committee_id}/members": Rule(HOUSE_A_MANAGERS),
    "POST /committees/{committee_id}/members/{member_id}/remove": Rule(HOUSE_A_MANAGERS),
    "POST /api/v1/houses/{house_id}/committees": Rule(HOUSE_A_MANAGERS),
    "POST /api/v1/committees/{committee_id}/members": Rule(HOUSE_A_MANAGERS),
    "DELETE /api/v1/committees/{committee_id}/members/{member_id}": Rule(HOUSE_A_MANAGERS),
    # Haso-yte
    "GET /yte": Rule(LOGGED_IN),
    "GET /api/v1/yte": Rule(LOGGED_IN),
    "GET /api/v1/yte/terms": Rule(LOGGED_IN),
    "GET /yte/terms/new": Rule(OVERSEERS),
    "POST /yte/terms/new": Rule(OVERSEERS),
    "GET /yte/terms/{term_id}": Rule(OVERSEERS),
    "POST /yte/terms/{term_id}/members": Rule(OVERSEERS),
    "POST /yte/terms/{term_id}/members/{member_id}/remove": Rule(OVERSEERS),
    "POST /yte/terms/{term_id}/members/{member_id}/chair": Rule(OVERSEERS),
    "POST /api/v1/yte/terms": Rule(OVERSEERS),
    "POST /api/v1/yte/terms/{term_id}/members": Rule(OVERSEERS),
    # administration
    "GET /admin": Rule(ADMIN),
    "GET /admin/people": Rule(ADMIN),
    "GET /admin/people/new": Rule(ADMIN),
    "POST /admin/people/new": Rule(ADMIN),
    "GET /admin/people/{person_id}": Rule(ADMIN),
    "GET /admin/people/{person_id}/edit": Rule(ADMIN),
    "POST /admin/people/{person_id}/edit": Rule(ADMIN),
    "POST /admin/people/{person_id}/roles": Rule(ADMIN),
    "POST /admin/people/{person_id}/roles/{kind}/revoke": Rule(ADMIN),
    "POST /admin/people/{person_id}/password": Rule(ADMIN),
    "GET /admin/audit": Rule(ADMIN),
    "GET /api/v1/people": Rule(ADMIN),
    "POST /api/v1/people": Rule(ADMIN),
    "PATCH /api/v1/people/{person_id}": Rule(ADMIN),
    "GET /api/v1/people/{person_id}": Rule({"resident_a"} | ADMIN),
    "GET /admin/import": Rule(ADMIN),
    "GET /admin/import/example/{name}": Rule(ADMIN),
    "POST /admin/import/houses": Rule(ADMIN),
    "POST /admin/import/residents": Rule(ADMIN),
}
for _feature in FEATURES:
    MATRIX.update(_feature.MATRIX)

# Routes outside the matrix on purpose, with the reason.
UNGUARDED = {
    "GET /healthz": "health check for load balancers; says nothing but ok",
    "GET /favicon.ico": "a redirect to the public icon file",
    "GET /dev/outbox": "exists only in debug mode (404 otherwise), tested in test_home",
    "GET /openapi.json": "the API's public schema",
}


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods or []):
                if method != "HEAD":
                    yield method, prefix + route.path
        elif hasattr(route, "include_context"):
            context = route.include_context
            yield from _walk(context.included_router.routes, prefix + context.prefix)
        elif getattr(route, "path", None) == "/openapi.json":
            yield "GET", "/openapi.json"


def all_routes() -> list[str]:
    """Every method and path of the app."""
    return sorted({f"{m} {p}" for m, p in _walk(create_app().routes)})


def test_every_route_is_in_the_matrix():
    missing = [r for r in all_routes() if r not in MATRIX and r not in UNGUARDED]
    assert missing == [], f"routes without an authorization entry: {missing}"


def test_matrix_has_no_stale_entries():
    routes = set(all_routes())
    assert sorted(set(MATRIX) - routes) == []


@pytest.fixture(scope="module")
def world_connection(engine: Engine) -> Iterator[tuple[Connection, dict[str, Any]]]:
    """The world, built once for the whole matrix in a transaction of its own (rolled back at
    the end); each case runs inside a savepoint of it, rolled back after the case."""
    conn = engine.connect()
    outer = conn.begin()
    try:
        with Session(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as world_session:
            yield conn, build_world(world_session)
    finally:
        outer.rollback()
        conn.close()


@pytest.fixture()
def connection(world_connection: tuple[Connection, dict[str, Any]]) -> Iterator[Connection]:
    """The matrix's connection, inside a savepoint that undoes whatever the case wrote."""
    conn, _world = world_connection
    savepoint = conn.begin_nested()
    try:
        yield conn
    finally:
        if savepoint.is_active:
            savepoint.rollback()


@pytest.fixture()
def world(world_connection: tuple[Connection, dict[str, Any]]) -> dict[str, Any]:
    """The objects the routes' parameters are filled from (read for their ids only)."""
    return world_connection[1]


def build_world(session: Session) -> dict[str, Any]:
    """Two houses with their people, a meeting, a committee and a Haso-yte term."""
    house_a = make_house(session, name="Talo A")
    house_b = make_house(session, name="Talo B")
    house_c = make_house(session, name="Talo C")
    people: dict[str, Any] = {}
    people["resident_a"] = make_resident(session, house_a)
    people["member_a"] = make_resident(session, house_a)
    people["chair_a"] = make_resident(session, house_a)
    committee_a = make_committee(
        session,
        house_a,
        [(people["chair_a"], Position.chair), (people["member_a"], Position.member)],
    )
    people["resident_b"] = make_resident(session, house_b)
    people["chair_b"] = make_resident(session, house_b)
    make_committee(session, house_b, [(people["chair_b"], Position.chair)])
    people["yte"] = make_resident(session, house_c)
    make_committee(session, house_c, [(people["yte"], Position.chair)])
    term = make_yte_term(session, [(people["yte"], house_c)])
    people["manager_a"] = make_manager(session, house_a)
    people["manager_b"] = make_manager(session, house_b)
    people["adviser"] = make_staff(session, StaffKind.housing_adviser)
    people["management"] = make_staff(session, StaffKind.management)
    people["admin"] = make_staff(session, StaffKind.admin)
    meeting = ResidentMeeting(
        house_id=house_a.id,
        starts_at=utcnow() - timedelta(days=30),
        place="Kerhohuone",
        invitation_on=(utcnow() - timedelta(days=50)).date(),
    )
    session.add(meeting)
    session.flush()
    other = make_person(session)
    session.commit()
    found: dict[str, Any] = {
        "people": people,
        "house_a": house_a,
        "house_b": house_b,
        "committee_a": committee_a,
        "meeting_a": meeting,
        "term": term,
        "other_person": other,
    }
    for feature in FEATURES:
        found.update(feature.extend_world(session, found))
    session.commit()
    return found


# How to fill a path parameter, by the path's first segment and the parameter's name.
def _param(path: str, name: str, world: dict[str, Any]) -> str:
    section = path.strip("/").split("/")
    head = (
        section[0]
        if section[0] not in ("api", "admin")
        else section[2 if section[0] == "api" else 1]
    )
    values: dict[str, Callable[[], Any]] = {
        "house_id": lambda: world["house_a"].id,
        "meeting_id": lambda: world["meeting_a"].id,
        "committee_id": lambda: world["committee_a"].id,
        "term_id": lambda: world["term"].id,
        "person_id": lambda: world["people"]["resident_a"].id,
        "token": lambda: "not-a-real-token",
        "token_id": lambda: 999999,
        "kind": lambda: "management",
        "member_id": lambda: 999999,
        "residency_id": lambda: 999999,
        "name": lambda: "houses.csv",
    }
    for feature in FEATURES:
        values.update({k: (lambda f=f: f(world)) for k, f in feature.PARAMS.items()})
    if name == "id":
        by_section = {
            "houses": world["house_a"].id,
            "meetings": world["meeting_a"].id,
            "committees": world["committee_a"].id,
            "people": world["other_person"].id,
            "yte": world["term"].id,
            "terms": world["term"].id,
        }
        for feature in FEATURES:
            by_section.update({k: f(world) for k, f in feature.SECTIONS.items()})
        last_named = [s for s in section if not s.startswith("{")]
        for segment in reversed(last_named):
            if segment in by_section:
                return str(by_section[segment])
        return str(by_section.get(head, 1))
    if name in values:
        return str(values[name]())
    raise AssertionError(f"no value for path parameter {name} in {path}")


def _url(path: str, world: dict[str, Any]) -> str:
    parts = []
    for segment in path.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            parts.append(_param(path, segment[1:-1].split(":")[0], world))
        else:
            parts.append(segment)
    return "/".join(parts)


CASES = [(route, role) for route in sorted(MATRIX) for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{o}" for r, o in CASES])
def test_route_guard(route: str, role: str, app, session, world) -> None:
    method, path = route.split(" ", 1)
    allowed = role in MATRIX[route].allowed
    url = _url(path, world)
    is_api = path.startswith("/api/")
    with PortalClient(app) as client:
        headers: dict[str, str] = {}
        if role != "anonymous":
            person = world["people"][role]
            if is_api:
                headers = api_headers(session, person)
            else:
                client.login_as(session, person)
        if method == "GET":
            response = client.get(url, headers=headers)
        elif is_api:
            response = client.request(method, url, headers=headers, json={})
        else:
            response = client.request(
                method, url, headers=headers, data={"csrf_token": client.csrf()}
            )
    status = response.status_code
    location = response.headers.get("location", "")
    refused = status in (401, 403) or (status == 303 and location.startswith("/login?next="))
    if allowed:
        assert not refused, f"{role} was refused {route}: {status} {location}"
        assert status < 500
    else:
        assert refused or status == 404, f"{role} passed {route}: {status} {location}"
