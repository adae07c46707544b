"""Authorization matrix entries for the newsletters routes.

The newsletter in the world is a draft bulletin of house A: its writers (the house's committee,
its property manager, management and administrators) pass; a draft is nobody else's to read.
Readers of sent newsletters per audience are checked in tests/routers/mail/test_newsletters.py.
The unsubscribe pages need no login (the signed token is the proof): a made-up token is 404.
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.models.newsletters import Newsletter, NewsletterKind
from tests.authz.roles import EVERYONE, HOUSE_A_ORGANISERS, LOGGED_IN, Rule

# Whoever may write some newsletter: management, administrators, property managers and the
# members of a committee (member_a, chair_a, chair_b, and yte, who chairs house C).
WRITERS = {"member_a", "chair_a", "chair_b", "yte", "manager_a", "manager_b"} | {
    "management",
    "admin",
}

MATRIX: dict[str, Rule] = {
    "GET /newsletters": Rule(LOGGED_IN),
    "GET /newsletters/new": Rule(WRITERS),
    "POST /newsletters/new": Rule(WRITERS),
    "GET /newsletters/{newsletter_id}": Rule(HOUSE_A_ORGANISERS),
    "GET /newsletters/{newsletter_id}/edit": Rule(HOUSE_A_ORGANISERS),
    "POST /newsletters/{newsletter_id}/edit": Rule(HOUSE_A_ORGANISERS),
    "POST /newsletters/{newsletter_id}/preview": Rule(HOUSE_A_ORGANISERS),
    "POST /newsletters/{newsletter_id}/test": Rule(HOUSE_A_ORGANISERS),
    "GET /newsletters/{newsletter_id}/confirm": Rule(HOUSE_A_ORGANISERS),
    "POST /newsletters/{newsletter_id}/schedule": Rule(HOUSE_A_ORGANISERS),
    "POST /newsletters/{newsletter_id}/cancel": Rule(HOUSE_A_ORGANISERS),
    "GET /unsubscribe/{token}": Rule(EVERYONE),
    "POST /unsubscribe/{token}": Rule(EVERYONE),
    "GET /api/v1/newsletters": Rule(LOGGED_IN),
    "GET /api/v1/newsletters/{newsletter_id}": Rule(HOUSE_A_ORGANISERS),
    "POST /api/v1/newsletters": Rule(WRITERS),
    "GET /api/v1/newsletters/{newsletter_id}/reach": Rule(HOUSE_A_ORGANISERS),
    "POST /api/v1/newsletters/{newsletter_id}/send": Rule(HOUSE_A_ORGANISERS),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """A draft bulletin of house A."""
    newsletter = Newsletter(
        kind=NewsletterKind.house,
        house_id=world["house_a"].id,
        title="Pihatalkoot",
        body_md="Tervetuloa **talkoisiin**.",
        created_by_id=world["people"]["chair_a"].id,
    )
    session.add(newsletter)
    session.flush()
    return {"newsletter": newsletter}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "newsletter_id": lambda world: world["newsletter"].id,
}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
