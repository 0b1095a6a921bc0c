"""API keys in the graph: `(:ApiKey {id, name, role, hash, created_at, revoked_at,
last_used_at})`. Only the SHA-256 of a key is stored (see schema/apikey.py); nothing here ever
returns it.

The write functions run in the CLI's write transactions (idempotent, as the driver may retry
them); `api_key_by_hash` and `touch_api_key` serve the API's per-request key check.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from graph.reader import Tx, fetch
from schema.apikey import ApiKey, Role
from schema.labels import Label

# The fields of a key that leave the graph: everything but the hash, dates as ISO text.
_RETURN_KEY = """
RETURN k.id AS id, k.name AS name, k.role AS role, k.district AS district,
       toString(k.created_at) AS created_at,
       toString(k.revoked_at) AS revoked_at, toString(k.last_used_at) AS last_used_at
"""
CREATE_KEY = f"""
MERGE (k:{Label.API_KEY} {{id: $id}})
ON CREATE SET k.name = $name, k.role = $role, k.hash = $hash, k.district = $district,
              k.created_at = datetime($now)
{_RETURN_KEY}
"""
LIST_KEYS = f"MATCH (k:{Label.API_KEY}) {_RETURN_KEY} ORDER BY created_at, id"
# By id, or else by the name of the keys that are still active.
FIND_KEYS = f"""
MATCH (k:{Label.API_KEY})
WHERE k.id = $ref OR (k.name = $ref AND k.revoked_at IS NULL)
{_RETURN_KEY}
"""
REVOKE_KEY = f"""
MATCH (k:{Label.API_KEY} {{id: $id}})
SET k.revoked_at = coalesce(k.revoked_at, datetime($now))
{_RETURN_KEY}
"""
KEY_BY_HASH = f"""
UNWIND $hashes AS hash
OPTIONAL MATCH (k:{Label.API_KEY} {{hash: hash}})
WITH hash, k
{_RETURN_KEY.replace("RETURN ", "RETURN hash, ")}
"""
TOUCH_KEY = f"MATCH (k:{Label.API_KEY} {{id: $id}}) SET k.last_used_at = datetime($now)"


def _key(row: dict[str, Any]) -> ApiKey | None:
    if row["id"] is None:
        return None
    return ApiKey.model_validate({k: v for k, v in row.items() if k != "hash"})


def _now() -> str:
    return datetime.now(UTC).isoformat()


def create_api_key(
    tx: ManagedTransaction,
    *,
    key_id: str,
    name: str,
    role: Role,
    digest: str,
    district: str | None = None,
) -> ApiKey:
    """Store a new key under `key_id` (a retry of the same call changes nothing), bound to
    `district` when given (the caller checks it exists: `known_region`)."""
    row = tx.run(
        CREATE_KEY,
        id=key_id,
        name=name,
        role=str(role),
        hash=digest,
        district=district,
        now=_now(),
    )
    found = _key(row.single(strict=True).data())
    assert found is not None  # MERGE always yields the node
    return found


KNOWN_REGION = f"""
OPTIONAL MATCH (r {{id: $id}}) WHERE r:{Label.DISTRICT} OR r:{Label.CITY}
RETURN r IS NOT NULL AS known
"""


def known_region(tx: ManagedTransaction, region: str) -> bool:
    """Whether a district or city of the region profiles has this id."""
    return bool(tx.run(KNOWN_REGION, id=region).single(strict=True)["known"])


def list_api_keys(tx: ManagedTransaction) -> list[ApiKey]:
    """Every key, oldest first, revoked ones included."""
    return [k for r in tx.run(LIST_KEYS) if (k := _key(r.data())) is not None]


def find_api_keys(tx: ManagedTransaction, ref: str) -> list[ApiKey]:
    """The key with id `ref`, or the active keys named `ref`."""
    return [k for r in tx.run(FIND_KEYS, ref=ref) if (k := _key(r.data())) is not None]


def revoke_api_key(tx: ManagedTransaction, key_id: str) -> ApiKey | None:
    """Mark a key revoked (its first revocation time stays); None if no key has this id."""
    record = tx.run(REVOKE_KEY, id=key_id, now=_now()).single()
    return None if record is None else _key(record.data())


async def api_keys_by_hash(tx: Tx, digests: Sequence[str]) -> list[ApiKey | None]:
    """The keys whose secrets hash to `digests`, in order (None for unknown digests)."""
    rows = await fetch(tx, KEY_BY_HASH, hashes=list(digests))
    found = {r["hash"]: _key(r) for r in rows}
    return [found.get(d) for d in digests]


async def touch_api_key(tx: Tx, key_id: str) -> None:
    """Record that a key was used now (the API does this at most once per cache period)."""
    await fetch(tx, TOUCH_KEY, id=key_id, now=_now())
