"""The derived step's reads and writes for technology heat (ingest/derived/heat.py computes).

Reads stream what the computation needs: every recorded work (year, citations by year, topics,
authors), each scientist's first year in the graph, the taxonomy above the topics, each
chain segment's topics, and the world's works per year of the topics, subfields, fields and
segments the OpenAlex API job fetched (ingest/openalex/counts.py writes them here). The write
sets `heat_*` properties on Topic, Subfield, Field and ChainSegment nodes (one UNWIND per label;
labels from the enum, never from input), and clears them on nodes no longer scored, so a re-run
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from schema.labels import Label, Rel

HEAT_LABELS = (Label.TOPIC, Label.SUBFIELD, Label.FIELD, Label.CHAIN_SEGMENT)

# A bound work `w` as the heat computation reads it (year, citations by year, topics, authors).
WORK_ROW = f"""
WHERE w.publication_year IS NOT NULL AND NOT coalesce(w.stub, false)
RETURN w.publication_year AS year,
       coalesce(w.citation_years, []) AS citation_years,
       coalesce(w.citation_counts, []) AS citation_counts,
       [(w)-[:{Rel.ABOUT}]->(t:{Label.TOPIC}) | t.id] AS topics,
       [(w)<-[:{Rel.AUTHORED}]-(s:{Label.SCIENTIST}) | s.id] AS authors
"""
WORKS = f"MATCH (w:{Label.WORK}){WORK_ROW}"
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
# The world's counts of a node, as the OpenAlex API gave them (one query per heat label).
WORLD_COUNTS = {
    label: f"""
MATCH (n:{label}) WHERE n.world_years IS NOT NULL
RETURN n.id AS id, n.world_years AS years, n.world_works AS works, n.world_totals AS totals,
       n.world_citation_years AS citation_years, n.world_citations AS citations
"""
    for label in HEAT_LABELS
}
TOPICS_WITH_WORKS = f"""
MATCH (t:{Label.TOPIC}) WHERE EXISTS {{ (t)<-[:{Rel.ABOUT}]-(:{Label.WORK}) }}
RETURN t.id AS id ORDER BY id
"""
# The subfields and fields above the topics the loaded works are about.
LEVELS_WITH_WORKS = f"""
MATCH (t:{Label.TOPIC})-[:{Rel.PART_OF}]->(s:{Label.SUBFIELD})-[:{Rel.PART_OF}]->(f:{Label.FIELD})
WHERE EXISTS {{ (t)<-[:{Rel.ABOUT}]-(:{Label.WORK}) }}
RETURN collect(DISTINCT s.id) AS subfields, collect(DISTINCT f.id) AS fields
"""
NODES_PRESENT = {
    label: f"""
UNWIND $ids AS key
MATCH (n:{label} {{id: key}})
RETURN n.id AS id ORDER BY id
"""
    for label in HEAT_LABELS
}
SET_WORLD_COUNTS = {
    label: f"""
MATCH (n:{label} {{id: $id}})
SET n.world_years = $years, n.world_works = $works, n.world_totals = $totals,
    n.world_fetched_at = $fetched_at
"""
    for label in HEAT_LABELS
}
SET_WORLD_CITATIONS = {
    label: f"""
MATCH (n:{label} {{id: $id}})
SET n.world_citation_years = $years, n.world_citations = $citations
"""
    for label in HEAT_LABELS
}
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


@dataclass(frozen=True)
class WorldCounts:
    """A node's world counts from the OpenAlex API: its works and all works per publication
    year, and (when fetched) the citations its works received per year."""

    works: dict[int, int]
    totals: dict[int, int]
    citations: dict[int, int] | None = None


@dataclass(frozen=True)
class HeatInputs:
    """Works, first years by scientist, topic → subfield → field rows, segments with topics,
    and the world's counts per level and node ({label: {id: WorldCounts}})."""

    works: list[dict[str, Any]]
    first_years: dict[str, int]
    taxonomy: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    world: dict[Label, dict[str, WorldCounts]]


def heat_inputs(tx: ManagedTransaction) -> HeatInputs:
    world = {
        label: {
            str(r["id"]): WorldCounts(
                dict(zip(r["years"], r["works"], strict=True)),
                dict(zip(r["years"], r["totals"], strict=True)),
                None
                if r["citation_years"] is None
                else dict(zip(r["citation_years"], r["citations"], strict=True)),
            )
            for r in tx.run(WORLD_COUNTS[label])
        }
        for label in HEAT_LABELS
    }
    return HeatInputs(
        works=[r.data() for r in tx.run(WORKS)],
        first_years={str(r["id"]): int(r["first_year"]) for r in tx.run(FIRST_YEARS)},
        taxonomy=[r.data() for r in tx.run(TAXONOMY)],
        segments=[r.data() for r in tx.run(SEGMENTS)],
        world=world,
    )


def topics_with_works(tx: ManagedTransaction) -> list[str]:
    return [str(r["id"]) for r in tx.run(TOPICS_WITH_WORKS)]


def levels_with_works(tx: ManagedTransaction) -> tuple[list[str], list[str]]:
    """The subfields and the fields above the topics the loaded works are about (sorted)."""
    record = tx.run(LEVELS_WITH_WORKS).single()
    if record is None:
        return [], []
    return sorted(map(str, record["subfields"])), sorted(map(str, record["fields"]))


def nodes_present(tx: ManagedTransaction, label: Label, ids: list[str]) -> list[str]:
    """Those of `ids` that are nodes of `label` (one of HEAT_LABELS)."""
    return [str(r["id"]) for r in tx.run(NODES_PRESENT[label], ids=ids)]


def write_world_counts(
    tx: ManagedTransaction,
    label: Label,
    node: str,
    counts: dict[int, int],
    totals: dict[int, int],
    fetched_at: str,
) -> None:
    """Store a node's world works per year beside all works per year (the years of either)."""
    years = sorted(set(counts) | set(totals))
    tx.run(
        SET_WORLD_COUNTS[label],
        id=node,
        years=years,
        works=[counts.get(y, 0) for y in years],
        totals=[totals.get(y, 0) for y in years],
        fetched_at=fetched_at,
    ).consume()


def write_heat(tx: ManagedTransaction, label: Label, rows: list[dict[str, Any]]) -> None:
    """Set the heat of these nodes (rows {id, props}) and clear it on the others of `label`."""
    for start in range(0, len(rows), 2000):
        tx.run(WRITE[label], rows=rows[start : start + 2000]).consume()
    tx.run(CLEAR_STALE[label], keep=[r["id"] for r in rows]).consume()


def segment_topics(tx: ManagedTransaction) -> dict[str, list[str]]:
    """Each chain segment's topics (those it needs and those of the subfields it needs),
    sorted and without repeats."""
    return {str(r["segment"]): sorted(set(r["topics"])) for r in tx.run(SEGMENTS)}


def write_world_citations(
    tx: ManagedTransaction, label: Label, node: str, citations: dict[int, int]
) -> None:
    """Store the citations a node's works received per year, as the OpenAlex API gave them."""
    years = sorted(citations)
    tx.run(
        SET_WORLD_CITATIONS[label],
        id=node,
        years=years,
        citations=[citations[y] for y in years],
    ).consume()
