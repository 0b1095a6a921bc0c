"""Writing a region profile: Country, City and District nodes, LOCATED_IN (district -> city ->
country), FOCUSES_ON (city or district -> Industry) and PART_OF from the GeoNames cities a
place lists (`(:City {id: 'geonames/<id>'})`, where ROR places institutions) to the place.

A profile is the source of truth for its city's districts of its source: districts of that
city missing from the input are deleted with their relationships, and focus links the input
and PART_OF links it no longer lists are dropped. A GeoNames City the profile names but no
registry has loaded yet is created (id, `geonames_id` and provenance only), so the link is
there when its institutions arrive; one the profile created and nothing links any more goes.
Every statement is idempotent, so the driver may retry the
transaction and a re-run changes nothing. Industry ids without an Industry node are returned so
that the caller can report them (load the industries first, then re-run to link them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from schema.case import Target
from schema.labels import Label, Rel
from schema.region import Region, RegionKind, geonames_city_id

CURATED_SOURCE = "talentmap"


def upsert_places_query(label: Label, parent: Label | None) -> str:
    """Upsert `label` nodes from `$rows` ({id, parent_id, props}), each LOCATED_IN its parent;
    returns the rows linked as `linked` (nothing for the top level)."""
    if parent is None:
        return f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row.props"
    return f"""
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
SET n += row.props
WITH n, row
MATCH (p:{parent} {{id: row.parent_id}})
MERGE (n)-[:{Rel.LOCATED_IN}]->(p)
RETURN count(*) AS linked
"""


def drop_stale_focus_query(label: Label) -> str:
    return f"""
UNWIND $rows AS row
MATCH (n:{label} {{id: row.id}})-[r:{Rel.FOCUSES_ON}]->(i:{Label.INDUSTRY})
WHERE NOT i.id IN row.industry_ids
DELETE r
"""


def link_focus_query(label: Label) -> str:
    return f"""
UNWIND $rows AS row
MATCH (n:{label} {{id: row.id}})
UNWIND row.industry_ids AS industry_id
MATCH (i:{Label.INDUSTRY} {{id: industry_id}})
MERGE (n)-[:{Rel.FOCUSES_ON}]->(i)
RETURN count(*) AS linked
"""


def drop_stale_part_of_query(label: Label) -> str:
    """Delete the PART_OF links from GeoNames cities to the `label` places of `$rows` ({id,
    cities: [{id, geonames_id}]}) that the row no longer lists; returns those cities' ids."""
    return f"""
UNWIND $rows AS row
MATCH (g:{Label.CITY})-[r:{Rel.PART_OF} {{source: $source}}]->(:{label} {{id: row.id}})
WHERE NOT g.id IN [c IN row.cities | c.id]
DELETE r
RETURN g.id AS id
"""


def link_part_of_query(label: Label) -> str:
    """Merge PART_OF from each listed GeoNames City (created if absent) to its `label` place."""
    return f"""
UNWIND $rows AS row
MATCH (p:{label} {{id: row.id}})
UNWIND row.cities AS city
MERGE (g:{Label.CITY} {{id: city.id}})
ON CREATE SET g.geonames_id = city.geonames_id, g.source = $source,
              g.source_id = 'https://www.geonames.org/' + toString(city.geonames_id)
MERGE (g)-[r:{Rel.PART_OF}]->(p)
SET r.source = $source
RETURN count(*) AS linked
"""


def drop_stale_placements_query(label: Label) -> str:
    """Delete the curated LOCATED_IN links from institutions to the `label` places of `$rows`
    ({id, institutions}) that the row no longer lists."""
    return f"""
UNWIND $rows AS row
MATCH (i:{Label.INSTITUTION})-[l:{Rel.LOCATED_IN} {{source: $source}}]->(:{label} {{id: row.id}})
WHERE NOT i.id IN row.institutions
DELETE l
"""


def link_placements_query(label: Label) -> str:
    """Merge LOCATED_IN from each listed institution (ROR id; only those in the graph) to its
    `label` place; returns the ids not in the graph as `missing`."""
    return f"""
UNWIND $rows AS row
MATCH (p:{label} {{id: row.id}})
UNWIND row.institutions AS key
OPTIONAL MATCH (i:{Label.INSTITUTION} {{id: key}})
FOREACH (_ IN CASE WHEN i IS NULL THEN [] ELSE [1] END |
  MERGE (i)-[l:{Rel.LOCATED_IN} {{source: $source}}]->(p))
RETURN [x IN collect(CASE WHEN i IS NULL THEN key END) WHERE x IS NOT NULL] AS missing,
       count(i) AS linked
"""


# The other load order: institutions a profile lists that arrive after it (a ROR load) are
# placed as the profile says (graph.write.institution calls it for every ROR batch).
PLACE_NEW_INSTITUTIONS = f"""
MATCH (p)
WHERE (p:{Label.DISTRICT} OR (p:{Label.CITY} AND p.source = $source))
  AND size(coalesce(p.institutions, [])) > 0
WITH collect(p) AS places
UNWIND places AS p
UNWIND [key IN p.institutions WHERE key IN $ids] AS key
MATCH (i:{Label.INSTITUTION} {{id: key}})
MERGE (i)-[:{Rel.LOCATED_IN} {{source: $source}}]->(p)
"""


