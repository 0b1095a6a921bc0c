"""Reading institutions and their ties, batched by key for per-request DataLoaders.

(`graph.write.institution` writes them.) Every function takes a transaction and a list
of keys, makes one `UNWIND` query and returns results in key order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.nodes import institution_props, model_or_none
from graph.paging import PAGE_SLICE, Page, PageKey, page_params, pages_in_order
from graph.reader import Tx, fetch
from graph.write.institution import ROR_SOURCE
from schema.institution import Institution, RorRelationKind
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.team import Team
from schema.topic import Topic


@dataclass(frozen=True)
class AffiliatedScientist:
    """A person affiliated with the institution (either source), with the works that name it
    in their authorships and the years of the affiliation (earliest start, latest end)."""

    scientist: Scientist
    works: int
    start_year: int | None
    end_year: int | None


@dataclass(frozen=True)
class TopicCount:
    """A topic of the institution's works and how many of them are about it."""

    topic: Topic
    works: int


INSTITUTIONS_BY_ID = f"""
UNWIND $ids AS key
OPTIONAL MATCH (i:{Label.INSTITUTION} {{id: key}})
RETURN key, CASE WHEN i IS NULL THEN null ELSE {institution_props("i")} END AS props
"""
# Direct parents: ROR `parent` relationships (PART_OF {source: 'ror'}) and OpenAlex associated
# institutions with relationship `parent` (or that name this one as their `child`). OpenAlex
# `lineage` (PART_OF {source: 'openalex'}) names every ancestor, so it is not a parent list.
_DIRECT_PARENT = f"""
  OPTIONAL MATCH (i)-[:{Rel.PART_OF} {{source: $ror}}]->(p:{Label.INSTITUTION}) RETURN p
  UNION
  OPTIONAL MATCH (i)-[:{Rel.ASSOCIATED_WITH} {{relationship: $parent}}]->(p:{Label.INSTITUTION})
  RETURN p
  UNION
  OPTIONAL MATCH (i)<-[:{Rel.ASSOCIATED_WITH} {{relationship: $child}}]-(p:{Label.INSTITUTION})
  RETURN p
"""
_DIRECT_CHILD = f"""
  OPTIONAL MATCH (i)<-[:{Rel.PART_OF} {{source: $ror}}]-(p:{Label.INSTITUTION}) RETURN p
  UNION
  OPTIONAL MATCH (i)<-[:{Rel.ASSOCIATED_WITH} {{relationship: $parent}}]-(p:{Label.INSTITUTION})
  RETURN p
  UNION
  OPTIONAL MATCH (i)-[:{Rel.ASSOCIATED_WITH} {{relationship: $child}}]->(p:{Label.INSTITUTION})
  RETURN p
"""
# Every ancestor: OpenAlex lineage, and direct parents followed up (at most 8 levels).
_ANCESTOR = f"""
  OPTIONAL MATCH (i)-[:{Rel.PART_OF}]->(p:{Label.INSTITUTION}) RETURN p
  UNION
  OPTIONAL MATCH (i) ((:{Label.INSTITUTION})-[r:{Rel.PART_OF}|{Rel.ASSOCIATED_WITH}]->
                      (:{Label.INSTITUTION}) WHERE r.source = $ror OR r.relationship = $parent
                     ){{1,8}} (p:{Label.INSTITUTION})
  WHERE p <> i
  RETURN p
"""


def _related(subquery: str) -> str:
    return f"""
UNWIND $ids AS key
OPTIONAL MATCH (i:{Label.INSTITUTION} {{id: key}})
CALL (i) {{{subquery}}}
WITH DISTINCT key, p ORDER BY p.name, p.id
RETURN key, collect({institution_props("p")}) AS items
"""


PARENTS = _related(_DIRECT_PARENT)
CHILDREN = _related(_DIRECT_CHILD)
LINEAGE = _related(_ANCESTOR)
# The edge values the lineage queries match on.
LINEAGE_PARAMS = {
    "ror": ROR_SOURCE,
    "parent": RorRelationKind.PARENT.value,
    "child": RorRelationKind.CHILD.value,
}
# Most works at the institution first (from authorships), then id.
SCIENTIST_PAGES = f"""
UNWIND $pages AS page
OPTIONAL MATCH (:{Label.INSTITUTION} {{id: page.id}})
               <-[r:{Rel.AFFILIATED_WITH}]-(s:{Label.SCIENTIST})
WITH page, s, coalesce(max(r.works), 0) AS works, min(r.start_year) AS start_year,
     max(r.end_year) AS end_year
ORDER BY works DESC, s.id
WITH page, [x IN collect({{props: properties(s), works: works, start_year: start_year,
                    end_year: end_year}})
           WHERE x.props IS NOT NULL] AS items
RETURN {PAGE_SLICE}
"""
TEAM_PAGES = f"""
UNWIND $pages AS page
OPTIONAL MATCH (:{Label.INSTITUTION} {{id: page.id}})<-[:{Rel.BASED_AT}]-(t:{Label.TEAM})
WITH page, t ORDER BY t.works DESC, t.members DESC, t.id
WITH page, collect(properties(t)) AS items
RETURN {PAGE_SLICE}
"""
# The topics of the works that name the institution among their authorships' institutions.
TOP_TOPICS = f"""
UNWIND $pages AS page
OPTIONAL MATCH (:{Label.INSTITUTION} {{id: page.id}})<-[:{Rel.BY_INSTITUTION}]-(w:{Label.WORK})
               -[:{Rel.ABOUT}]->(t:{Label.TOPIC})
WITH page, t, count(DISTINCT w) AS works
ORDER BY works DESC, t.id
WITH page, [x IN collect({{props: properties(t), works: works}})
           WHERE x.props IS NOT NULL] AS items
RETURN {PAGE_SLICE}
"""


