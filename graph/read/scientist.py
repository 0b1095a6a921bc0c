"""Reading scientists and their works, batched by key for per-request DataLoaders.

Every function takes a transaction and a list of keys, makes one `UNWIND $keys` query and
returns results in key order (None where nothing matched).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.nodes import institution_props, model_or_none, to_model
from graph.paging import PAGE_SLICE, Page, page_params, pages_in_order
from graph.paging import PageKey as PageKey
from graph.reader import Tx, fetch
from schema.institution import Institution
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.team import Team
from schema.topic import Topic
from schema.work import Work

SCIENTISTS_BY_ID = f"""
UNWIND $ids AS key
OPTIONAL MATCH (s:{Label.SCIENTIST} {{id: key}})
RETURN key, properties(s) AS props
"""
WORK_COUNTS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.SCIENTIST} {{id: key}})-[:{Rel.AUTHORED}]->(w:{Label.WORK})
RETURN key, count(DISTINCT w) AS total
"""
# Newest first; SKIP/LIMIT cannot take per-row values, so each page is a slice of the ordered
# list (a scientist's works number in the thousands at most).
WORK_PAGES = f"""
UNWIND $pages AS page
OPTIONAL MATCH (:{Label.SCIENTIST} {{id: page.id}})-[:{Rel.AUTHORED}]->(w:{Label.WORK})
WITH page, w ORDER BY w.publication_year DESC, w.publication_date DESC, w.id
WITH page, collect(properties(w)) AS works
RETURN page.id AS id, page.offset AS offset, page.limit AS limit,
       works[page.offset..page.offset + page.limit] AS works
"""


async def scientists_by_id(tx: Tx, ids: Sequence[str]) -> list[Scientist | None]:
    rows = {r["key"]: r["props"] for r in await fetch(tx, SCIENTISTS_BY_ID, ids=list(ids))}
    return [to_model(Scientist, rows.get(key)) for key in ids]


async def work_counts(tx: Tx, ids: Sequence[str]) -> list[int]:
    rows = {r["key"]: int(r["total"]) for r in await fetch(tx, WORK_COUNTS, ids=list(ids))}
    return [rows.get(key, 0) for key in ids]


async def work_pages(tx: Tx, pages: Sequence[PageKey]) -> list[list[Work]]:
    params = [{"id": p.id, "offset": p.offset, "limit": p.limit} for p in pages]
    rows = {
        PageKey(r["id"], r["offset"], r["limit"]): r["works"]
        for r in await fetch(tx, WORK_PAGES, pages=params)
    }
    result: list[list[Work]] = []
    for page in pages:
        works = [to_model(Work, props) for props in rows.get(page, [])]
        result.append([w for w in works if w is not None])
    return result


# --- a scientist's ties ----------------------------------------------------------------------


@dataclass(frozen=True)
class Affiliation:
    """An AFFILIATED_WITH edge: from the person's Author record (`openalex_author`, with the
    years it lists), derived from their authorships (`openalex_authorship`, with the works
    that name the institution; `matcher`, from their raw affiliation strings) or from text
    (`text`); `confidence` below 1 for the last two."""

    institution: Institution
    source: str
    start_year: int | None
    end_year: int | None
    works: int | None
    confidence: float | None = None


@dataclass(frozen=True)
class Expertise:
    """An EXPERT_IN edge: the person's works about the topic and their summed topic score."""

    topic: Topic
    score: float
    works: int


@dataclass(frozen=True)
class Membership:
    """A MEMBER_OF edge: the person's team, role in it and years."""

    team: Team
    role: str
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True)
class Coauthor:
    """A COAUTHORED edge seen from one side: the other person and their shared works."""

    scientist: Scientist
    shared_works: int
    first_year: int | None
    last_year: int | None


