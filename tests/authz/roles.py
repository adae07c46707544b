"""The roles of the authorization matrix and the sets of them that routes allow."""

from dataclasses import dataclass

ROLES = [
    "anonymous",
    "resident_a",
    "member_a",
    "chair_a",
    "manager_a",
    "resident_b",
    "chair_b",
    "manager_b",
    "yte",
    "adviser",
    "management",
    "admin",
]

EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
OVERSEERS = {"management", "admin"}
ADMIN = {"admin"}
HOUSE_A_MANAGERS = {"manager_a"} | OVERSEERS
HOUSE_A_ORGANISERS = {"member_a", "chair_a"} | HOUSE_A_MANAGERS
HOUSE_A_RESIDENTS_VIEW = HOUSE_A_ORGANISERS
HOUSE_A_MEMBERS = {"resident_a"} | HOUSE_A_ORGANISERS


@dataclass
class Rule:
    """Who passes a route's guard."""

    allowed: set[str]