def place_new_institutions(
    tx: ManagedTransaction, ids: Sequence[str], *, source: str = CURATED_SOURCE
) -> None:
    """Link these institutions to the profile places that list them (idempotent)."""
    tx.run(PLACE_NEW_INSTITUTIONS, ids=list(ids), source=source).consume()


UPSERT_COUNTRIES = upsert_places_query(Label.COUNTRY, None)
UPSERT_CITIES = upsert_places_query(Label.CITY, Label.COUNTRY)
UPSERT_DISTRICTS = upsert_places_query(Label.DISTRICT, Label.CITY)
DELETE_STALE_DISTRICTS = f"""
MATCH (d:{Label.DISTRICT} {{source: $source}})-[:{Rel.LOCATED_IN}]->(:{Label.CITY} {{id: $city_id}})
WHERE NOT d.id IN $ids
WITH d, d.id AS id
DETACH DELETE d
RETURN id ORDER BY id
"""
MISSING_INDUSTRIES = f"""
UNWIND $rows AS row
UNWIND row.industry_ids AS industry_id
OPTIONAL MATCH (i:{Label.INDUSTRY} {{id: industry_id}})
WITH row, industry_id, i
WHERE i IS NULL
RETURN row.id AS region_id, industry_id ORDER BY region_id, industry_id
"""
# GeoNames cities of a district about to be deleted: candidates for DROP_ORPHAN_GEONAMES.
STALE_DISTRICT_CITIES = f"""
MATCH (g:{Label.CITY})-[:{Rel.PART_OF} {{source: $source}}]->(d:{Label.DISTRICT})
      -[:{Rel.LOCATED_IN}]->(:{Label.CITY} {{id: $city_id}})
WHERE d.source = $source AND NOT d.id IN $ids
RETURN g.id AS id
"""
# A GeoNames City this loader created that nothing refers to any more (a registry that loads
# institutions into it takes it over and sets its own source).
DROP_ORPHAN_GEONAMES = f"""
UNWIND $ids AS key
MATCH (g:{Label.CITY} {{id: key, source: $source}})
WHERE g.id STARTS WITH 'geonames/' AND NOT (g)--()
DELETE g
"""
# Places that can focus on industries, hold parks and institutions (the model keeps countries
# from it): each query once per place label.
_PLACE_LABELS = {RegionKind.CITY: Label.CITY, RegionKind.DISTRICT: Label.DISTRICT}


def _per_place(query: Callable[[Label], str]) -> dict[RegionKind, str]:
    return {kind: query(label) for kind, label in _PLACE_LABELS.items()}


DROP_STALE_FOCUS = _per_place(drop_stale_focus_query)
LINK_FOCUS = _per_place(link_focus_query)
DROP_STALE_PART_OF = _per_place(drop_stale_part_of_query)
DROP_STALE_PLACEMENTS = _per_place(drop_stale_placements_query)
LINK_PLACEMENTS = _per_place(link_placements_query)
LINK_PART_OF = _per_place(link_part_of_query)


@dataclass(frozen=True)
class MissingIndustry:
    """An industry a place focuses on that is not a node in the graph."""

    region_id: str
    industry_id: str


@dataclass(frozen=True)
class RegionSync:
    districts: int
    located_in: int
    focuses_on: int
    # (:City {id: 'geonames/<id>'})-[:PART_OF]->(city or district) links the profile lists.
    part_of: int
    # Focus industries the file lists that are not nodes in the graph: no FOCUSES_ON edge.
    missing_industries: tuple[MissingIndustry, ...]
    deleted_districts: tuple[str, ...]
    # (:Institution)-[:LOCATED_IN]->(city or district) links the profile lists, and the ROR
    # ids it lists that are not in the graph (load ROR first, then re-run to link them).
    placed: int
    missing_institutions: tuple[str, ...]


def _rows(places: Sequence[Region]) -> list[dict[str, Any]]:
    rows = []
    for place in places:
        props = place.properties()
        rows.append({"id": props.pop("id"), "parent_id": place.parent_id, "props": props})
    return rows


def _linked(tx: ManagedTransaction, query: str, **params: Any) -> int:
    return int(tx.run(query, **params).single(strict=True)["linked"])


