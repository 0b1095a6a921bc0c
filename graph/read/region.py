"""Reading the region profile's places (districts, with their focus industries), batched by key
for per-request DataLoaders. (`graph.write.region` writes them.)"""

from __future__ import annotations

from collections.abc import Sequence

from graph.nodes import model_or_none
from graph.reader import Tx, fetch
from schema.labels import Label, Rel
from schema.region import Region, RegionKind

DISTRICTS_BY_ID = f"""
UNWIND $ids AS key
OPTIONAL MATCH (d:{Label.DISTRICT} {{id: key}})
OPTIONAL MATCH (d)-[:{Rel.LOCATED_IN}]->(c:{Label.CITY})
OPTIONAL MATCH (d)-[:{Rel.FOCUSES_ON}]->(i:{Label.INDUSTRY})
WITH key, d, c, i ORDER BY i.id
RETURN key, properties(d) AS props, c.id AS parent_id, collect(i.id) AS industry_ids
"""


async def districts_by_id(tx: Tx, ids: Sequence[str]) -> list[Region | None]:
    """Each district with its city and the industries it focuses on (those in the graph)."""
    rows = {r["key"]: r for r in await fetch(tx, DISTRICTS_BY_ID, ids=list(ids))}
    result: list[Region | None] = []
    for key in ids:
        row = rows.get(key)
        if row is None or row["props"] is None:
            result.append(None)
            continue
        props = {
            **row["props"],
            "kind": RegionKind.DISTRICT,
            "parent_id": row["parent_id"],
            "industry_ids": row["industry_ids"],
        }
        result.append(model_or_none(Region, props))
    return result
