"""Push lists in the graph: `(:PushList)-[:FOR_DISTRICT]->(:District)`, each following the
previous list of the same district and segment (`FOLLOWS`). Versions count per district and
segment; the write takes the district's lock first (`SET d._lock`), so two pushes at once get
consecutive versions, and reads the previous list in the same transaction to mark what is new.
Entries (rank, entity, score, reasons) are JSON text on the node: a list is written once and
never changed. The id comes from the caller, so a retried transaction writes it once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.read.push import PUSH_PROJECTION, push_list_from_row
from schema.labels import Label, Rel
from schema.push import PushList, Recommendation, entries

LOCK_DISTRICT = f"MATCH (d:{Label.DISTRICT} {{id: $district}}) SET d._lock = true RETURN d.id"
UNLOCK_DISTRICT = f"MATCH (d:{Label.DISTRICT} {{id: $district}}) REMOVE d._lock"
READ_PUSH = f"MATCH (p:{Label.PUSH_LIST} {{id: $id}}) RETURN {PUSH_PROJECTION} AS p"
LATEST_PUSH = f"""
MATCH (p:{Label.PUSH_LIST} {{district: $district, segment: $segment}})
RETURN {PUSH_PROJECTION} AS p
ORDER BY p.version DESC
LIMIT 1
"""
SAVE_PUSH = f"""
MATCH (d:{Label.DISTRICT} {{id: $props.district}})
MERGE (p:{Label.PUSH_LIST} {{id: $id}})
ON CREATE SET p += $props, p.pushed_at = datetime($pushed_at), p.as_of = date($as_of)
MERGE (p)-[:{Rel.FOR_DISTRICT}]->(d)
WITH p
OPTIONAL MATCH (prev:{Label.PUSH_LIST} {{id: $previous}})
FOREACH (_ IN CASE WHEN prev IS NULL THEN [] ELSE [1] END | MERGE (p)-[:{Rel.FOLLOWS}]->(prev))
"""


async def _one(tx: AsyncManagedTransaction, query: str, **params: Any) -> dict[str, Any] | None:
    record = await (await tx.run(query, params)).single()
    return None if record is None else dict(record)


async def write_push_list(
    tx: AsyncManagedTransaction,
    *,
    push_id: str,
    district: str,
    segment: str,
    segment_name: str | None,
    segment_name_zh: str | None = None,
    ranked: Sequence[Recommendation],
    as_of: date,
    pushed_at: datetime,
    pushed_by: str,
) -> PushList:
    """The next version of the district's push list for the segment, from `ranked`."""
    if await _one(tx, LOCK_DISTRICT, district=district) is None:
        raise LookupError(f"no district has the id {district!r}")
    existing = await _one(tx, READ_PUSH, id=push_id)
    if existing is not None:  # a retried transaction
        await tx.run(UNLOCK_DISTRICT, district=district)
        return push_list_from_row(existing["p"])
    row = await _one(tx, LATEST_PUSH, district=district, segment=segment)
    previous = None if row is None else push_list_from_row(row["p"])
    push = PushList(
        id=push_id,
        district=district,
        segment=segment,
        segment_name=segment_name,
        segment_name_zh=segment_name_zh,
        version=1 if previous is None else previous.version + 1,
        as_of=as_of,
        pushed_at=pushed_at,
        pushed_by=pushed_by,
        previous_id=None if previous is None else previous.id,
        entries=entries(ranked, previous),
    )
    props = push.model_dump(mode="json", exclude={"id", "entries", "as_of", "pushed_at"})
    props["entries"] = json.dumps(
        [e.model_dump(mode="json") for e in push.entries], ensure_ascii=False
    )
    await tx.run(
        SAVE_PUSH,
        id=push.id,
        props=props,
        pushed_at=pushed_at.isoformat(),
        as_of=as_of.isoformat(),
        previous=push.previous_id,
    )
    await tx.run(UNLOCK_DISTRICT, district=district)
    return push
