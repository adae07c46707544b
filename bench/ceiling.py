"""The ceiling: a bare Starlette app answering the benchmark's queries with hand-written SQL.

It resolves the same session cookie or bearer token as the portal and returns the same rows as
JSON, with no templates, ORM, policies or middleware: what the database and one Python process
can do at best. Run: BENCH_DATABASE_URL=... uvicorn bench.ceiling:app
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.db import make_engine
from app.security import token_hash

engine = make_engine(os.environ.get("BENCH_DATABASE_URL", "sqlite:///var/bench.db"))
SESSION_COOKIE = os.environ.get("BENCH_SESSION_COOKIE", "portal_session")


def _rows(conn: Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    statement = text(sql)
    for name, value in params.items():
        if isinstance(value, list | tuple):
            statement = statement.bindparams(bindparam(name, expanding=True))
    return [dict(row._mapping) for row in conn.execute(statement, params)]


def _user(conn: Connection, request: Request) -> int | None:
    now = datetime.now(UTC)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        found = conn.execute(
            text(
                "SELECT person_id FROM api_token WHERE token_hash = :h AND revoked_at IS NULL"
                " AND (expires_at IS NULL OR expires_at > :now)"
            ),
            {"h": token_hash(auth[7:]), "now": now},
        ).first()
    else:
        found = conn.execute(
            text("SELECT person_id FROM login_session WHERE token_hash = :h AND expires_at > :now"),
            {"h": token_hash(request.cookies.get(SESSION_COOKIE, "")), "now": now},
        ).first()
    return found[0] if found else None


def _houses(conn: Connection, me: int) -> tuple[list[int], list[int], bool]:
    today = date.today()
    lived = _rows(
        conn,
        "SELECT house_id FROM residency WHERE person_id = :me AND starts_on <= :d"
        " AND (ends_on IS NULL OR ends_on >= :d)",
        me=me,
        d=today,
    )
    seats = _rows(
        conn,
        "SELECT c.house_id, m.position FROM committee_member m"
        " JOIN resident_committee c ON c.id = m.committee_id"
        " WHERE m.person_id = :me AND c.term_start <= :d AND c.term_end >= :d",
        me=me,
        d=today,
    )
    managed = _rows(conn, "SELECT id AS house_id FROM house WHERE property_manager_id = :me", me=me)
    houses = sorted({r["house_id"] for r in lived + seats + managed}) or [-1]
    committee = sorted({r["house_id"] for r in seats}) or [-1]
    return houses, committee, any(r["position"] == "chair" for r in seats)


VISIBLE = """
 (
  (state = 'draft' OR (state = 'withdrawn' AND submitted_at IS NULL AND filed_by_id IS NOT NULL))
  AND (filed_by_id = :me OR suggested_by_id = :me)
 ) OR (
  (state IN ('suggested', 'declined')
   OR (state = 'withdrawn' AND submitted_at IS NULL AND filed_by_id IS NULL))
  AND (suggested_by_id = :me OR house_id IN :committee)
 ) OR (
  state NOT IN ('draft', 'suggested', 'declined')
  AND NOT (state = 'withdrawn' AND submitted_at IS NULL)
  AND (filed_by_id = :me OR suggested_by_id = :me OR assignee_id = :me
       OR (scope = 'house' AND house_id IN :houses) OR (scope = 'company' AND :chair))
 )
