"""The secret-ballot mechanism: a participation record and an anonymous ballot, stored apart.

A vote writes two things in one transaction: the record that the voter (a house, a person) has
taken part, whose unique key refuses a second vote, and the ballot, which carries a random UUID,
the hash of a receipt code and the marks, and nothing that names the voter or tells the time.
The receipt code is shown once to the voter; only its hash is kept, so the voter can later check
that a ballot with that code was counted, and nobody else can tell whose ballot it is.
"""

import hashlib
import random
import secrets
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

# Crockford's base32 without look-alikes: easy to copy from a screen or read aloud.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_GROUPS = 4
_GROUP_LENGTH = 4


class AlreadyVoted(Exception):
    """The voter's participation record already exists: nothing was stored."""


def new_receipt() -> str:
    """A random receipt code, e.g. 7K2M-Q9XA-4RTD-P0BN (80 bits)."""
    chars = [secrets.choice(_ALPHABET) for _ in range(_GROUPS * _GROUP_LENGTH)]
    groups = ["".join(chars[i : i + _GROUP_LENGTH]) for i in range(0, len(chars), _GROUP_LENGTH)]
    return "-".join(groups)


def normalise_receipt(code: str) -> str:
    """A receipt code as typed, without spaces and dashes, in capitals, look-alikes mapped."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))


def receipt_hash(code: str) -> str:
    """The hash stored on a ballot for its receipt code."""
    return hashlib.sha256(("ballot-receipt:" + normalise_receipt(code)).encode()).hexdigest()


def cast(session: Session, participation: SQLModel, ballot_rows: Sequence[SQLModel]) -> None:
    """Store a participation record and its anonymous ballot together, or neither.

    The participation record goes first inside a savepoint: when the database's unique key says
    the voter already took part (a second tab, a second device, a double click), nothing of the
    ballot is written and AlreadyVoted is raised. The caller's transaction commits both.
    """
    try:
        with session.begin_nested():
            session.add(participation)
    except IntegrityError as exc:
        raise AlreadyVoted() from exc
    with session.begin_nested():
        for row in ballot_rows:  # in order: a ballot before its marks (no ORM relationships)
            session.add(row)
            session.flush()


T = TypeVar("T")


def shuffled(rows: Sequence[T], seed: int | None = None) -> list[T]:
    """Rows in a random order, so that rewriting them leaves no trace of the order of voting."""
    out = list(rows)
    random.Random(seed if seed is not None else secrets.randbits(64)).shuffle(out)
    return out
