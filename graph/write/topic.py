"""Writing the OpenAlex topic taxonomy: Domain, Field, Subfield and Topic nodes, and the PART_OF
edges that chain them (Topic -> Subfield -> Field -> Domain).

Two loaders write these nodes: the taxonomy CSV (`write_levels`, `write_topics`) and each
level's own OpenAlex entity records (`write_taxonomy_records`). A loaded record owns its node
(newest record wins, see graph.newest); the CSV fills and refreshes the nodes no
record owns and leaves the others alone, so the final graph does not depend on which of the two
was loaded first.

Every statement is an idempotent upsert on the constrained `id`, so the driver may retry a
batch and a re-run of the same file changes nothing. A node that moved to another parent keeps
only its new PART_OF edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import ManagedTransaction

from graph.newest import (
    DIGEST,
    newest_rows,
    record_row,
    stored,
    upsert_records_query,
)
from schema.labels import Label, Rel
from schema.topic import Domain, Field, Subfield, Topic

TaxonomyNode = Domain | Field | Subfield | Topic

# Each level and the level above it, top down.
PARENT: dict[Label, Label | None] = {
    Label.DOMAIN: None,
    Label.FIELD: Label.DOMAIN,
    Label.SUBFIELD: Label.FIELD,
    Label.TOPIC: Label.SUBFIELD,
}
_LABEL_OF: dict[type[TaxonomyNode], Label] = {
    Domain: Label.DOMAIN,
    Field: Label.FIELD,
    Subfield: Label.SUBFIELD,
    Topic: Label.TOPIC,
}


def upsert_level_query(label: Label, parent: Label | None) -> str:
    """Upsert nodes of one taxonomy level from `$rows` ({id, props, parent_id}) and link each
    to its parent, leaving the nodes a record owns alone; returns the number of rows linked as
    `linked`."""
    upsert = f"""
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
WITH n, row
WHERE n.{DIGEST} IS NULL
SET n += row.props
"""
    if parent is None:
        return upsert + "RETURN count(*) AS linked"
    return f"""{upsert}{_unlink(parent)}WITH n, row
MATCH (p:{parent} {{id: row.parent_id}})
MERGE (n)-[:{Rel.PART_OF}]->(p)
RETURN count(*) AS linked
"""


def _unlink(parent: Label) -> str:
    """Cypher: drop n's PART_OF edge to a `parent` other than row.parent_id. The stale edge is
    dropped before the new one is merged: OPTIONAL MATCH ... DELETE of nothing is a no-op, and
    the subquery keeps one row per input row."""
    return f"""WITH n, row
CALL (n, row) {{
  OPTIONAL MATCH (n)-[old:{Rel.PART_OF}]->(p:{parent})
  WHERE row.parent_id IS NULL OR p.id <> row.parent_id
  DELETE old
}}
"""


def link_records_query(label: Label, parent: Label) -> str:
    """Give each node of `$rows` ({id, parent_id}) exactly the PART_OF edge its record names
    (none when it names none, or the parent is not there)."""
    return f"""
UNWIND $rows AS row
MATCH (n:{label} {{id: row.id}})
{_unlink(parent)}WITH n, row
MATCH (p:{parent} {{id: row.parent_id}})
MERGE (n)-[:{Rel.PART_OF}]->(p)
"""


def create_missing_query(label: Label, parent: Label | None) -> str:
    """Create the nodes of `$rows` ({id, props, parent_id}) that do not exist yet, linked to
    their parent if it exists: the minimal view a lower level's record gives of the levels
    above it. An existing node is left as it is."""
    create = f"""
UNWIND $rows AS row
OPTIONAL MATCH (existing:{label} {{id: row.id}})
WITH row WHERE existing IS NULL
CREATE (n:{label} {{id: row.id}})
SET n += row.props
"""
    if parent is None:
        return create
    return f"""{create}WITH n, row
