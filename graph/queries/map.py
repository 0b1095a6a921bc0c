"""The talent map: institutions placed on the globe, sized by the talent they hold.

An institution's talent is the number of scientists whose latest affiliation (AFFILIATED_WITH
with the largest `end_year`; all of them when none has years, as the chain's in-region test
reads it) is that institution; with an industry or a chain segment, only the scientists ranked
in it (RANKED_IN one of its segments: they have works on the segment's topics). Institutions
without coordinates cannot be drawn and are left out. Order: most talent first, ties by id, so
pages are stable.

Batch functions for per-request DataLoaders: one query per key (a request asks for one map),
and the list of industries the map's picker offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.nodes import institution_props, model_or_none
from graph.reader import Tx, fetch
from graph.write.region import in_region_pattern
from schema.industry import Industry
from schema.institution import Institution
from schema.labels import Label, Rel
from schema.region import Region

# The scientists that count, as `x`: everyone, or those ranked in the chosen segments.
_EVERYONE = f"MATCH (x:{Label.SCIENTIST})"
_RANKED = f"""
CALL () {{
  MATCH (seg:{Label.CHAIN_SEGMENT})
  WHERE seg.id = $segment
     OR ($segment IS NULL AND EXISTS {{
          MATCH (seg)-[:{Rel.PART_OF}]->(:{Label.INDUSTRY} {{id: $industry}}) }})
  RETURN collect(seg) AS segments
}}
UNWIND segments AS seg
MATCH (x:{Label.SCIENTIST})-[:{Rel.RANKED_IN}]->(seg)
WITH DISTINCT x"""


_IN_REGION = f"""EXISTS {{
      MATCH {in_region_pattern("i", "r")}
      WHERE r.id = $region AND (r:{Label.COUNTRY} OR r:{Label.CITY} OR r:{Label.DISTRICT})
    }}"""


def map_query(*, ranked: bool, within: bool = False) -> str:
    """One row {total, talent_total, points: [{props, talent, inside}]}: every drawable
    institution's talent (`within`: only those in the region `$region`), the page
    `$offset`..`$offset + $limit` of them, and whether each is in the region `$region` (null
    without one)."""
    return f"""
{_RANKED if ranked else _EVERYONE}
CALL (x) {{
  MATCH (x)-[a:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION})
  WITH max(a.end_year) AS latest, collect({{year: a.end_year, i: i}}) AS held
  UNWIND held AS h
  WITH h WHERE (h.year = latest OR latest IS NULL)
    AND h.i.latitude IS NOT NULL AND h.i.longitude IS NOT NULL
  RETURN h.i AS i
}}
WITH i, count(DISTINCT x) AS talent
{f"WHERE {_IN_REGION}" if within else ""}
ORDER BY talent DESC, i.id
WITH collect({{i: i, talent: talent}}) AS rows
WITH size(rows) AS total, reduce(n = 0, row IN rows | n + row.talent) AS talent_total,
     rows[$offset..$offset + $limit] AS page
CALL (page) {{
  UNWIND page AS row
  WITH row.i AS i, row.talent AS talent
  RETURN collect({{
    props: {institution_props("i")},
    talent: talent,
    inside: CASE WHEN $region IS NULL THEN null ELSE {_IN_REGION} END
  }}) AS points
}}
RETURN total, talent_total, points
"""


ALL_INDUSTRIES = f"""
MATCH (n:{Label.INDUSTRY})
RETURN properties(n) AS props ORDER BY n.id
"""
# A home region's city (the region itself, or the city of a district) and its districts, each
# with the institutions in it (as talentMap's `inside` tells them).
REGION_PLACES = f"""
UNWIND $regions AS key
MATCH (r {{id: key}}) WHERE r:{Label.CITY} OR r:{Label.DISTRICT}
OPTIONAL MATCH (r:{Label.DISTRICT})-[:{Rel.LOCATED_IN}]->(parent:{Label.CITY})
WITH key, coalesce(parent, r) AS city
CALL (city) {{
  OPTIONAL MATCH (d:{Label.DISTRICT})-[:{Rel.LOCATED_IN}]->(city)
  CALL (d) {{
    OPTIONAL MATCH {in_region_pattern(f"i:{Label.INSTITUTION}", "d")}
    RETURN count(DISTINCT i) AS institutions
  }}
  WITH d, institutions ORDER BY d.id
  RETURN [x IN collect({{props: properties(d), institutions: institutions}})
          WHERE x.props IS NOT NULL] AS districts
}}
RETURN key, properties(city) AS city, districts
"""
MAP_QUERIES = {
    (ranked, within): map_query(ranked=ranked, within=within)
    for ranked in (False, True)
    for within in (False, True)
}


@dataclass(frozen=True)
class MapKey:
    """One page of a map: talent in `segment`, else in `industry`'s segments, else everyone;
    `region` (a Country, City or District id) marks the institutions inside; `within`: only
    those are counted and ranked."""

    industry: str | None
    segment: str | None
    region: str | None
    offset: int
    limit: int
    within: bool = False


@dataclass(frozen=True)
class MapPoint:
    institution: Institution
    talent: int
    in_region: bool | None


@dataclass(frozen=True)
class TalentMap:
    """`points` of the `total` drawable institutions, which hold `talent` scientists between
    them."""

    total: int
    talent: int
    points: tuple[MapPoint, ...]


def _point(row: dict[str, Any]) -> MapPoint | None:
    institution = model_or_none(Institution, row["props"])
    if institution is None:
        return None
    return MapPoint(institution, int(row["talent"]), row["inside"])


async def talent_maps(tx: Tx, keys: Sequence[MapKey]) -> list[TalentMap]:
    maps = []
    for key in keys:
        ranked = key.industry is not None or key.segment is not None
        found = await fetch(
            tx,
            MAP_QUERIES[ranked, key.within and key.region is not None],
            industry=key.industry,
            segment=key.segment,
            region=key.region,
            offset=key.offset,
            limit=key.limit,
        )
        row: dict[str, Any] = found[0] if found else {"total": 0, "talent_total": 0}
        points = (_point(p) for p in row.get("points") or [])
        maps.append(
            TalentMap(
                total=int(row["total"]),
                talent=int(row["talent_total"]),
                points=tuple(p for p in points if p is not None),
            )
        )
    return maps


@dataclass(frozen=True)
class DistrictPlace:
    district: Region
    institutions: int


@dataclass(frozen=True)
class RegionPlaces:
    """A city of a region profile and its districts (by id)."""

    city: Region
    districts: tuple[DistrictPlace, ...]


def _places(row: dict[str, Any] | None) -> RegionPlaces | None:
    city = model_or_none(Region, row["city"]) if row else None
    if row is None or city is None:
        return None
    found = ((model_or_none(Region, d["props"]), int(d["institutions"])) for d in row["districts"])
    return RegionPlaces(city, tuple(DistrictPlace(d, n) for d, n in found if d is not None))


async def region_places(tx: Tx, regions: Sequence[str]) -> list[RegionPlaces | None]:
    """For each city or district id, its city and the city's districts (None: neither)."""
    rows = {r["key"]: r for r in await fetch(tx, REGION_PLACES, regions=list(regions))}
    return [_places(rows.get(key)) for key in regions]


async def all_industries(tx: Tx, keys: Sequence[str]) -> list[list[Industry]]:
    """Every industry, by id (the map's and the chain's choice of chain); one list per key, as
    the DataLoader asks (any key: there is one list)."""
    rows = await fetch(tx, ALL_INDUSTRIES)
    models = [m for m in (model_or_none(Industry, r["props"]) for r in rows) if m is not None]
    return [models for _ in keys]
