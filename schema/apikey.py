"""API keys and the roles they grant. No I/O: generating, hashing and describing keys.

A key is a long random secret (256 bits) shown once to its owner; the graph keeps only its
SHA-256. A fast, unsalted hash is the right tool here, unlike for passwords: slow, salted
hashes (bcrypt, argon2) protect low-entropy secrets from guessing, but nobody can guess 2**256
values, and an unsalted digest lets a request find its key with one indexed lookup instead of
a slow hash per request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

KEY_PREFIX = "tmk_"  # recognisable in logs and secret scanners


class Role(StrEnum):
    """What a key may see; each role includes the ones before it."""

    VIEWER = "viewer"
    RECRUITER = "recruiter"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        """Whether this role may do what `other` may."""
        return self.rank >= other.rank


class ApiKey(BaseModel):
    """A stored key, as the graph describes it: never the secret, never its hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    role: Role
    # A recruiter's key bound to a district (or a city) also edits that district's cases.
    district: str | None = None
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def new_secret() -> str:
    """A fresh key: the prefix and 32 random bytes, URL-safe."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def new_key_id() -> str:
    """A short public id to name a key in lists and `revoke` (not a secret)."""
    return "key_" + secrets.token_hex(6)


def key_hash(secret: str) -> str:
    """The stored form of a key (see the module docstring for why SHA-256 suffices)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
