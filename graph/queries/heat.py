"""Technology heat, as the derived step stored it (ingest/derived/heat.py): one node's heat
by id, and pages of topics ranked by heat; and a region's works about a node, from which the
API computes the region's part of the heat (the same tally as the derived step's).

Batch functions for per-request DataLoaders: one query per batch of ids (`heats`), one per
ranking page (`hot_topics`), two per region and node (`region_works`: the region is a
parameter of its match).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.reader import Tx, fetch
from graph.write.heat import SEGMENTS, TAXONOMY, WORK_ROW
from graph.write.region import region_institutions_match
from schema.labels import Label, Rel

_HEATED = " OR ".join(
    f"n:{label}" for label in (Label.TOPIC, Label.SUBFIELD, Label.FIELD, Label.CHAIN_SEGMENT)
)
_NAME = "coalesce(n.name, n.name_en, n.id)"
_PROPS = """n {.heat_years, .heat_works, .heat_citations, .heat_share, .heat_growth,
  .heat_acceleration, .heat_forecast_years, .heat_forecast_works, .heat_forecast_low,
  .heat_forecast_high, .heat_kind, .heat_score, .heat_emerging, .heat_hot,
  .heat_component_names, .heat_component_values, .heat_component_percentiles, .heat_source}"""

HEAT_BY_ID = f"""
UNWIND $ids AS key
OPTIONAL MATCH (n {{id: key}}) WHERE {_HEATED}
RETURN key, n.id AS id, [l IN labels(n) | l][0] AS label, {_NAME} AS name, {_PROPS} AS heat
"""
# The topics of an industry: those its segments need, directly or through a subfield.
HOT_TOPICS = f"""
CALL () {{
  MATCH (n:{Label.TOPIC})
  WHERE n.heat_score IS NOT NULL AND ($kind IS NULL OR n.heat_kind = $kind)
    AND ($industry IS NULL OR EXISTS {{
      MATCH (seg:{Label.CHAIN_SEGMENT})-[:{Rel.PART_OF}]->(:{Label.INDUSTRY} {{id: $industry}})
      WHERE (seg)-[:{Rel.NEEDS}]->(n)
         OR (seg)-[:{Rel.NEEDS}]->(:{Label.SUBFIELD})<-[:{Rel.PART_OF}]-(n)
    }})
  RETURN n
}}
WITH n ORDER BY CASE $kind WHEN 'HOT' THEN n.heat_hot ELSE n.heat_emerging END DESC, n.id
WITH collect(n) AS ranked
RETURN size(ranked) AS total,
       [n IN ranked[$offset..$offset + $limit] |
        {{key: n.id, id: n.id, label: '{Label.TOPIC}', name: {_NAME}, heat: {_PROPS}}}] AS page
"""

# The topics a node stands for: a topic itself, a subfield's or field's topics, the topics a
# chain segment needs directly or through a subfield (as the derived step groups them).
NODE_TOPICS = f"""
MATCH (n {{id: $node}}) WHERE {_HEATED}
CALL (n) {{
  MATCH (n)<-[:{Rel.PART_OF}*0..2]-(t:{Label.TOPIC}) WHERE NOT n:{Label.CHAIN_SEGMENT} RETURN t
  UNION
  MATCH (n:{Label.CHAIN_SEGMENT})-[:{Rel.NEEDS}]->()<-[:{Rel.PART_OF}*0..1]-(t:{Label.TOPIC})
  RETURN t
}}
RETURN collect(DISTINCT t.id) AS topics
"""
# The works by an institution of the region about any of the topics, with the fields the
# derived step's tally reads.
REGION_WORKS = f"""
{region_institutions_match("region", "i")}
MATCH (i)<-[:{Rel.BY_INSTITUTION}]-(w:{Label.WORK})
WITH DISTINCT w
WHERE w.publication_year IS NOT NULL AND NOT coalesce(w.stub, false)
  AND EXISTS {{ MATCH (w)-[:{Rel.ABOUT}]->(t:{Label.TOPIC}) WHERE t.id IN $topics }}
