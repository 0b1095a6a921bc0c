"""Cooperation between institutions, batched by key for per-request DataLoaders.

A work is joint for institutions A and B when both are among its authorships' institutions:
the work's BY_INSTITUTION links, which the works job writes from exactly those (authorships
without an author are dropped at ingestion, and so are their institutions). Counts are read
from the works themselves rather than from the derived COLLABORATES edge: they are exact for
any year window (`from_year`/`to_year`, inclusive; a work without a year only counts when no
window is given) and never stale between a load and its derived step.

Lists are paged as slices of the ordered list (`graph.paging`); a key's position
in the batch is its page id, so keys may carry any window and filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.nodes import institution_props, model_or_none, to_model
from graph.paging import PAGE_SLICE, Page, PageKey, pages_in_order
from graph.read.institution import TopicCount
from graph.reader import Tx, fetch
from graph.write.region import region_institutions_match
from schema.institution import Institution
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.topic import Topic
from schema.work import Work


@dataclass(frozen=True)
class Years:
    """An inclusive window of publication years; None leaves that end open."""

    from_year: int | None = None
    to_year: int | None = None


@dataclass(frozen=True)
class PartnerFilter:
    """Which partners count: ISO country codes and institution types (any of each)."""

    countries: tuple[str, ...] | None = None
    types: tuple[str, ...] | None = None


@dataclass(frozen=True)
class PairKey:
    """Institutions `a` and `b` within `years`."""

    a: str
    b: str
    years: Years


@dataclass(frozen=True)
class PairPageKey:
    """`limit` items after the first `offset` of a list about the pair."""

    pair: PairKey
    offset: int
    limit: int


@dataclass(frozen=True)
class PartnerPageKey:
    """A page of the partners of `owner`: an institution id, or a region id for regions."""

    owner: str
    years: Years
    filter: PartnerFilter
    offset: int
    limit: int


@dataclass(frozen=True)
class YearCount:
    year: int
    count: int


@dataclass(frozen=True)
class Joint:
    """How many works two institutions share, and by year (oldest first)."""

    works: int
    by_year: tuple[YearCount, ...]


@dataclass(frozen=True)
class PersonPair:
    """A person whose authorship names A and one whose authorship names B on the same joint
    works (newest first)."""

    at_a: Scientist
    at_b: Scientist
    works: tuple[Work, ...]


@dataclass(frozen=True)
class Partner:
    """An institution and the works it shares with the owner (an institution or a region)."""

    institution: Institution
    works: int


@dataclass(frozen=True)
class HomeCount:
    """A home institution (in the region) and the works a partner shares with it."""

    institution_id: str
    works: int


@dataclass(frozen=True)
class RegionPartner:
    institution: Institution
    works: int
    homes: tuple[HomeCount, ...]


# The joint works of `$key.a` and `$key.b` in the key's window, as `w`.
_JOINT = f"""
OPTIONAL MATCH (:{Label.INSTITUTION} {{id: key.a}})<-[:{Rel.BY_INSTITUTION}]-(w:{Label.WORK})
               -[:{Rel.BY_INSTITUTION}]->(:{Label.INSTITUTION} {{id: key.b}})
WHERE (key.from_year IS NULL OR w.publication_year >= key.from_year)
  AND (key.to_year IS NULL OR w.publication_year <= key.to_year)
"""
_IN_YEARS = """
  AND (key.from_year IS NULL OR w.publication_year >= key.from_year)
  AND (key.to_year IS NULL OR w.publication_year <= key.to_year)
"""
_PARTNER_FILTER = """
  AND (key.countries IS NULL OR p.country_code IN key.countries)
  AND (key.types IS NULL OR toLower(p.type) IN key.types
       OR any(t IN coalesce(p.types, []) WHERE toLower(t) IN key.types))
