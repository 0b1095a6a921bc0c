"""Writing industrial chains: Industry and ChainSegment nodes, PART_OF (segment -> industry),
UPSTREAM_OF (each segment -> the next along its chain) and NEEDS (segment -> Topic or Subfield).

The curated file is the source of truth for nodes of its source: one call replaces the whole
set in one transaction. Industries and segments of that source missing from the input are
deleted with their relationships; links the input no longer lists are dropped. Every statement
is idempotent, so the driver may retry the transaction and a re-run changes nothing.

NEEDS edges go only to Topic and Subfield nodes that exist; the ids without a node are returned
so the caller can report them (load the taxonomy first, then re-run to link them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from neo4j import ManagedTransaction

from schema.industry import ChainSegment, Industry
from schema.labels import Label, Rel

CURATED_SOURCE = "talentmap"

DELETE_STALE_SEGMENTS = f"""
MATCH (s:{Label.CHAIN_SEGMENT} {{source: $source}})
WHERE NOT s.id IN $ids
WITH s, s.id AS id
DETACH DELETE s
RETURN id ORDER BY id
"""
DELETE_STALE_INDUSTRIES = f"""
MATCH (i:{Label.INDUSTRY} {{source: $source}})
WHERE NOT i.id IN $ids
WITH i, i.id AS id
DETACH DELETE i
RETURN id ORDER BY id
"""
UPSERT_INDUSTRIES = f"""
UNWIND $rows AS row
MERGE (i:{Label.INDUSTRY} {{id: row.id}})
SET i += row.props
"""
UPSERT_SEGMENTS = f"""
UNWIND $rows AS row
MATCH (i:{Label.INDUSTRY} {{id: row.industry_id}})
MERGE (s:{Label.CHAIN_SEGMENT} {{id: row.id}})
SET s += row.props, s.needs_derive = true
MERGE (s)-[:{Rel.PART_OF}]->(i)
RETURN count(*) AS linked
"""
# Order is the input's: links between this source's segments that are not consecutive pairs
# of the input go, the pairs are merged.
DROP_STALE_UPSTREAM = f"""
MATCH (a:{Label.CHAIN_SEGMENT} {{source: $source}})-[r:{Rel.UPSTREAM_OF}]->(b:{Label.CHAIN_SEGMENT})
WHERE NOT {{up: a.id, down: b.id}} IN $pairs
DELETE r
"""
LINK_UPSTREAM = f"""
UNWIND $pairs AS pair
MATCH (a:{Label.CHAIN_SEGMENT} {{id: pair.up}})
MATCH (b:{Label.CHAIN_SEGMENT} {{id: pair.down}})
MERGE (a)-[:{Rel.UPSTREAM_OF}]->(b)
RETURN count(*) AS linked
"""
DROP_STALE_NEEDS = f"""
UNWIND $rows AS row
MATCH (s:{Label.CHAIN_SEGMENT} {{id: row.id}})-[r:{Rel.NEEDS}]->(t)
WHERE NOT t.id IN row.target_ids
DELETE r
"""


def link_needs_query(label: Label) -> str:
    """Merge NEEDS from each segment to the `label` nodes of `row.target_ids` that exist."""
    return f"""
UNWIND $rows AS row
MATCH (s:{Label.CHAIN_SEGMENT} {{id: row.id}})
UNWIND row.target_ids AS target_id
MATCH (t:{label} {{id: target_id}})
MERGE (s)-[:{Rel.NEEDS}]->(t)
RETURN count(*) AS linked
"""


def missing_targets_query(label: Label) -> str:
    """Each (segment, id) pair of `row.target_ids` with no `label` node."""
    return f"""
