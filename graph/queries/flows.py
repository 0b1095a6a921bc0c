"""Talent flows of a region, read from the moves the derived step stored
(ingest/derived/flows.py): the moves into and out of the region's institutions, filtered by
year and by the segments the scientist is ranked in, aggregated here (per year, origins,
destinations, returnees).

A batch function for per-request DataLoaders: one query per key (a key is a whole question).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from graph.reader import Tx, fetch
from graph.write.region import region_institutions_match, region_node_match
from ingest.derived.flows import abroad_years
from schema.labels import Label, Rel

# The region's country: a Country itself, else the Country a City or District lies in.
REGION_COUNTRY = f"""
{region_node_match("region", "r")}
OPTIONAL MATCH (r)-[:{Rel.LOCATED_IN}|{Rel.PART_OF}*0..3]->(c:{Label.COUNTRY})
RETURN c.id AS country LIMIT 1
"""
# The moves touching the region's institutions, one row each, with whether each side is in it.
MOVES = f"""
{region_institutions_match("region", "i")}
WITH collect(i) AS inside
CALL (inside) {{
  UNWIND inside AS i
  MATCH (i)<-[:{Rel.MOVED_TO}|{Rel.MOVED_FROM}]-(m:{Label.MOVE})
  WHERE ($from_year IS NULL OR m.year >= $from_year) AND ($to_year IS NULL OR m.year <= $to_year)
  RETURN DISTINCT m
}}
MATCH (s:{Label.SCIENTIST})-[:{Rel.MOVED}]->(m)-[:{Rel.MOVED_FROM}]->(a:{Label.INSTITUTION}),
      (m)-[:{Rel.MOVED_TO}]->(b:{Label.INSTITUTION})
WHERE $segments IS NULL OR EXISTS {{
  MATCH (s)-[e:{Rel.RANKED_IN}]->(:{Label.CHAIN_SEGMENT}) WHERE e.segment IN $segments }}
WITH m, s, a, b, a IN inside AS from_in, b IN inside AS to_in
WHERE from_in <> to_in
RETURN m.id AS id, m.year AS year, s.id AS scientist, s.name AS name,
       a.id AS from_id, a.name AS from_name, a.country_code AS from_country,
       b.id AS to_id, b.name AS to_name, b.country_code AS to_country, to_in AS inflow,
       m.before_years AS before_years, m.before_countries AS before_countries
ORDER BY year DESC, scientist, id
"""
INDUSTRY_SEGMENTS = f"""
MATCH (seg:{Label.CHAIN_SEGMENT})-[:{Rel.PART_OF}]->(:{Label.INDUSTRY} {{id: $industry}})
RETURN seg.id AS id
"""


@dataclass(frozen=True)
class FlowKey:
    region: str
    industry: str | None = None
    segment: str | None = None
    from_year: int | None = None
    to_year: int | None = None
    returnee_years: int = 3


@dataclass(frozen=True)
class FlowMove:
    id: str
    year: int
    scientist: str
    name: str | None
    from_id: str
    from_name: str | None
    from_country: str | None
    to_id: str
    to_name: str | None
    to_country: str | None
    inflow: bool
    abroad_years: int
    returnee: bool


@dataclass(frozen=True)
class FlowYear:
    year: int
    inflow: int
    outflow: int
    returnees: int


@dataclass(frozen=True)
class Place:
    id: str
    name: str | None
    country: str | None
    moves: int


@dataclass(frozen=True)
class Flows:
    country: str | None
    moves: tuple[FlowMove, ...]

    def by_year(self) -> list[FlowYear]:
        years = sorted({m.year for m in self.moves})
        return [
            FlowYear(
                y,
                sum(1 for m in self.moves if m.year == y and m.inflow),
                sum(1 for m in self.moves if m.year == y and not m.inflow),
                sum(1 for m in self.moves if m.year == y and m.returnee),
            )
            for y in years
        ]

    def places(self, inflow: bool) -> list[Place]:
        """Where the inflows came from (inflow) or the outflows went to, most moves first."""
        chosen = [m for m in self.moves if m.inflow == inflow]
        counts = Counter(m.from_id if inflow else m.to_id for m in chosen)
        info = {
            (m.from_id if inflow else m.to_id): (
                (m.from_name, m.from_country) if inflow else (m.to_name, m.to_country)
            )
            for m in chosen
        }
        return [
            Place(i, info[i][0], info[i][1], n)
            for i, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]


async def _segments(tx: Tx, key: FlowKey) -> list[str] | None:
    if key.segment is not None:
        return [key.segment]
    if key.industry is not None:
        return [str(r["id"]) for r in await fetch(tx, INDUSTRY_SEGMENTS, industry=key.industry)]
    return None


async def _flows(tx: Tx, key: FlowKey) -> Flows:
    found = await fetch(tx, REGION_COUNTRY, region=key.region)
    country = found[0]["country"] if found else None
    rows = await fetch(
        tx,
        MOVES,
        region=key.region,
        from_year=key.from_year,
        to_year=key.to_year,
        segments=await _segments(tx, key),
    )
    moves = []
    for r in rows:
        away = abroad_years(r["before_years"], r["before_countries"], country) if r["inflow"] else 0
        moves.append(
            FlowMove(
                id=r["id"],
                year=int(r["year"]),
                scientist=r["scientist"],
                name=r["name"],
                from_id=r["from_id"],
                from_name=r["from_name"],
                from_country=r["from_country"],
                to_id=r["to_id"],
                to_name=r["to_name"],
                to_country=r["to_country"],
                inflow=bool(r["inflow"]),
                abroad_years=away,
                returnee=bool(r["inflow"]) and away >= key.returnee_years,
            )
        )
    return Flows(country, tuple(moves))


async def talent_flows(tx: Tx, keys: Sequence[FlowKey]) -> list[Flows]:
    return [await _flows(tx, key) for key in keys]