MATCH (p:{parent} {{id: row.parent_id}})
MERGE (n)-[:{Rel.PART_OF}]->(p)
"""


UPSERT_DOMAINS = upsert_level_query(Label.DOMAIN, None)
UPSERT_FIELDS = upsert_level_query(Label.FIELD, Label.DOMAIN)
UPSERT_SUBFIELDS = upsert_level_query(Label.SUBFIELD, Label.FIELD)
UPSERT_TOPICS = upsert_level_query(Label.TOPIC, Label.SUBFIELD)
UPSERT_RECORDS = {label: upsert_records_query(label) for label in PARENT}
LINK_RECORDS = {
    label: link_records_query(label, parent)
    for label, parent in PARENT.items()
    if parent is not None
}
CREATE_MISSING = {label: create_missing_query(label, parent) for label, parent in PARENT.items()}


def parent_id(node: TaxonomyNode) -> str | None:
    match node:
        case Domain():
            return None
        case Field():
            return node.domain_id
        case Subfield():
            return node.field_id
        case Topic():
            return node.subfield_id


def _row(node: TaxonomyNode, parent: str | None) -> dict[str, Any]:
    props = node.properties()
    return {"id": props.pop("id"), "props": props, "parent_id": parent}


def _view(level: Domain | Field | Subfield) -> dict[str, Any]:
    """A row for a record's minimal view of a level above it: only the values it has."""
    props = {k: v for k, v in stored(level.properties()).items() if v is not None}
    key = props.pop("id")
    label = _LABEL_OF[type(level)].value
    return {"label": label, "id": key, "props": props, "parent_id": parent_id(level)}


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
    """Upsert the three levels above topics, parents first; return the PART_OF edges written
    (field -> domain and subfield -> field)."""
    _linked(tx, UPSERT_DOMAINS, [_row(d, None) for d in domains])
    linked = _linked(tx, UPSERT_FIELDS, [_row(f, f.domain_id) for f in fields])
    return linked + _linked(tx, UPSERT_SUBFIELDS, [_row(s, s.field_id) for s in subfields])


def write_topics(tx: ManagedTransaction, topics: Sequence[Topic]) -> int:
    """Upsert one batch of topics (their subfields must exist); return the topic -> subfield
    PART_OF edges written."""
    rows = [_row(topic, topic.subfield_id) for topic in topics]
    return _linked(tx, UPSERT_TOPICS, rows)


def write_taxonomy_records(
    tx: ManagedTransaction,
    records: Sequence[tuple[TaxonomyNode, Sequence[Domain | Field | Subfield]]],
) -> int:
    """Upsert one batch of taxonomy records (any levels), each given as its node and its
    minimal views of the levels above it. A node is written with every value its record has
    where the record is at least as new as the stored one; for the records written, the levels
    above that are missing are created from those views, so that a record's PART_OF edge never
    waits for its parent's file, and a record too old to be written changes nothing. Returns
    how many records were written. Idempotent (a retried transaction)."""
    rows = newest_rows(
        record_row(
            node.properties(),
            parent_id=parent_id(node),
            label=_LABEL_OF[type(node)].value,
            above=[_view(level) for level in above],
        )
        for node, above in records
    )
    written: set[str] = set()
    for label in PARENT:
        level_rows = [r for r in rows if r["label"] == label]
        if level_rows:
            found = tx.run(UPSERT_RECORDS[label], rows=level_rows)
            written.update(str(r["id"]) for r in found)  # ids never repeat across levels
    kept = sorted((r for r in rows if r["id"] in written), key=lambda r: str(r["id"]))
    missing: dict[str, dict[str, dict[str, Any]]] = {label: {} for label in PARENT}
    for row in kept:
        for level in row["above"]:  # the first view of a node in the batch, as works do
            missing[level["label"]].setdefault(level["id"], level)
    for level_label, views in missing.items():
        if views:
            tx.run(CREATE_MISSING[Label(level_label)], rows=list(views.values())).consume()
    for label, query in LINK_RECORDS.items():
        links = [{"id": r["id"], "parent_id": r["parent_id"]} for r in kept if r["label"] == label]
        if links:
            tx.run(query, rows=links).consume()
    return len(kept)
