"""Technology heat, as the derived step stored it (ingest/derived/heat.py): one node's heat
by id, and pages of topics ranked by heat; and a region's works about a node, from which the
API computes the region's part of the heat (the same tally as the derived step's).

Batch functions for per-request DataLoaders: one query per batch of ids (`heats`), one per
ranking page (`hot_topics`), two per region and node (`region_works`: the region is a
parameter of its match).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.reader import Tx, fetch
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


def _heat(row: dict[str, Any]) -> Heat | None:
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
    return [_heat(rows[i]) if i in rows else None for i in ids]


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
        items = (_heat(r) for r in row["page"])
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
