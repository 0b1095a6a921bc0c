"""Writing the OpenAlex topic taxonomy: Domain, Field, Subfield and Topic nodes, and the PART_OF
edges that chain them (Topic -> Subfield -> Field -> Domain).

Every statement is an idempotent upsert on the constrained `id`, so the driver may retry a
batch and a re-run of the same file changes nothing. A node that moved to another parent keeps
only its new PART_OF edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import ManagedTransaction

from schema.labels import Label, Rel
from schema.topic import Domain, Field, Subfield, Topic


def upsert_level_query(label: Label, parent: Label | None) -> str:
    """Upsert nodes of one taxonomy level from `$rows` ({id, props, parent_id}) and link each to
    its parent; returns the number of rows linked as `linked`."""
    if parent is None:
        return (
            f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row.props "
            "RETURN count(*) AS linked"
        )
    # The stale edge is dropped before the new one is merged: OPTIONAL MATCH ... DELETE of
    # nothing is a no-op, and the subquery keeps one row per input row.
    return f"""
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
SET n += row.props
WITH n, row
CALL (n, row) {{
  OPTIONAL MATCH (n)-[old:{Rel.PART_OF}]->(p:{parent})
  WHERE row.parent_id IS NULL OR p.id <> row.parent_id
  DELETE old
}}
WITH n, row
MATCH (p:{parent} {{id: row.parent_id}})
MERGE (n)-[:{Rel.PART_OF}]->(p)
RETURN count(*) AS linked
"""


UPSERT_DOMAINS = upsert_level_query(Label.DOMAIN, None)
UPSERT_FIELDS = upsert_level_query(Label.FIELD, Label.DOMAIN)
UPSERT_SUBFIELDS = upsert_level_query(Label.SUBFIELD, Label.FIELD)
UPSERT_TOPICS = upsert_level_query(Label.TOPIC, Label.SUBFIELD)


def _row(node: Domain | Field | Subfield | Topic, parent_id: str | None) -> dict[str, Any]:
    props = node.properties()
    return {"id": props.pop("id"), "props": props, "parent_id": parent_id}


def _linked(tx: ManagedTransaction, query: str, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    record = tx.run(query, rows=rows).single(strict=True)
    return int(record["linked"])


def write_levels(
    tx: ManagedTransaction,
    domains: Sequence[Domain],
    fields: Sequence[Field],
    subfields: Sequence[Subfield],
) -> int:
    """Upsert the three levels above topics, parents first; return the PART_OF edges in place
    (field -> domain and subfield -> field)."""
    _linked(tx, UPSERT_DOMAINS, [_row(d, None) for d in domains])
    linked = _linked(tx, UPSERT_FIELDS, [_row(f, f.domain_id) for f in fields])
    return linked + _linked(tx, UPSERT_SUBFIELDS, [_row(s, s.field_id) for s in subfields])


def write_topics(tx: ManagedTransaction, topics: Sequence[Topic]) -> int:
    """Upsert one batch of topics (their subfields must exist); return the topic -> subfield
    PART_OF edges in place."""
    rows = [_row(topic, topic.subfield_id) for topic in topics]
    return _linked(tx, UPSERT_TOPICS, rows)