RETURN w.publication_year AS year,
       coalesce(w.citation_years, []) AS citation_years,
       coalesce(w.citation_counts, []) AS citation_counts,
       [(w)-[:{Rel.ABOUT}]->(t:{Label.TOPIC}) WHERE t.id IN $topics | t.id] AS topics,
       [] AS authors
"""

# Every work by an institution of the region, as the derived step reads all works.
REGION_ALL_WORKS = f"""
{region_institutions_match("region", "i")}
MATCH (i)<-[:{Rel.BY_INSTITUTION}]-(w:{Label.WORK})
WITH DISTINCT w{WORK_ROW}"""
FIRST_YEARS_OF = f"""
UNWIND $ids AS key
MATCH (s:{Label.SCIENTIST} {{id: key}})-[:{Rel.AUTHORED}]->(w:{Label.WORK})
WHERE w.publication_year IS NOT NULL
RETURN s.id AS id, min(w.publication_year) AS first_year
"""
# The last year of the heat window the derived step used (the same for every node).
HEAT_END = f"""
MATCH (t:{Label.TOPIC}) WHERE t.heat_years IS NOT NULL
RETURN t.heat_years[-1] AS end LIMIT 1
"""
INDUSTRY_TOPICS = f"""
MATCH (seg:{Label.CHAIN_SEGMENT})-[:{Rel.PART_OF}]->(:{Label.INDUSTRY} {{id: $industry}})
MATCH (seg)-[:{Rel.NEEDS}]->()<-[:{Rel.PART_OF}*0..1]-(t:{Label.TOPIC})
RETURN collect(DISTINCT t.id) AS topics
"""
TOPIC_NAMES = f"""
UNWIND $ids AS key
MATCH (n:{Label.TOPIC} {{id: key}})
RETURN n.id AS id, {_NAME} AS name
"""


@dataclass(frozen=True)
class RegionHotKey:
    region: str
    industry: str | None


@dataclass(frozen=True)
class RegionHeatInputs:
    """What the derived step's heat computation reads, for a region's works only: the works
    (year, citations by year, topics, authors), their authors' first years in the graph, the
    taxonomy and segments, the window's end; the topics of the industry asked (None: all) and
    the topics' names."""

    works: tuple[dict[str, Any], ...]
    first_years: dict[str, int]
    taxonomy: tuple[dict[str, Any], ...]
    segments: tuple[dict[str, Any], ...]
    end: int | None
    industry_topics: frozenset[str] | None
    names: dict[str, str]


@dataclass(frozen=True)
class RegionKey:
    node: str
    region: str


@dataclass(frozen=True)
class RegionWorks:
    """A region's works about a node: the node's topics, and per work its year, citations by
    year and the node's topics it is about (rows for ingest.derived.heat.tally)."""

    topics: tuple[str, ...]
    works: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Component:
    name: str
    value: float | None
    percentile: float


@dataclass(frozen=True)
class YearCount:
    year: int
    works: int
    citations: int
    share: float


@dataclass(frozen=True)
class Predicted:
    year: int
    works: float
    low: float
    high: float


@dataclass(frozen=True)
class Heat:
    id: str
    label: str
    name: str
    years: tuple[YearCount, ...]
    growth: float | None
    acceleration: float | None
    forecast: tuple[Predicted, ...]
    kind: str | None
    score: float
    emerging: float
    hot: float
    components: tuple[Component, ...]
    source: str


@dataclass(frozen=True)
class HotKey:
    industry: str | None
    kind: str | None
    offset: int
    limit: int


@dataclass(frozen=True)
class HotPage:
    total: int
    items: tuple[Heat, ...]


