"""Writing works with their authorships, and reading a scientist's works.

Each batch is one transaction of idempotent statements (MERGE on constrained keys, SET of the
record's values), so the driver may retry it and a re-run of the same input changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import ManagedTransaction

from schema.institution import Institution
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.work import Authorship, Work

AUTHORSHIP_SOURCE = "openalex_authorship"

# People and institutions seen through a work: the view from the newest record wins (ties: the
# later one), so the result does not depend on how the input was cut into batches.
_NEWER_WINS = """
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
WITH n, row
WHERE n.updated_at IS NULL OR row.props.updated_at IS NULL OR row.props.updated_at >= n.updated_at
SET n += row.props
"""
UPSERT_SCIENTISTS = _NEWER_WINS.format(label=Label.SCIENTIST)
UPSERT_INSTITUTIONS = _NEWER_WINS.format(label=Label.INSTITUTION)
UPSERT_WORKS = f"UNWIND $rows AS row MERGE (n:{Label.WORK} {{id: row.id}}) SET n += row.props"
# A newer record of a work replaces its author list: links to people no longer listed go.
DROP_STALE_AUTHORSHIPS = f"""
UNWIND $rows AS row
MATCH (w:{Label.WORK} {{id: row.id}})<-[old:{Rel.AUTHORED}]-(s:{Label.SCIENTIST})
WHERE NOT s.id IN row.author_ids
DELETE old
RETURN DISTINCT s.id AS scientist_id
"""
UPSERT_AUTHORSHIPS = f"""
UNWIND $rows AS row
MATCH (s:{Label.SCIENTIST} {{id: row.scientist_id}})
MATCH (w:{Label.WORK} {{id: row.work_id}})
MERGE (s)-[r:{Rel.AUTHORED}]->(w)
SET r += row.props
"""
# AFFILIATED_WITH from authorships, recomputed for the scientists a batch touched: years span
# the works that list the institution; links no authorship supports any more are removed.
REFRESH_AUTHORSHIP_AFFILIATIONS = f"""
UNWIND $scientist_ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
CALL (s) {{
  OPTIONAL MATCH (s)-[a:{Rel.AUTHORED}]->(w:{Label.WORK})
  UNWIND coalesce(a.institution_ids, []) AS iid
  MATCH (i:{Label.INSTITUTION} {{id: iid}})
  WITH s, i, min(w.publication_year) AS first, max(w.publication_year) AS last,
       count(DISTINCT w) AS works
  MERGE (s)-[r:{Rel.AFFILIATED_WITH} {{source: $source}}]->(i)
  SET r.start_year = first, r.end_year = last, r.works = works, r.confidence = 1.0
  RETURN collect(i.id) AS keep
}}
OPTIONAL MATCH (s)-[stale:{Rel.AFFILIATED_WITH} {{source: $source}}]->(x:{Label.INSTITUTION})
WHERE NOT x.id IN keep
DELETE stale
"""


def _present(props: dict[str, Any]) -> dict[str, Any]:
    """Drop missing values: a partial view of a node (a scientist seen in an authorship) must
    not erase what a fuller record stored."""
    return {key: value for key, value in props.items() if value is not None and value != []}


def _node_rows(nodes: Sequence[Scientist | Institution], partial: bool) -> list[dict[str, Any]]:
    rows = []
    for node in nodes:
        props = node.properties()
        rows.append({"id": props.pop("id"), "props": _present(props) if partial else props})
    return rows


def write_works_batch(
    tx: ManagedTransaction,
    works: Sequence[Work],
    authorships: Sequence[Authorship],
    scientists: Sequence[Scientist],
    institutions: Sequence[Institution],
) -> None:
    """Upsert one batch. Idempotent, so safe as a retried transaction function."""
    tx.run(UPSERT_SCIENTISTS, rows=_node_rows(scientists, partial=True)).consume()
    tx.run(UPSERT_INSTITUTIONS, rows=_node_rows(institutions, partial=True)).consume()
    # A work's own record is complete: its values replace the stored ones, nulls included.
    work_rows = []
    for work in works:
        props = work.properties()
        work_rows.append({"id": props.pop("id"), "props": props})
    tx.run(UPSERT_WORKS, rows=work_rows).consume()
    authors_by_work: dict[str, list[str]] = {work.id: [] for work in works}
    for authorship in authorships:
        authors_by_work[authorship.work_id].append(authorship.scientist_id)
    dropped = tx.run(
        DROP_STALE_AUTHORSHIPS,
        rows=[{"id": wid, "author_ids": ids} for wid, ids in authors_by_work.items()],
    )
    touched = {str(record["scientist_id"]) for record in dropped}
    touched.update(a.scientist_id for a in authorships)
    rows = []
    for authorship in authorships:
        props = authorship.model_dump(mode="json", exclude={"scientist_id", "work_id"})
        rows.append(
            {"scientist_id": authorship.scientist_id, "work_id": authorship.work_id, "props": props}
        )
    tx.run(UPSERT_AUTHORSHIPS, rows=rows).consume()
    tx.run(
        REFRESH_AUTHORSHIP_AFFILIATIONS,
        scientist_ids=sorted(touched),
        source=AUTHORSHIP_SOURCE,
    ).consume()
