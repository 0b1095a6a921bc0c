"""Writing a region profile: Country, City and District nodes, LOCATED_IN (district -> city ->
country) and FOCUSES_ON (city or district -> Industry).

A profile is the source of truth for its city's districts of its source: districts of that
city missing from the input are deleted with their relationships, and focus links the input
no longer lists are dropped. Every statement is idempotent, so the driver may retry the
transaction and a re-run changes nothing. Industry ids without an Industry node are returned so
that the caller can report them (load the industries first, then re-run to link them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from schema.labels import Label, Rel
from schema.region import Region, RegionKind

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
# Places that can focus on industries (the model keeps countries from it).
DROP_STALE_FOCUS = {
    RegionKind.CITY: drop_stale_focus_query(Label.CITY),
    RegionKind.DISTRICT: drop_stale_focus_query(Label.DISTRICT),
}
LINK_FOCUS = {
    RegionKind.CITY: link_focus_query(Label.CITY),
    RegionKind.DISTRICT: link_focus_query(Label.DISTRICT),
}


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
    missing_industries: tuple[MissingIndustry, ...]
    deleted_districts: tuple[str, ...]


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
    `source` districts, with their focus industries."""
    deleted = tuple(
        str(record["id"])
        for record in tx.run(
            DELETE_STALE_DISTRICTS, source=source, city_id=city.id, ids=[d.id for d in districts]
        )
    )
    tx.run(UPSERT_COUNTRIES, rows=_rows([country])).consume()
    located_in = _linked(tx, UPSERT_CITIES, rows=_rows([city]))
    located_in += _linked(tx, UPSERT_DISTRICTS, rows=_rows(districts))
    focus_rows: list[dict[str, Any]] = []
    focuses_on = 0
    for kind, places in ((RegionKind.CITY, [city]), (RegionKind.DISTRICT, list(districts))):
        rows = [{"id": p.id, "industry_ids": list(p.industry_ids)} for p in places]
        tx.run(DROP_STALE_FOCUS[kind], rows=rows).consume()
        focuses_on += _linked(tx, LINK_FOCUS[kind], rows=rows)
        focus_rows.extend(rows)
    missing = tuple(
        MissingIndustry(str(record["region_id"]), str(record["industry_id"]))
        for record in tx.run(MISSING_INDUSTRIES, rows=focus_rows)
    )
    return RegionSync(
        districts=len(districts),
        located_in=located_in,
        focuses_on=focuses_on,
        missing_industries=missing,
        deleted_districts=deleted,
    )


def region_institutions_match(region_param: str = "region", var: str = "i") -> str:
    """Cypher text that binds `var` to every institution in the region whose id is the
    parameter `region_param` (a Country, City or District): institutions are LOCATED_IN a
    (GeoNames) City, which is LOCATED_IN its Country and, where a profile maps it, PART_OF a
    profile's City or District (`cn/suzhou`, `cn/suzhou/kunshan`). Rows are distinct, and
    variables bound before it are not carried over."""
    places = " UNION ".join(
        f"MATCH (r:{label} {{id: ${region_param}}}) RETURN r"
        for label in (Label.COUNTRY, Label.CITY, Label.DISTRICT)
    )
    return (
        f"CALL {{ {places} }}\n"
        f"MATCH (r)<-[:{Rel.PART_OF}|{Rel.LOCATED_IN}*0..3]-(:{Label.CITY})"
        f"<-[:{Rel.LOCATED_IN}]-({var}:{Label.INSTITUTION})\n"
        f"WITH DISTINCT {var}"
    )
