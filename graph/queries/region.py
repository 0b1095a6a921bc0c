"""A place as a front-end draws it: a country, a profile's city or district (`region(id)`),
the places in it, and its institutions, batched by key for per-request DataLoaders.

Reads any Country, City or District whose id is a region id (`CN`, `cn/suzhou`,
`cn/suzhou/kunshan`): a Country the ROR loader made has `name`, not `name_en`, so the read
gives every place an English name. The focus industries are the place's own `industry_ids`
(its FOCUSES_ON edges mirror them), read by the industry DataLoader. GeoNames cities
(`geonames/<id>`) are how registries place institutions, not places a user asks for.

A district is also found by a slug of one of its aliases under its city's id
(`cn/suzhou/sip` for the Suzhou Industrial Park, alias SIP), so the short names people use
make working links.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from graph.nodes import institution_props, model_or_none
from graph.paging import PAGE_SLICE, Page, PageKey, pages_in_order
from graph.queries.entities import IdKey, resolve_ids
from graph.reader import Tx, fetch
from graph.write.region import region_institutions_match
from schema.institution import Institution
from schema.labels import Label, Rel
from schema.region import Region, RegionKind

_KIND = (
    f"CASE WHEN r:{Label.COUNTRY} THEN '{RegionKind.COUNTRY}' "
    f"WHEN r:{Label.DISTRICT} THEN '{RegionKind.DISTRICT}' ELSE '{RegionKind.CITY}' END"
)
_PLACE_PROPS = f"r {{.*, kind: {_KIND}, name_en: coalesce(r.name_en, r.name, r.id)}}"

REGIONS_BY_ID = f"""
UNWIND $ids AS key
CALL (key) {{
  MATCH (r:{Label.COUNTRY} {{id: key}}) RETURN r
  UNION
  MATCH (r:{Label.CITY} {{id: key}}) RETURN r
  UNION
  MATCH (r:{Label.DISTRICT} {{id: key}}) RETURN r
}}
RETURN key, {_PLACE_PROPS} AS props
"""
# The places directly in each place: a country's profile cities, a city's districts (by id).
PLACES_IN = f"""
UNWIND $ids AS key
CALL (key) {{
  MATCH (r:{Label.CITY})-[:{Rel.LOCATED_IN}]->(:{Label.COUNTRY} {{id: key}})
  WHERE NOT r.id STARTS WITH 'geonames/'
  RETURN r
  UNION
  MATCH (r:{Label.DISTRICT})-[:{Rel.LOCATED_IN}]->(:{Label.CITY} {{id: key}})
  RETURN r
}}
WITH key, r ORDER BY r.id
RETURN key, collect({_PLACE_PROPS}) AS items
"""
# The profile places under each parent id, with their aliases (for `region_ids`).
ALIASES_UNDER = f"""
UNWIND $parents AS parent
CALL (parent) {{
  MATCH (r:{Label.DISTRICT})-[:{Rel.LOCATED_IN}]->(:{Label.CITY} {{id: parent}})
  RETURN r
  UNION
  MATCH (r:{Label.CITY})-[:{Rel.LOCATED_IN}]->(:{Label.COUNTRY} {{id: toUpper(parent)}})
  RETURN r
}}
RETURN parent, r.id AS id, coalesce(r.aliases, []) AS aliases
"""
# The institutions in the region (as `regionCooperation` and `talentChain` count them): most
# works first (ties: id).
REGION_INSTITUTIONS = f"""
{region_institutions_match("region", "i")}
WITH i ORDER BY coalesce(i.works_count, 0) DESC, i.id
WITH collect({institution_props("i")}) AS items
WITH $page AS page, items
RETURN {PAGE_SLICE}
"""


def alias_slug(alias: str) -> str:
    """An alias as an id segment: lower case, runs of other characters as one hyphen (`SIP`
    -> `sip`, `Suzhou New District` -> `suzhou-new-district`); '' for a name without Latin
    letters or digits (`园区`)."""
    return re.sub(r"[^a-z0-9]+", "-", alias.casefold()).strip("-")


def _region(props: dict[str, Any] | None) -> Region | None:
    return None if props is None else model_or_none(Region, props)


async def regions_by_id(tx: Tx, ids: Sequence[str]) -> list[Region | None]:
    """The place each id names (None where there is none), in key order."""
    rows = {r["key"]: r["props"] for r in await fetch(tx, REGIONS_BY_ID, ids=list(ids))}
    return [_region(rows.get(key)) for key in ids]


async def places_in(tx: Tx, ids: Sequence[str]) -> list[list[Region]]:
    """The places directly in each place (a country's cities, a city's districts), by id."""
    rows = {r["key"]: r["items"] for r in await fetch(tx, PLACES_IN, ids=list(ids))}
    found = []
    for key in ids:
        places = (_region(props) for props in rows.get(key) or [])
        found.append([p for p in places if p is not None])
    return found


async def region_ids(tx: Tx, keys: Sequence[IdKey]) -> list[str | None]:
    """Our own id of the place each key names: its id, else a slug of an alias of a place in
    the parent its id names (`cn/suzhou/sip`); None where neither matches."""
    found = await resolve_ids(tx, keys)
    missing = {
        k.value.rsplit("/", 1)[0]
        for k, f in zip(keys, found, strict=True)
        if f is None and "/" in k.value
    }
    if not missing:
        return found
    by_alias: dict[str, str] = {}
    for row in await fetch(tx, ALIASES_UNDER, parents=sorted(missing)):
        for alias in row["aliases"]:
            slug = alias_slug(str(alias))
            # The first by id wins when two places share an alias slug.
            key = f"{row['parent']}/{slug}"
            if slug and (key not in by_alias or row["id"] < by_alias[key]):
                by_alias[key] = str(row["id"])
    return [f if f is not None else by_alias.get(k.value) for k, f in zip(keys, found, strict=True)]


def _institution(props: dict[str, Any]) -> Institution | None:
    return model_or_none(Institution, props)


async def region_institutions(tx: Tx, keys: Sequence[PageKey]) -> list[Page[Institution]]:
    """A page of the institutions in each region (`PageKey.id` the region's id), most works
    first (ties: id). The region is a query parameter, so one query per key."""
    result: list[Page[Institution]] = []
    for key in keys:
        page = {"id": key.id, "offset": key.offset, "limit": key.limit}
        rows = await fetch(tx, REGION_INSTITUTIONS, region=key.id, page=page)
        result.extend(pages_in_order([key], rows, _institution))
    return result