AFFILIATIONS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.SCIENTIST} {{id: key}})-[r:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION})
WITH key, r, i ORDER BY r.end_year DESC, r.start_year DESC, i.id, r.source
RETURN key, [x IN collect({{props: {institution_props("i")}, source: r.source,
                     start_year: r.start_year, end_year: r.end_year, works: r.works,
                     confidence: r.confidence}})
           WHERE x.props IS NOT NULL] AS items
"""
EXPERTISE = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.SCIENTIST} {{id: key}})-[r:{Rel.EXPERT_IN}]->(t:{Label.TOPIC})
WITH key, r, t ORDER BY r.score DESC, r.works DESC, t.id
RETURN key, [x IN collect({{props: properties(t), score: r.score, works: r.works}})
           WHERE x.props IS NOT NULL] AS items
"""
MEMBERSHIPS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.SCIENTIST} {{id: key}})-[m:{Rel.MEMBER_OF}]->(t:{Label.TEAM})
WITH key, m, t ORDER BY t.works DESC, t.id
RETURN key, [x IN collect({{props: properties(t), role: m.role,
                     first_year: m.first_year, last_year: m.last_year}})
           WHERE x.props IS NOT NULL] AS items
"""
# COAUTHORED is stored once per pair, from the smaller id to the larger: read both directions.
COAUTHOR_PAGES = f"""
UNWIND $pages AS page
OPTIONAL MATCH (:{Label.SCIENTIST} {{id: page.id}})-[r:{Rel.COAUTHORED}]-(c:{Label.SCIENTIST})
WITH page, r, c ORDER BY r.works DESC, c.id
WITH page, [x IN collect({{props: properties(c), works: r.works,
                    first_year: r.first_year, last_year: r.last_year}})
           WHERE x.props IS NOT NULL] AS items
RETURN {PAGE_SLICE}
"""


async def _lists(tx: Tx, query: str, ids: Sequence[str]) -> list[list[dict[str, Any]]]:
    rows = {r["key"]: r["items"] for r in await fetch(tx, query, ids=list(ids))}
    return [rows.get(key) or [] for key in ids]


async def affiliations(tx: Tx, ids: Sequence[str]) -> list[list[Affiliation]]:
    """Each person's affiliations, latest first, both sources."""
    result = []
    for items in await _lists(tx, AFFILIATIONS, ids):
        found = []
        for item in items:
            institution = model_or_none(Institution, item["props"])
            if institution is not None:
                found.append(
                    Affiliation(
                        institution,
                        item["source"],
                        item["start_year"],
                        item["end_year"],
                        item["works"],
                        item["confidence"],
                    )
                )
        result.append(found)
    return result


async def expertise(tx: Tx, ids: Sequence[str]) -> list[list[Expertise]]:
    """Each person's topics, highest score first."""
    result = []
    for items in await _lists(tx, EXPERTISE, ids):
        found = []
        for item in items:
            topic = model_or_none(Topic, item["props"])
            if topic is not None:
                found.append(Expertise(topic, float(item["score"] or 0), int(item["works"] or 0)))
        result.append(found)
    return result


async def memberships(tx: Tx, ids: Sequence[str]) -> list[list[Membership]]:
    """Each person's teams, the team with most works first."""
    result = []
    for items in await _lists(tx, MEMBERSHIPS, ids):
        found = []
        for item in items:
            team = model_or_none(Team, item["props"])
            if team is not None:
                found.append(Membership(team, item["role"], item["first_year"], item["last_year"]))
        result.append(found)
    return result


def _coauthor(item: dict[str, Any]) -> Coauthor | None:
    scientist = model_or_none(Scientist, item["props"])
    if scientist is None:
        return None
    return Coauthor(scientist, int(item["works"] or 0), item["first_year"], item["last_year"])


async def coauthor_pages(tx: Tx, pages: Sequence[PageKey]) -> list[Page[Coauthor]]:
    """Pages of each person's co-authors, most shared works first (ties: id)."""
    rows = await fetch(tx, COAUTHOR_PAGES, pages=page_params(pages))
    return pages_in_order(pages, rows, _coauthor)
