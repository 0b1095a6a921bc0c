"""Reading industries and their chains, batched by key for per-request DataLoaders.
(`graph.write.industry` writes them.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.nodes import model_or_none
from graph.reader import Tx, fetch
from schema.industry import ChainSegment, Industry
from schema.labels import Label, Rel
from schema.topic import Subfield, Topic


@dataclass(frozen=True)
class SegmentNeeds:
    """What a chain segment NEEDS in the graph: topics and subfields (those loaded)."""

    topics: tuple[Topic, ...]
    subfields: tuple[Subfield, ...]


INDUSTRIES_BY_ID = f"""
UNWIND $ids AS key
OPTIONAL MATCH (i:{Label.INDUSTRY} {{id: key}})
RETURN key, properties(i) AS props
"""
SEGMENTS_BY_ID = f"""
UNWIND $ids AS key
OPTIONAL MATCH (s:{Label.CHAIN_SEGMENT} {{id: key}})
RETURN key, properties(s) AS props
"""
SEGMENTS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.INDUSTRY} {{id: key}})<-[:{Rel.PART_OF}]-(s:{Label.CHAIN_SEGMENT})
WITH key, s ORDER BY s.order, s.id
RETURN key, collect(properties(s)) AS items
"""
NEEDS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.CHAIN_SEGMENT} {{id: key}})-[:{Rel.NEEDS}]->(t)
WITH key, t ORDER BY t.id
RETURN key,
       collect(CASE WHEN t:{Label.TOPIC} THEN properties(t) END) AS topics,
       collect(CASE WHEN t:{Label.SUBFIELD} THEN properties(t) END) AS subfields
"""


async def industries_by_id(tx: Tx, ids: Sequence[str]) -> list[Industry | None]:
    rows = {r["key"]: r["props"] for r in await fetch(tx, INDUSTRIES_BY_ID, ids=list(ids))}
    return [model_or_none(Industry, rows.get(key)) for key in ids]


async def segments_by_id(tx: Tx, ids: Sequence[str]) -> list[ChainSegment | None]:
    rows = {r["key"]: r["props"] for r in await fetch(tx, SEGMENTS_BY_ID, ids=list(ids))}
    return [model_or_none(ChainSegment, rows.get(key)) for key in ids]


async def segments(tx: Tx, ids: Sequence[str]) -> list[list[ChainSegment]]:
    """Each industry's segments in chain order (from upstream)."""
    rows = {r["key"]: r["items"] for r in await fetch(tx, SEGMENTS, ids=list(ids))}
    result = []
    for key in ids:
        models = (model_or_none(ChainSegment, props) for props in rows.get(key) or [])
        result.append([m for m in models if m is not None])
    return result


async def needs(tx: Tx, ids: Sequence[str]) -> list[SegmentNeeds]:
    """Each segment's topics and subfields, by id."""
    rows = {r["key"]: r for r in await fetch(tx, NEEDS, ids=list(ids))}
    result = []
    for key in ids:
        row = rows.get(key) or {"topics": [], "subfields": []}
        topics = (model_or_none(Topic, props) for props in row["topics"])
        subfields = (model_or_none(Subfield, props) for props in row["subfields"])
        result.append(
            SegmentNeeds(
                tuple(t for t in topics if t is not None),
                tuple(s for s in subfields if s is not None),
            )
        )
    return result
