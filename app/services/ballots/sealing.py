"""Sealed ballots and answers: encrypted when cast, opened only in one shuffled batch.

Whoever holds the database, a backup or a log at any moment must not be able to tell which
ballot a house cast. Rows written one vote at a time always betray their order (PostgreSQL's
ctid and xmin, SQLite's rowid and write-ahead-log frames, the order of a dump), and that order
matches the order of the participation records and of the audit log. So a ballot is never
written in the clear while the voting goes on: it is sealed (libsodium's sealed box:
X25519 + XSalsa20-Poly1305 with a throw-away sender key) to a public key, and padded to a size
that is the same for every ballot of the election, so that neither its content nor its length
tells anything. At the count all sealed ballots are opened in memory and written in the clear
in a random order in one transaction, and the sealed rows are deleted.

Elections: the private key is kept only locked under a counting key (argon2id, then a secret
box) that the portal generates when the election is created, shows once and never stores. The
votes cannot be counted without it; the locked private key is erased at the count.

Anonymous surveys show live results, so the server must be able to read their answers while
they are open: their private key is derived from the portal's secret key (PORTAL_SECRET_KEY),
which is not in the database. A database file or backup alone therefore links no answer to a
person; the answers are opened and shuffled when the survey closes.
"""

import base64
import hashlib
import json
import secrets
import struct
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

from app.config import get_settings

# Crockford's base32 without look-alikes, as for receipts.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_KEY_GROUPS = 6  # 6 × 4 characters × 5 bits = 120 bits
_SALT_BYTES = 16
# argon2id as OWASP recommends at the least (19 MiB, two passes): the counting key is random
# and long, so this only makes guessing pointless even for a short-cut copy of the key.
_ARGON2 = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1, "hash_len": 32}
_LENGTH = struct.Struct(">I")


class WrongKey(Exception):
    """The counting key does not open the election's locked private key."""


class DamagedSeal(Exception):
    """A sealed row cannot be opened with the right key: it was altered."""


def new_counting_key() -> str:
    """A random counting key, e.g. 7K2M-Q9XA-4RTD-P0BN-H3WE-9C1F (120 bits)."""
    chars = [secrets.choice(_ALPHABET) for _ in range(_KEY_GROUPS * 4)]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, len(chars), 4))


def normalise_key(code: str) -> str:
    """A key as typed: without spaces and dashes, in capitals, look-alikes mapped."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _box_key(counting_key: str, salt: bytes) -> bytes:
    secret = normalise_key(counting_key).encode("ascii")
    return hash_secret_raw(secret, salt, type=Type.ID, **_ARGON2)


def new_key_pair(counting_key: str) -> tuple[str, str]:
    """A new key pair for an election: (public key, private key locked under the counting key),
    both as base64 text for the database."""
    private = PrivateKey.generate()
    salt = secrets.token_bytes(_SALT_BYTES)
    locked = SecretBox(_box_key(counting_key, salt)).encrypt(bytes(private))
    return _b64(bytes(private.public_key)), _b64(salt + bytes(locked))


def unlock(locked: str, counting_key: str) -> PrivateKey:
    """The election's private key from its locked form and the counting key, or WrongKey."""
    raw = _unb64(locked)
    salt, box = raw[:_SALT_BYTES], raw[_SALT_BYTES:]
    try:
        return PrivateKey(SecretBox(_box_key(counting_key, salt)).decrypt(box))
    except CryptoError as exc:
        raise WrongKey() from exc


def survey_private_key(survey_id: int) -> PrivateKey:
    """An anonymous survey's private key, derived from the portal's secret key (not stored)."""
    secret = hashlib.sha256(get_settings().secret_key.encode()).digest()
    seed = hashlib.blake2b(
        str(survey_id).encode(), key=secret, person=b"portal-survey", digest_size=32
    ).digest()
    return PrivateKey(seed)


def public_key_of(private: PrivateKey) -> str:
    """A private key's public key as base64 text."""
    return _b64(bytes(private.public_key))


def seal(public_key: str, content: Any, size: int) -> bytes:
    """JSON content sealed to a public key, padded to exactly `size` bytes before sealing."""
    data = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    if len(data) + _LENGTH.size > size:
        raise ValueError("sealed content larger than its fixed size")
    padded = _LENGTH.pack(len(data)) + data + bytes(size - _LENGTH.size - len(data))
    return SealedBox(PublicKey(_unb64(public_key))).encrypt(padded)


def open_sealed(private: PrivateKey, sealed: bytes) -> Any:
    """The JSON content of a sealed row, or DamagedSeal."""
    try:
        padded = SealedBox(private).decrypt(bytes(sealed))
        (length,) = _LENGTH.unpack_from(padded)
        return json.loads(padded[_LENGTH.size : _LENGTH.size + length])
    except (CryptoError, ValueError, struct.error) as exc:
        raise DamagedSeal() from exc


def ballot_size(max_choices: int) -> int:
    """The padded size of an election's ballots: room for the receipt hash and the most marks."""
    return 128 + 24 * max_choices