"""
JOINT = f"""
UNWIND $keys AS key
CALL (key) {{
  {_JOINT}
  WITH w.publication_year AS year, count(DISTINCT w) AS n
  ORDER BY year
  RETURN sum(n) AS works, [x IN collect({{year: year, count: n}}) WHERE x.year IS NOT NULL
                           AND x.count > 0] AS by_year
}}
RETURN key.id AS id, works, by_year
"""
# Most joint works first (ties: topic id).
PAIR_TOPICS = f"""
UNWIND $keys AS key
CALL (key) {{
  {_JOINT}
  OPTIONAL MATCH (w)-[:{Rel.ABOUT}]->(t:{Label.TOPIC})
  WITH t, count(DISTINCT w) AS works
  ORDER BY works DESC, t.id
  RETURN [x IN collect({{props: properties(t), works: works}}) WHERE x.props IS NOT NULL]
         AS items
}}
WITH key AS page, items
RETURN {PAGE_SLICE}
"""
# Most shared works first (ties: the person at A's id, then at B's).
PERSON_PAIRS = f"""
UNWIND $keys AS key
CALL (key) {{
  {_JOINT}
  OPTIONAL MATCH (x:{Label.SCIENTIST})-[ax:{Rel.AUTHORED}]->(w)<-[ay:{Rel.AUTHORED}]
                 -(y:{Label.SCIENTIST})
  WHERE x <> y AND key.a IN ax.institution_ids AND key.b IN ay.institution_ids
  WITH x, y, w ORDER BY coalesce(w.publication_year, -1) DESC, w.id
  WITH x, y, collect(properties(w)) AS works
  WHERE x IS NOT NULL
  WITH x, y, works ORDER BY size(works) DESC, x.id, y.id
  RETURN collect({{a: properties(x), b: properties(y), works: works}}) AS items
}}
WITH key AS page, items
RETURN {PAGE_SLICE}
"""
# Newest first (ties: id).
PAIR_WORKS = f"""
UNWIND $keys AS key
CALL (key) {{
  {_JOINT}
  WITH DISTINCT w WHERE w IS NOT NULL
  WITH w ORDER BY coalesce(w.publication_year, -1) DESC, w.id
  RETURN collect(properties(w)) AS items
}}
WITH key AS page, items
RETURN {PAGE_SLICE}
"""
# Most joint works first (ties: id).
PARTNERS = f"""
UNWIND $keys AS key
CALL (key) {{
  OPTIONAL MATCH (:{Label.INSTITUTION} {{id: key.owner}})<-[:{Rel.BY_INSTITUTION}]
                 -(w:{Label.WORK})-[:{Rel.BY_INSTITUTION}]->(p:{Label.INSTITUTION})
  WHERE p.id <> key.owner {_IN_YEARS} {_PARTNER_FILTER}
  WITH p, count(DISTINCT w) AS works
  WHERE p IS NOT NULL
  WITH p, works ORDER BY works DESC, p.id
  RETURN collect({{props: {institution_props("p")}, works: works}}) AS items
}}
WITH key AS page, items
RETURN {PAGE_SLICE}
"""
# Institutions outside the region sharing works with its institutions (`h`, the homes): most
# joint works first (ties: id), each with the homes it shares works with (most first, then id).
REGION_PARTNERS = f"""
{region_institutions_match("region", "h")}
WITH collect(h) AS homes
UNWIND homes AS h
MATCH (h)<-[:{Rel.BY_INSTITUTION}]-(w:{Label.WORK})-[:{Rel.BY_INSTITUTION}]->(p:{Label.INSTITUTION})
WITH $key AS key, homes, h, w, p
WHERE NOT p IN homes {_IN_YEARS} {_PARTNER_FILTER}
WITH p, w, collect(h.id) AS with_homes
WITH p, count(w) AS works, collect(with_homes) AS per_work
CALL (per_work) {{
  UNWIND per_work AS ids
  UNWIND ids AS hid
  WITH hid, count(*) AS n
  ORDER BY n DESC, hid
  RETURN collect({{id: hid, works: n}}) AS with_homes
}}
WITH p, works, with_homes ORDER BY works DESC, p.id
WITH collect({{props: {institution_props("p")}, works: works, homes: with_homes}}) AS items
WITH $key AS page, items
RETURN {PAGE_SLICE}
"""


def _years(years: Years) -> dict[str, int | None]:
    return {"from_year": years.from_year, "to_year": years.to_year}


def _pair_params(index: int, pair: PairKey, offset: int = 0, limit: int = 0) -> dict[str, Any]:
    return {
        "id": str(index),
        "a": pair.a,
        "b": pair.b,
        **_years(pair.years),
        "offset": offset,
        "limit": limit,
    }


def _partner_params(index: int, key: PartnerPageKey) -> dict[str, Any]:
    return {
        "id": str(index),
        "owner": key.owner,
        **_years(key.years),
        "countries": [c.upper() for c in key.filter.countries]
        if key.filter.countries is not None
        else None,
        "types": [t.lower() for t in key.filter.types] if key.filter.types is not None else None,
        "offset": key.offset,
        "limit": key.limit,
    }


def _positions(keys: Sequence[PairPageKey | PartnerPageKey]) -> list[PageKey]:
    """The `PageKey` of each key: its position in the batch is its page id."""
    return [PageKey(str(i), k.offset, k.limit) for i, k in enumerate(keys)]


async def joint(tx: Tx, keys: Sequence[PairKey]) -> list[Joint]:
    """The joint works of each pair: how many, and by year (works without a year count in
    the total only)."""
    params = [_pair_params(i, k) for i, k in enumerate(keys)]
    rows = {r["id"]: r for r in await fetch(tx, JOINT, keys=params)}
    result = []
    for i in range(len(keys)):
        row = rows.get(str(i)) or {}
        by_year = tuple(
            YearCount(int(y["year"]), int(y["count"])) for y in row.get("by_year") or []
        )
        result.append(Joint(int(row.get("works") or 0), by_year))
    return result


def _topic_count(item: dict[str, Any]) -> TopicCount | None:
    topic = model_or_none(Topic, item["props"])
    return None if topic is None else TopicCount(topic, int(item["works"]))


async def _pair_pages(tx: Tx, query: str, keys: Sequence[PairPageKey]) -> list[dict[str, Any]]:
    params = [_pair_params(i, k.pair, k.offset, k.limit) for i, k in enumerate(keys)]
    return await fetch(tx, query, keys=params)


async def pair_topics(tx: Tx, keys: Sequence[PairPageKey]) -> list[Page[TopicCount]]:
    """The topics of each pair's joint works, most works first (ties: id)."""
    rows = await _pair_pages(tx, PAIR_TOPICS, keys)
    return pages_in_order(_positions(keys), rows, _topic_count)


