"""Reading scientists and their works, batched by key for per-request DataLoaders.

Every function takes a transaction and a list of keys, makes one `UNWIND $keys` query and
returns results in key order (None where nothing matched).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.reader import Tx, fetch
from graph.records import to_model
from schema.labels import Label, Rel
from schema.scientist import Scientist
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


@dataclass(frozen=True)
class PageKey:
    """One page of a list that belongs to `id`: `limit` items after the first `offset`."""

    id: str
    offset: int
    limit: int


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
