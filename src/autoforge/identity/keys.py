"""API key material: generation, the salted hash that is stored, and verification. Pure.

A secret reads `sk-afn-<lookup><secret>`: `lookup` (16 hex characters) finds the key's row
by an index without storing anything that verifies it, and only the salted SHA-256 of the
whole secret is kept. The secret is shown once, at creation; afterwards only its display
form (`sk-afn-…abcd`) is.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PUBLIC_PREFIX = "pk-afn-"
SECRET_PREFIX = "sk-afn-"
_LOOKUP_CHARS = 16
_SECRET_CHARS = 32


@dataclass(frozen=True, slots=True)
class NewKey:
    public_key: str
    secret: str
    lookup: str
    salt: str
    secret_hash: str
    display: str


def generate() -> NewKey:
    public_key = PUBLIC_PREFIX + secrets.token_hex(12)
    lookup = secrets.token_hex(_LOOKUP_CHARS // 2)
    secret = SECRET_PREFIX + lookup + secrets.token_urlsafe(24)[:_SECRET_CHARS]
    salt = secrets.token_hex(16)
    return NewKey(
        public_key=public_key,
        secret=secret,
        lookup=lookup,
        salt=salt,
        secret_hash=hash_secret(secret, salt),
        display=display(secret),
    )


def hash_secret(secret: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def lookup_of(secret: str) -> str | None:
    """The row-finding part of a secret, or None when it is not shaped like one of ours."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    body = secret[len(SECRET_PREFIX) :]
    if len(body) != _LOOKUP_CHARS + _SECRET_CHARS:
        return None
    return body[:_LOOKUP_CHARS]


def matches(secret: str, salt: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret, salt), secret_hash)


def display(secret: str) -> str:
    return f"{SECRET_PREFIX}…{secret[-4:]}"