def heat_of(row: Mapping[str, Any]) -> Heat | None:
    """A Heat from a row {id, label, name, heat: the heat_* properties}; None without heat."""
    h = row.get("heat")
    if row.get("id") is None or not h or h.get("heat_years") is None:
        return None
    values = [None if v is None or math.isnan(v) else float(v) for v in h["heat_component_values"]]
    return Heat(
        id=str(row["id"]),
        label=str(row["label"]),
        name=str(row["name"]),
        years=tuple(
            YearCount(int(y), int(w), int(c), float(s))
            for y, w, c, s in zip(
                h["heat_years"], h["heat_works"], h["heat_citations"], h["heat_share"], strict=True
            )
        ),
        growth=h.get("heat_growth"),
        acceleration=h.get("heat_acceleration"),
        forecast=tuple(
            Predicted(int(y), float(v), float(lo), float(hi))
            for y, v, lo, hi in zip(
                h["heat_forecast_years"],
                h["heat_forecast_works"],
                h["heat_forecast_low"],
                h["heat_forecast_high"],
                strict=True,
            )
        ),
        kind=h.get("heat_kind"),
        score=float(h["heat_score"]),
        emerging=float(h["heat_emerging"]),
        hot=float(h["heat_hot"]),
        components=tuple(
            Component(str(n), v, float(p))
            for n, v, p in zip(
                h["heat_component_names"], values, h["heat_component_percentiles"], strict=True
            )
        ),
        source=str(h["heat_source"]),
    )


async def heats(tx: Tx, ids: Sequence[str]) -> list[Heat | None]:
    """The heat of each node (a topic, subfield, field or segment id), None when it has none."""
    rows = {r["key"]: r for r in await fetch(tx, HEAT_BY_ID, ids=list(ids))}
    return [heat_of(rows[i]) if i in rows else None for i in ids]


async def hot_topics(tx: Tx, keys: Sequence[HotKey]) -> list[HotPage]:
    pages = []
    for key in keys:
        found = await fetch(
            tx,
            HOT_TOPICS,
            industry=key.industry,
            kind=key.kind,
            offset=key.offset,
            limit=key.limit,
        )
        row: dict[str, Any] = found[0] if found else {"total": 0, "page": []}
        items = (heat_of(r) for r in row["page"])
        pages.append(HotPage(int(row["total"]), tuple(h for h in items if h is not None)))
    return pages


async def region_works(tx: Tx, keys: Sequence[RegionKey]) -> list[RegionWorks]:
    """The works of each key's region about each key's node (its topics)."""
    found = []
    for key in keys:
        rows = await fetch(tx, NODE_TOPICS, node=key.node)
        topics = sorted(str(t) for t in (rows[0]["topics"] if rows else []))
        works = await fetch(tx, REGION_WORKS, region=key.region, topics=topics)
        found.append(RegionWorks(tuple(topics), tuple(works)))
    return found


async def region_heat_inputs(tx: Tx, keys: Sequence[RegionHotKey]) -> list[RegionHeatInputs]:
    """For each key, the inputs of the heat computation over the region's works."""
    found = []
    for key in keys:
        works = await fetch(tx, REGION_ALL_WORKS, region=key.region)
        authors = sorted({str(a) for w in works for a in w["authors"]})
        first = {
            str(r["id"]): int(r["first_year"]) for r in await fetch(tx, FIRST_YEARS_OF, ids=authors)
        }
        end_rows = await fetch(tx, HEAT_END)
        industry_topics = None
        if key.industry is not None:
            rows = await fetch(tx, INDUSTRY_TOPICS, industry=key.industry)
            industry_topics = frozenset(str(t) for t in (rows[0]["topics"] if rows else []))
        topics = sorted({str(t) for w in works for t in w["topics"]})
        names = {str(r["id"]): str(r["name"]) for r in await fetch(tx, TOPIC_NAMES, ids=topics)}
        found.append(
            RegionHeatInputs(
                works=tuple(works),
                first_years=first,
                taxonomy=tuple(await fetch(tx, TAXONOMY)),
                segments=tuple(await fetch(tx, SEGMENTS)),
                end=int(end_rows[0]["end"]) if end_rows else None,
                industry_topics=industry_topics,
                names=names,
            )
        )
    return found