def _person_pair(item: dict[str, Any]) -> PersonPair | None:
    at_a = model_or_none(Scientist, item["a"])
    at_b = model_or_none(Scientist, item["b"])
    if at_a is None or at_b is None:
        return None
    works = (model_or_none(Work, props) for props in item["works"])
    return PersonPair(at_a, at_b, tuple(w for w in works if w is not None))


async def person_pairs(tx: Tx, keys: Sequence[PairPageKey]) -> list[Page[PersonPair]]:
    """The person pairs behind each pair's joint works, most shared works first."""
    rows = await _pair_pages(tx, PERSON_PAIRS, keys)
    return pages_in_order(_positions(keys), rows, _person_pair)


async def pair_works(tx: Tx, keys: Sequence[PairPageKey]) -> list[Page[Work]]:
    """Each pair's joint works, newest first (ties: id)."""
    rows = await _pair_pages(tx, PAIR_WORKS, keys)
    return pages_in_order(_positions(keys), rows, lambda props: to_model(Work, props))


def _partner(item: dict[str, Any]) -> Partner | None:
    institution = model_or_none(Institution, item["props"])
    return None if institution is None else Partner(institution, int(item["works"]))


async def partners(tx: Tx, keys: Sequence[PartnerPageKey]) -> list[Page[Partner]]:
    """Each institution's partners, most joint works first (ties: id)."""
    params = [_partner_params(i, k) for i, k in enumerate(keys)]
    rows = await fetch(tx, PARTNERS, keys=params)
    return pages_in_order(_positions(keys), rows, _partner)


def _region_partner(item: dict[str, Any]) -> RegionPartner | None:
    institution = model_or_none(Institution, item["props"])
    if institution is None:
        return None
    homes = tuple(HomeCount(str(h["id"]), int(h["works"])) for h in item["homes"])
    return RegionPartner(institution, int(item["works"]), homes)


async def region_partners(tx: Tx, keys: Sequence[PartnerPageKey]) -> list[Page[RegionPartner]]:
    """For each region, the institutions outside it sharing works with its institutions, most
    joint works first (ties: id). The region is a query parameter, so one query per key."""
    result = []
    for key in keys:
        params = _partner_params(0, key)
        rows = await fetch(tx, REGION_PARTNERS, region=key.owner, key=params)
        result.extend(pages_in_order(_positions([key]), rows, _region_partner))
    return result
