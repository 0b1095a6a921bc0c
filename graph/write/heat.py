"""The derived step's reads and writes for technology heat (ingest/derived/heat.py computes).

Reads stream what the computation needs: every recorded work (year, citations by year, topics,
authors), each scientist's first year in the graph, the taxonomy above the topics, and each
chain segment's topics. The write sets `heat_*` properties on Topic, Subfield, Field and
ChainSegment nodes (one UNWIND per label; labels from the enum, never from input), and clears
them on nodes no longer scored, so a re-run changes nothing.
"""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction

from schema.labels import Label, Rel

HEAT_LABELS = (Label.TOPIC, Label.SUBFIELD, Label.FIELD, Label.CHAIN_SEGMENT)

WORKS = f"""
MATCH (w:{Label.WORK})
WHERE w.publication_year IS NOT NULL AND NOT coalesce(w.stub, false)
RETURN w.publication_year AS year,
       coalesce(w.citation_years, []) AS citation_years,
       coalesce(w.citation_counts, []) AS citation_counts,
       [(w)-[:{Rel.ABOUT}]->(t:{Label.TOPIC}) | t.id] AS topics,
       [(w)<-[:{Rel.AUTHORED}]-(s:{Label.SCIENTIST}) | s.id] AS authors
"""
FIRST_YEARS = f"""
MATCH (s:{Label.SCIENTIST})-[:{Rel.AUTHORED}]->(w:{Label.WORK})
WHERE w.publication_year IS NOT NULL
RETURN s.id AS id, min(w.publication_year) AS first_year
"""
TAXONOMY = f"""
MATCH (t:{Label.TOPIC})-[:{Rel.PART_OF}]->(s:{Label.SUBFIELD})-[:{Rel.PART_OF}]->(f:{Label.FIELD})
RETURN t.id AS topic, s.id AS subfield, f.id AS field
"""
SEGMENTS = f"""
MATCH (seg:{Label.CHAIN_SEGMENT})
RETURN seg.id AS segment,
       [(seg)-[:{Rel.NEEDS}]->(t:{Label.TOPIC}) | t.id] +
       [(seg)-[:{Rel.NEEDS}]->(:{Label.SUBFIELD})<-[:{Rel.PART_OF}]-(t:{Label.TOPIC}) | t.id]
       AS topics
"""
_PROPS = (
    "heat_years",
    "heat_works",
    "heat_citations",
    "heat_share",
    "heat_growth",
    "heat_acceleration",
    "heat_forecast_years",
    "heat_forecast_works",
    "heat_forecast_low",
    "heat_forecast_high",
    "heat_kind",
    "heat_score",
    "heat_emerging",
    "heat_hot",
    "heat_component_names",
    "heat_component_values",
    "heat_component_percentiles",
    "heat_source",
)
WRITE = {
    label: f"""
UNWIND $rows AS row
MATCH (n:{label} {{id: row.id}})
SET n += row.props
"""
    for label in HEAT_LABELS
}
CLEAR_STALE = {
    label: f"""
MATCH (n:{label}) WHERE n.heat_years IS NOT NULL AND NOT n.id IN $keep
REMOVE {", ".join(f"n.{p}" for p in _PROPS)}
"""
    for label in HEAT_LABELS
}


def heat_inputs(
    tx: ManagedTransaction,
) -> tuple[list[dict[str, Any]], dict[str, int], list[dict[str, Any]], list[dict[str, Any]]]:
    """Works, first years by scientist, topic → subfield → field rows, segments with topics."""
    works = [r.data() for r in tx.run(WORKS)]
    first = {str(r["id"]): int(r["first_year"]) for r in tx.run(FIRST_YEARS)}
    taxonomy = [r.data() for r in tx.run(TAXONOMY)]
    segments = [r.data() for r in tx.run(SEGMENTS)]
    return works, first, taxonomy, segments


def write_heat(tx: ManagedTransaction, label: Label, rows: list[dict[str, Any]]) -> None:
    """Set the heat of these nodes (rows {id, props}) and clear it on the others of `label`."""
    for start in range(0, len(rows), 2000):
        tx.run(WRITE[label], rows=rows[start : start + 2000]).consume()
    tx.run(CLEAR_STALE[label], keep=[r["id"] for r in rows]).consume()