# Works per publication year among those that name the institution in their authorships.
WORKS_BY_YEAR = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.INSTITUTION} {{id: key}})<-[:{Rel.BY_INSTITUTION}]-(w:{Label.WORK})
WHERE w.publication_year IS NOT NULL
WITH key, w.publication_year AS year, count(DISTINCT w) AS works
ORDER BY year
RETURN key, [x IN collect({{year: year, works: works}}) WHERE x.year IS NOT NULL] AS items
"""


@dataclass(frozen=True)
class YearWorks:
    year: int
    works: int


async def works_by_year(tx: Tx, ids: Sequence[str]) -> list[list[YearWorks]]:
    """Each institution's works per publication year, oldest first (years without works left
    out)."""
    rows = {r["key"]: r["items"] for r in await fetch(tx, WORKS_BY_YEAR, ids=list(ids))}
    return [
        [YearWorks(int(x["year"]), int(x["works"])) for x in rows.get(key) or []] for key in ids
    ]


async def institutions_by_id(tx: Tx, ids: Sequence[str]) -> list[Institution | None]:
    rows = {r["key"]: r["props"] for r in await fetch(tx, INSTITUTIONS_BY_ID, ids=list(ids))}
    return [model_or_none(Institution, rows.get(key)) for key in ids]


async def _institution_lists(tx: Tx, query: str, ids: Sequence[str]) -> list[list[Institution]]:
    found = await fetch(tx, query, ids=list(ids), **LINEAGE_PARAMS)
    rows = {r["key"]: r["items"] for r in found}
    result = []
    for key in ids:
        models = (model_or_none(Institution, props) for props in rows.get(key) or [])
        result.append([m for m in models if m is not None])
    return result


async def parents(tx: Tx, ids: Sequence[str]) -> list[list[Institution]]:
    """The institutions each is directly part of (ROR parents, OpenAlex `parent`
    associations), by name."""
    return await _institution_lists(tx, PARENTS, ids)


async def children(tx: Tx, ids: Sequence[str]) -> list[list[Institution]]:
    """The institutions directly part of each, by name."""
    return await _institution_lists(tx, CHILDREN, ids)


async def lineage(tx: Tx, ids: Sequence[str]) -> list[list[Institution]]:
    """Every institution each is part of: OpenAlex lineage and the direct parents followed
    up, by name."""
    return await _institution_lists(tx, LINEAGE, ids)


def _affiliated(item: dict[str, Any]) -> AffiliatedScientist | None:
    scientist = model_or_none(Scientist, item["props"])
    if scientist is None:
        return None
    return AffiliatedScientist(scientist, int(item["works"]), item["start_year"], item["end_year"])


async def scientist_pages(tx: Tx, pages: Sequence[PageKey]) -> list[Page[AffiliatedScientist]]:
    """Pages of each institution's people, most works there first (ties: id)."""
    rows = await fetch(tx, SCIENTIST_PAGES, pages=page_params(pages))
    return pages_in_order(pages, rows, _affiliated)


async def team_pages(tx: Tx, pages: Sequence[PageKey]) -> list[Page[Team]]:
    """Pages of the teams based at each institution, most works first."""
    rows = await fetch(tx, TEAM_PAGES, pages=page_params(pages))
    return pages_in_order(pages, rows, lambda props: model_or_none(Team, props))


def _topic_count(item: dict[str, Any]) -> TopicCount | None:
    topic = model_or_none(Topic, item["props"])
    return None if topic is None else TopicCount(topic, int(item["works"]))


async def top_topics(tx: Tx, pages: Sequence[PageKey]) -> list[Page[TopicCount]]:
    """The topics of each institution's works, most works first (ties: id)."""
    rows = await fetch(tx, TOP_TOPICS, pages=page_params(pages))
    return pages_in_order(pages, rows, _topic_count)