"""


def initiatives(request: Request) -> Response:
    with engine.connect() as conn:
        me = _user(conn, request)
        if me is None:
            return _json({"detail": "login"}, 401)
        houses, committee, chair = _houses(conn, me)
        params = {"me": me, "houses": houses, "committee": committee, "chair": chair}
        total = conn.execute(
            text(f"SELECT COUNT(*) FROM initiative WHERE {VISIBLE}").bindparams(  # noqa: S608
                bindparam("houses", expanding=True), bindparam("committee", expanding=True)
            ),
            params,
        ).scalar_one()
        items = _rows(
            conn,
            f"SELECT * FROM initiative WHERE {VISIBLE}"  # noqa: S608
            " ORDER BY created_at DESC, id DESC LIMIT 50",
            **params,
        )
    return _json({"total": total, "items": items})


def initiative(request: Request) -> Response:
    iid = int(request.path_params["initiative_id"])
    with engine.connect() as conn:
        if _user(conn, request) is None:
            return _json({"detail": "login"}, 401)
        found = _rows(conn, "SELECT * FROM initiative WHERE id = :i", i=iid)
        events = _rows(
            conn,
            "SELECT e.*, p.name FROM initiative_event e LEFT JOIN person p ON p.id = e.actor_id"
            " WHERE e.initiative_id = :i ORDER BY e.at, e.id",
            i=iid,
        )
        comments = _rows(
            conn,
            "SELECT c.*, p.name FROM initiative_comment c LEFT JOIN person p ON p.id = c.author_id"
            " WHERE c.initiative_id = :i ORDER BY c.created_at, c.id",
            i=iid,
        )
    return _json({"initiative": found, "events": events, "comments": comments})


def calendar(request: Request) -> Response:
    today = date.today()
    first = datetime(today.year, today.month, 1, tzinfo=UTC)
    last = (first + timedelta(days=32)).replace(day=1)
    with engine.connect() as conn:
        me = _user(conn, request)
        if me is None:
            return _json({"detail": "login"}, 401)
        houses, committee, chair = _houses(conn, me)
        events = _rows(
            conn,
            "SELECT * FROM calendar_event WHERE starts_at >= :a AND starts_at < :b AND ("
            " audience = 'all_residents' OR (audience = 'all_chairs' AND :chair)"
            " OR (audience = 'house_residents' AND (house_id IS NULL OR house_id IN :houses))"
            " OR (audience = 'house_committee' AND (house_id IS NULL OR house_id IN :committee))"
            ") ORDER BY starts_at, id",
            a=first - timedelta(hours=3),
            b=last,
            chair=chair,
            houses=houses,
            committee=committee,
        )
    return _json({"events": events})


def forum_session(request: Request) -> Response:
    sid = int(request.path_params["session_id"])
    with engine.connect() as conn:
        if _user(conn, request) is None:
            return _json({"detail": "login"}, 401)
        found = _rows(conn, "SELECT * FROM forum_session WHERE id = :s", s=sid)
        items = _rows(
            conn,
            "SELECT a.*, i.title AS initiative_title, i.state FROM agenda_item a"
            " LEFT JOIN initiative i ON i.id = a.initiative_id"
            " WHERE a.session_id = :s ORDER BY a.position, a.id",
            s=sid,
        )
    return _json({"session": found, "items": items})


def front(request: Request) -> Response:
    now = datetime.now(UTC)
    with engine.connect() as conn:
        me = _user(conn, request)
        if me is None:
            return _json({"detail": "login"}, 401)
        houses, _committee, _chair = _houses(conn, me)
        person = _rows(conn, "SELECT id, name, email FROM person WHERE id = :me", me=me)
        house_rows = _rows(
            conn, "SELECT id, name FROM house WHERE id IN :h ORDER BY name", h=houses
        )
        meetings = _rows(
            conn,
            "SELECT * FROM resident_meeting WHERE house_id IN :h AND starts_at >= :now"
            " ORDER BY starts_at",
            h=houses,
            now=now,
        )
        notes = _rows(
            conn,
            "SELECT n.id, i.title FROM notification n JOIN initiative i ON i.id = n.initiative_id"
            " WHERE n.person_id = :me AND n.read_at IS NULL ORDER BY n.created_at DESC LIMIT 20",
            me=me,
        )
    return _json(
        {"person": person, "houses": house_rows, "meetings": meetings, "notifications": notes}
    )


def finance(request: Request) -> Response:
    house = int(request.path_params["house_id"])
    year = date.today().year
    with engine.connect() as conn:
        if _user(conn, request) is None:
            return _json({"detail": "login"}, 401)
        rows = _rows(
            conn,
            "SELECT a.month, a.amount, g.code, g.name_fi FROM monthly_actual a"
            " JOIN cost_group g ON g.id = a.cost_group_id"
            " WHERE a.house_id = :h AND a.month >= :a AND a.month < :b"
            " ORDER BY g.position, a.month",
            h=house,
            a=date(year, 1, 1),
            b=date(year + 1, 1, 1),
        )
    return _json({"rows": rows})


class _Json(JSONResponse):
    """JSON with dates, datetimes and decimals as strings."""

    def render(self, content: Any) -> bytes:
        import json

        return json.dumps(content, default=str, separators=(",", ":")).encode()


def _json(content: Any, status: int = 200) -> Response:
    return _Json(content, status)


app = Starlette(
    routes=[
        Route("/initiatives", initiatives),
        Route("/initiatives/{initiative_id:int}", initiative),
        Route("/calendar", calendar),
        Route("/forum/sessions/{session_id:int}", forum_session),
        Route("/", front),
        Route("/houses/{house_id:int}/finances", finance),
    ]
)
