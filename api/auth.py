"""Who is asking: `Authorization: Bearer KEY` mapped to a role through the graph's ApiKey
nodes (created with `talentmap apikey create`), or the anonymous role when the settings grant
one (off by default).

Each request's key is looked up once, through a small cache in the process: a key found (or
not found) is trusted for `TALENTMAP_API_KEY_CACHE_SECONDS` (default 5 s), so a revoked key
stops working within that many seconds, without a Neo4j round trip on every request. The
cache holds digests, never keys, and is bounded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from graph.errors import GraphError
from graph.reader import Reader, ReadPool
from graph.write.apikey import api_keys_by_hash, touch_api_key
from schema.apikey import ApiKey, Role, key_hash

log = logging.getLogger("talentmap.api.auth")

MAX_CACHED = 10_000  # digests; the cache starts over when full (random keys cannot grow it)


@dataclass(frozen=True)
class Principal:
    """The caller of a request: a key's role and name, or anonymous."""

    role: Role
    name: str
    key_id: str | None = None
    district: str | None = None  # the key's district, for recruiters (schema/apikey.py)

    @property
    def anonymous(self) -> bool:
        return self.key_id is None

    def describe(self) -> str:
        """How error messages name the caller's role."""
        who = "anonymous access has" if self.anonymous else "your key has"
        return f"{who} {self.role}"


class UnauthenticatedError(Exception):
    """No usable key: the request is answered with HTTP 401 and this message."""


class KeyStore:
    """Finds the key of a secret, with a short cache (see the module docstring)."""

    def __init__(
        self,
        pool: ReadPool,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pool = pool
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}
        self._touches: set[asyncio.Task[None]] = set()  # kept until done (asyncio holds weakly)

    async def find(self, secret: str) -> ApiKey | None:
        digest = key_hash(secret)
        now = self._clock()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        reader = self._pool.reader()
        (key,) = await reader(api_keys_by_hash, [digest])
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        self._cache[digest] = (now + self._ttl, key)
        if key is not None and not key.revoked:
            # Bookkeeping only: beside the request, never holding or refusing it (a Neo4j
            # going down would otherwise cost the request a second wait).
            task = asyncio.create_task(self._touch(reader, key.id))
            self._touches.add(task)
            task.add_done_callback(self._touches.discard)
        return key

    @staticmethod
    async def _touch(reader: Reader, key_id: str) -> None:
        try:
            await reader.write(touch_api_key, key_id)
        except GraphError as e:
            log.warning("could not record the use of API key %s: %s", key_id, e)


async def authenticate(
    authorization: str | None, store: KeyStore, anonymous_role: Role | None
) -> Principal:
    """The caller for an `Authorization` header value (None when absent)."""
    if authorization is None or not authorization.strip():
        if anonymous_role is not None:
            return Principal(role=anonymous_role, name="anonymous")
        raise UnauthenticatedError(
            "an API key is required: send the header 'Authorization: Bearer KEY'"
        )
    scheme, _, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise UnauthenticatedError("the Authorization header must be 'Bearer KEY'")
    key = await store.find(secret)
    if key is None:
        raise UnauthenticatedError("unknown API key")
    if key.revoked:
        raise UnauthenticatedError(f"the API key {key.id} ({key.name}) was revoked")
    return Principal(role=key.role, name=key.name, key_id=key.id, district=key.district)
