"""Authorization matrix entries for the forum routes.

The session in the world is published, so every chair may read it; the unpublished session
(a 404 to the chairs) is checked in tests/routers/forum/test_pages.py and tests/api/test_forum.py.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from app.models.forum import AgendaItem, ItemKind
from app.models.initiatives import State
from app.models.types import utcnow
from tests.authz.roles import OVERSEERS, Rule
from tests.support import make_forum_session, make_initiative

# Management and administrators, Haso-yte and every sitting chair (chair_a, chair_b, yte).
FORUM_READERS = OVERSEERS | {"chair_a", "chair_b", "yte"}

MATRIX: dict[str, Rule] = {
    "GET /forum": Rule(FORUM_READERS),
    "GET /forum/sessions/new": Rule(OVERSEERS),
    "POST /forum/sessions/new": Rule(OVERSEERS),
    "GET /forum/sessions/{session_id}": Rule(FORUM_READERS),
    "GET /forum/sessions/{session_id}/print": Rule(FORUM_READERS),
    "GET /forum/sessions/{session_id}/calendar.ics": Rule(FORUM_READERS),
    "GET /forum/sessions/{session_id}/edit": Rule(OVERSEERS),
    "POST /forum/sessions/{session_id}/edit": Rule(OVERSEERS),
    "POST /forum/sessions/{session_id}/items": Rule(OVERSEERS),
    "POST /forum/sessions/{session_id}/items/from-initiative": Rule(OVERSEERS),
    "POST /forum/sessions/{session_id}/publish": Rule(OVERSEERS),
    "POST /forum/sessions/{session_id}/publish-minutes": Rule(OVERSEERS),
    "GET /forum/items/{item_id}/edit": Rule(OVERSEERS),
    "POST /forum/items/{item_id}/edit": Rule(OVERSEERS),
    "POST /forum/items/{item_id}/move": Rule(OVERSEERS),
    "POST /forum/items/{item_id}/remove": Rule(OVERSEERS),
    "GET /forum/items/{item_id}/minutes": Rule(OVERSEERS),
    "POST /forum/items/{item_id}/minutes": Rule(OVERSEERS),
    "GET /api/v1/forum/sessions": Rule(FORUM_READERS),
    "POST /api/v1/forum/sessions": Rule(OVERSEERS),
    "GET /api/v1/forum/sessions/{session_id}": Rule(FORUM_READERS),
    "PATCH /api/v1/forum/sessions/{session_id}": Rule(OVERSEERS),
    "GET /api/v1/forum/sessions/{session_id}/items": Rule(FORUM_READERS),
    "POST /api/v1/forum/sessions/{session_id}/items": Rule(OVERSEERS),
    "PUT /api/v1/forum/items/{item_id}/minutes": Rule(OVERSEERS),
    "POST /api/v1/forum/sessions/{session_id}/publish": Rule(OVERSEERS),
    "POST /api/v1/forum/sessions/{session_id}/publish-minutes": Rule(OVERSEERS),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """A published session with one initiative item, and an unpublished session."""
    initiative = make_initiative(session, world["people"]["yte"], state=State.received)
    published = make_forum_session(session, days_ahead=20, agenda_published_at=utcnow())
    item = AgendaItem(
        session_id=published.id,
        position=1,
        kind=ItemKind.initiative,
        initiative_id=initiative.id,
        title=initiative.title,
    )
    session.add(item)
    unpublished = make_forum_session(session, days_ahead=60, title="Kesän foorumi")
    published.updated_at = utcnow() - timedelta(minutes=1)
    session.add(published)
    session.flush()
    return {
        "forum_session": published,
        "forum_unpublished": unpublished,
        "forum_item": item,
        "forum_initiative": initiative,
    }


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "session_id": lambda world: world["forum_session"].id,
    "item_id": lambda world: world["forum_item"].id,
}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