def sync_region(
    tx: ManagedTransaction,
    country: Region,
    city: Region,
    districts: Sequence[Region],
    *,
    source: str = CURATED_SOURCE,
) -> RegionSync:
    """Make the graph hold `country`, `city` in it, and exactly `districts` as the city's
    `source` districts, with their focus industries and the GeoNames cities each covers."""
    district_ids = [d.id for d in districts]
    unlinked = {
        str(record["id"])
        for record in tx.run(
            STALE_DISTRICT_CITIES, source=source, city_id=city.id, ids=district_ids
        )
    }
    deleted = tuple(
        str(record["id"])
        for record in tx.run(
            DELETE_STALE_DISTRICTS, source=source, city_id=city.id, ids=district_ids
        )
    )
    tx.run(UPSERT_COUNTRIES, rows=_rows([country])).consume()
    located_in = _linked(tx, UPSERT_CITIES, rows=_rows([city]))
    located_in += _linked(tx, UPSERT_DISTRICTS, rows=_rows(districts))
    focus_rows: list[dict[str, Any]] = []
    focuses_on = part_of = placed = 0
    missing_institutions: list[str] = []
    for kind, places in ((RegionKind.CITY, [city]), (RegionKind.DISTRICT, list(districts))):
        rows = [{"id": p.id, "industry_ids": list(p.industry_ids)} for p in places]
        tx.run(DROP_STALE_FOCUS[kind], rows=rows).consume()
        focuses_on += _linked(tx, LINK_FOCUS[kind], rows=rows)
        focus_rows.extend(rows)
        city_rows = [
            {
                "id": p.id,
                "cities": [{"id": geonames_city_id(g), "geonames_id": g} for g in p.geonames_ids],
            }
            for p in places
        ]
        unlinked.update(
            str(record["id"])
            for record in tx.run(DROP_STALE_PART_OF[kind], rows=city_rows, source=source)
        )
        part_of += _linked(tx, LINK_PART_OF[kind], rows=city_rows, source=source)
        placement_rows = [{"id": p.id, "institutions": list(p.institutions)} for p in places]
        tx.run(DROP_STALE_PLACEMENTS[kind], rows=placement_rows, source=source).consume()
        for record in tx.run(LINK_PLACEMENTS[kind], rows=placement_rows, source=source):
            placed += int(record["linked"])
            missing_institutions.extend(record["missing"])
    tx.run(DROP_ORPHAN_GEONAMES, ids=sorted(unlinked), source=source).consume()
    missing = tuple(
        MissingIndustry(str(record["region_id"]), str(record["industry_id"]))
        for record in tx.run(MISSING_INDUSTRIES, rows=focus_rows)
    )
    return RegionSync(
        districts=len(districts),
        located_in=located_in,
        focuses_on=focuses_on,
        part_of=part_of,
        missing_industries=missing,
        deleted_districts=deleted,
        placed=placed,
        missing_institutions=tuple(sorted(missing_institutions)),
    )


SET_TARGETS = f"MATCH (c:{Label.CITY} {{id: $id}}) SET c.targets = $targets"


def set_region_targets(tx: ManagedTransaction, city_id: str, targets: Sequence[Target]) -> None:
    """The city's goals as JSON text on its node (null when the profile lists none), read by
    targetsProgress: goals live in the profile, not in code."""
    text = json.dumps([t.model_dump(mode="json") for t in targets]) if targets else None
    tx.run(SET_TARGETS, id=city_id, targets=text).consume()


def region_node_match(region_param: str = "region", var: str = "r") -> str:
    """Cypher text (a CALL subquery) that binds `var` to the Country, City or District whose id
    is the parameter `region_param`; no row when there is none."""
    places = " UNION ".join(
        f"MATCH ({var}:{label} {{id: ${region_param}}}) RETURN {var}"
        for label in (Label.COUNTRY, Label.CITY, Label.DISTRICT)
    )
    return f"CALL () {{ {places} }}"


def in_region_pattern(institution: str = "i", region: str = "r") -> str:
    """The pattern (for EXISTS or MATCH) that ties an institution to a bound region node: its
    (GeoNames) City or the profile's District or City that places it (`institutions` in the
    profile), then up to three PART_OF or LOCATED_IN steps (GeoNames city -> profile district
    -> profile city -> country)."""
    return (
        f"({region})<-[:{Rel.PART_OF}|{Rel.LOCATED_IN}*0..3]-(:{Label.CITY}|{Label.DISTRICT})"
        f"<-[:{Rel.LOCATED_IN}]-({institution})"
    )


def region_institutions_match(region_param: str = "region", var: str = "i") -> str:
    """Cypher text that binds `var` to every institution in the region whose id is the
    parameter `region_param` (a Country, City or District): institutions are LOCATED_IN a
    (GeoNames) City, which is LOCATED_IN its Country and, where a profile maps it, PART_OF a
    profile's City or District (`cn/suzhou`, `cn/suzhou/kunshan`). A country also holds the
    institutions whose `country_code` is its id: one without a ROR record (an OpenAlex
    institution ROR lacks) has no City, and must not count as outside its own country. Rows
    are distinct, and variables bound before it are not carried over."""
    return (
        f"{region_node_match(region_param, 'r')}\n"
        f"CALL (r) {{\n"
        f"  MATCH {in_region_pattern(f'{var}:{Label.INSTITUTION}', 'r')} RETURN {var}\n"
        f"  UNION\n"
        f"  MATCH ({var}:{Label.INSTITUTION} {{country_code: r.id}}) WHERE r:{Label.COUNTRY}"
        f" RETURN {var}\n"
        f"}}\n"
        f"WITH DISTINCT {var}"
    )
