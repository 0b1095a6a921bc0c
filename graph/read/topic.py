"""Reading topics, the taxonomy above them and their experts, batched by key for per-request
DataLoaders. (`graph.write.topic` writes them.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.nodes import model_or_none
from graph.paging import PAGE_SLICE, Page, PageKey, page_params, pages_in_order
from graph.reader import Tx, fetch
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.topic import Domain, Field, Subfield, Topic


@dataclass(frozen=True)
class TopicPlace:
    """Where a topic sits in the taxonomy (each level None where the graph has no link)."""

    subfield: Subfield | None
    field: Field | None
    domain: Domain | None


@dataclass(frozen=True)
class Expert:
    """An EXPERT_IN edge seen from the topic: the person, their works about it and score."""

    scientist: Scientist
    score: float
    works: int


TOPICS_BY_ID = f"""
UNWIND $ids AS key
OPTIONAL MATCH (t:{Label.TOPIC} {{id: key}})
RETURN key, properties(t) AS props
"""
PLACES = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.TOPIC} {{id: key}})-[:{Rel.PART_OF}]->(s:{Label.SUBFIELD})
OPTIONAL MATCH (s)-[:{Rel.PART_OF}]->(f:{Label.FIELD})
OPTIONAL MATCH (f)-[:{Rel.PART_OF}]->(d:{Label.DOMAIN})
WITH key, s, f, d ORDER BY s.id, f.id, d.id
WITH key, collect([properties(s), properties(f), properties(d)])[0] AS place
RETURN key, place[0] AS subfield, place[1] AS field, place[2] AS domain
"""
# Highest score first (ties: more works, then id).
EXPERT_PAGES = f"""
UNWIND $pages AS page
OPTIONAL MATCH (:{Label.TOPIC} {{id: page.id}})<-[r:{Rel.EXPERT_IN}]-(s:{Label.SCIENTIST})
WITH page, r, s ORDER BY r.score DESC, r.works DESC, s.id
WITH page, [x IN collect({{props: properties(s), score: r.score, works: r.works}})
            WHERE x.props IS NOT NULL] AS items
RETURN {PAGE_SLICE}
"""


async def topics_by_id(tx: Tx, ids: Sequence[str]) -> list[Topic | None]:
    rows = {r["key"]: r["props"] for r in await fetch(tx, TOPICS_BY_ID, ids=list(ids))}
    return [model_or_none(Topic, rows.get(key)) for key in ids]


async def places(tx: Tx, ids: Sequence[str]) -> list[TopicPlace]:
    """Each topic's subfield, field and domain."""
    rows = {r["key"]: r for r in await fetch(tx, PLACES, ids=list(ids))}
    result = []
    for key in ids:
        row: dict[str, Any] = rows.get(key) or {}
        result.append(
            TopicPlace(
                model_or_none(Subfield, row.get("subfield")),
                model_or_none(Field, row.get("field")),
                model_or_none(Domain, row.get("domain")),
            )
        )
    return result


def _expert(item: dict[str, Any]) -> Expert | None:
    scientist = model_or_none(Scientist, item["props"])
    if scientist is None:
        return None
    return Expert(scientist, float(item["score"] or 0), int(item["works"] or 0))


async def expert_pages(tx: Tx, pages: Sequence[PageKey]) -> list[Page[Expert]]:
    """Pages of each topic's experts, highest score first."""
    rows = await fetch(tx, EXPERT_PAGES, pages=page_params(pages))
    return pages_in_order(pages, rows, _expert)
