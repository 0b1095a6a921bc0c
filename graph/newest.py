"""Newest record wins: the rule by which an entity's own record (an OpenAlex Source, Funder,
Topic, Domain, ... record) owns its node, whatever order records are loaded in.

A record replaces the stored one when its `updated_at` (compared as the stored ISO strings) is
later, or equal with a content digest at least as large, so even two different records of the
same date converge whatever their order; the same content again is rewritten to the same
values. A record without a date loses to any dated one. A node no record has written yet
(created by a work, with only the work's minimal view of it) has no digest and is always
taken over. `openalex_digest` on a node is both the tie-break and the mark of a node a record
owns.

(graph.write.scientist, catalog and taxonomy use it.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from schema.labels import Label

DIGEST = "openalex_digest"


def newer_record(node: str = "n", row: str = "row") -> str:
    """Cypher: `row` ({updated_at, digest}) is at least as new as what `node` holds."""
    stored = f"coalesce({node}.updated_at, '')"
    return (
        f"({node}.{DIGEST} IS NULL OR {row}.updated_at > {stored} "
        f"OR ({row}.updated_at = {stored} AND {row}.digest >= {node}.{DIGEST}))"
    )


def upsert_records_query(label: Label) -> str:
    """Upsert `$rows` ({id, props, updated_at, digest}, see `record_row`) of one label where
    each is at least as new as the stored record; returns the ids written."""
    return f"""
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
WITH n, row
WHERE {newer_record()}
SET n += row.props, n.{DIGEST} = row.digest
RETURN n.id AS id
"""


def stored(props: dict[str, Any]) -> dict[str, Any]:
    """Values as the node keeps them: an empty list is no value (the property is removed), so
    a record that lists nothing and one that omits the key store the same."""
    return {key: (None if value == [] else value) for key, value in props.items()}


def digest(*parts: Any) -> str:
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def record_row(props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """`{id, props, updated_at, digest, **extra}` for a node's full properties (its `id`
    included): every value the record has, and null for the others, so the record replaces
    what was stored. `extra` (parent ids, say) is part of the digest."""
    values = stored(props)
    key = values.pop("id")
    return {
        "id": key,
        "props": values,
        # '' sorts before every date: a record without one loses to any dated record.
        "updated_at": values.get("updated_at") or "",
        "digest": digest(values, extra),
        **extra,
    }


def newest_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per id, the one the graph would keep (see `newer_record`): the same node twice
    in a batch ends as it would across batches."""
    kept: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen = kept.get(row["id"])
        if seen is None or (row["updated_at"], row["digest"]) >= (
            seen["updated_at"],
            seen["digest"],
        ):
            kept[row["id"]] = row
    return list(kept.values())