UNWIND $rows AS row
UNWIND row.target_ids AS target_id
OPTIONAL MATCH (t:{label} {{id: target_id}})
WITH row, target_id, t
WHERE t IS NULL
RETURN row.id AS segment_id, target_id ORDER BY segment_id, target_id
"""


LINK_NEEDS_TOPICS = link_needs_query(Label.TOPIC)
LINK_NEEDS_SUBFIELDS = link_needs_query(Label.SUBFIELD)
MISSING_TOPICS = missing_targets_query(Label.TOPIC)
MISSING_SUBFIELDS = missing_targets_query(Label.SUBFIELD)


@dataclass(frozen=True)
class MissingTarget:
    """An id a segment needs that is not a node in the graph."""

    segment_id: str
    target_id: str


@dataclass(frozen=True)
class IndustrySync:
    industries: int
    segments: int
    upstream_of: int
    needs: int
    # Ids the file lists that are not nodes in the graph: no NEEDS edge for them (yet).
    missing_topics: tuple[MissingTarget, ...]
    missing_subfields: tuple[MissingTarget, ...]
    deleted_industries: tuple[str, ...]
    deleted_segments: tuple[str, ...]


def _props(node: Industry | ChainSegment) -> tuple[str, dict[str, Any]]:
    props = node.properties()
    return props.pop("id"), props


def _count(tx: ManagedTransaction, query: str, **params: Any) -> int:
    return int(tx.run(query, **params).single(strict=True)["linked"])


def _ids(tx: ManagedTransaction, query: str, **params: Any) -> tuple[str, ...]:
    return tuple(str(record["id"]) for record in tx.run(query, **params))


def _missing(
    tx: ManagedTransaction, query: str, rows: list[dict[str, Any]]
) -> tuple[MissingTarget, ...]:
    return tuple(
        MissingTarget(str(record["segment_id"]), str(record["target_id"]))
        for record in tx.run(query, rows=rows)
    )


def sync_industries(
    tx: ManagedTransaction,
    industries: Sequence[Industry],
    segments: Sequence[ChainSegment],
    *,
    source: str = CURATED_SOURCE,
) -> IndustrySync:
    """Make the graph's `source` industries and segments exactly `industries` and `segments`
    (each segment's industry among `industries`; segments in chain order within an industry)."""
    deleted_segments = _ids(tx, DELETE_STALE_SEGMENTS, source=source, ids=[s.id for s in segments])
    deleted_industries = _ids(
        tx, DELETE_STALE_INDUSTRIES, source=source, ids=[i.id for i in industries]
    )
    industry_rows = []
    for industry in industries:
        key, props = _props(industry)
        industry_rows.append({"id": key, "props": props})
    tx.run(UPSERT_INDUSTRIES, rows=industry_rows).consume()
    segment_rows = []
    for segment in segments:
        key, props = _props(segment)
        segment_rows.append({"id": key, "industry_id": segment.industry_id, "props": props})
    linked_segments = _count(tx, UPSERT_SEGMENTS, rows=segment_rows)

    ordered = sorted(segments, key=lambda s: (s.industry_id, s.order))
    pairs = [
        {"up": up.id, "down": down.id}
        for up, down in pairwise(ordered)
        if up.industry_id == down.industry_id
    ]
    tx.run(DROP_STALE_UPSTREAM, source=source, pairs=pairs).consume()
    upstream_of = _count(tx, LINK_UPSTREAM, pairs=pairs)

    tx.run(
        DROP_STALE_NEEDS,
        rows=[{"id": s.id, "target_ids": [*s.topic_ids, *s.subfield_ids]} for s in segments],
    ).consume()
    topic_rows = [{"id": s.id, "target_ids": list(s.topic_ids)} for s in segments]
    subfield_rows = [{"id": s.id, "target_ids": list(s.subfield_ids)} for s in segments]
    needs = _count(tx, LINK_NEEDS_TOPICS, rows=topic_rows)
    needs += _count(tx, LINK_NEEDS_SUBFIELDS, rows=subfield_rows)
    return IndustrySync(
        industries=len(industry_rows),
        segments=linked_segments,
        upstream_of=upstream_of,
        needs=needs,
        missing_topics=_missing(tx, MISSING_TOPICS, topic_rows),
        missing_subfields=_missing(tx, MISSING_SUBFIELDS, subfield_rows),
        deleted_industries=deleted_industries,
        deleted_segments=deleted_segments,
    )
