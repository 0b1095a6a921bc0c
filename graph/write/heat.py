"""The derived step's reads and writes for technology heat (ingest/derived/heat.py computes).

Reads stream what the computation needs: every recorded work (year, citations by year, topics,
authors), each scientist's first year in the graph, the taxonomy above the topics, each
chain segment's topics, and the world's works per year of the topics the OpenAlex API job
fetched (ingest/openalex/counts.py writes them here). The write sets `heat_*` properties on
Topic, Subfield, Field and ChainSegment nodes (one UNWIND per label; labels from the enum, never
from input), and clears them on nodes no longer scored, so a re-run changes nothing.
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
# The world's counts of a topic, as the OpenAlex API gave them.
WORLD_COUNTS = f"""
MATCH (t:{Label.TOPIC}) WHERE t.world_years IS NOT NULL
RETURN t.id AS topic, t.world_years AS years, t.world_works AS works, t.world_totals AS totals
"""
TOPICS_WITH_WORKS = f"""
MATCH (t:{Label.TOPIC}) WHERE EXISTS {{ (t)<-[:{Rel.ABOUT}]-(:{Label.WORK}) }}
RETURN t.id AS id ORDER BY id
"""
TOPICS_PRESENT = f"""
UNWIND $ids AS key
MATCH (t:{Label.TOPIC} {{id: key}})
RETURN t.id AS id ORDER BY id
"""
SET_WORLD_COUNTS = f"""
MATCH (t:{Label.TOPIC} {{id: $topic}})
SET t.world_years = $years, t.world_works = $works, t.world_totals = $totals,
    t.world_fetched_at = $fetched_at
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


@dataclass(frozen=True)
class HeatInputs:
    """Works, first years by scientist, topic → subfield → field rows, segments with topics,
    and the world's counts per topic ({topic: (works by year, all works by year)})."""

    works: list[dict[str, Any]]
    first_years: dict[str, int]
    taxonomy: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    world: dict[str, tuple[dict[int, int], dict[int, int]]]


def heat_inputs(tx: ManagedTransaction) -> HeatInputs:
    world = {
        str(r["topic"]): (
            dict(zip(r["years"], r["works"], strict=True)),
            dict(zip(r["years"], r["totals"], strict=True)),
        )
        for r in tx.run(WORLD_COUNTS)
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


def topics_present(tx: ManagedTransaction, ids: list[str]) -> list[str]:
    """Those of `ids` that are Topic nodes."""
    return [str(r["id"]) for r in tx.run(TOPICS_PRESENT, ids=ids)]


def write_world_counts(
    tx: ManagedTransaction,
    topic: str,
    counts: dict[int, int],
    totals: dict[int, int],
    fetched_at: str,
) -> None:
    """Store a topic's world works per year beside all works per year (the years of either)."""
    years = sorted(set(counts) | set(totals))
    tx.run(
        SET_WORLD_COUNTS,
        topic=topic,
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
