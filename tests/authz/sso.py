"""Authorization matrix entries for the single sign-on routes.

Logging in is open to everyone: the start and the provider's return have no guard of their own
(the provider's answer, the state and the ID token are the proof, tested in
tests/routers/accounts/test_sso.py). In the matrix single sign-on is not configured, so every
role gets the same 404; nobody is sent to the login page or refused.
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from tests.authz.roles import EVERYONE, Rule

MATRIX: dict[str, Rule] = {
    "GET /login/sso": Rule(EVERYONE),
    "GET /login/sso/callback": Rule(EVERYONE),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """Objects the routes below need: none."""
    return {}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
