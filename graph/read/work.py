"""Reading works' authors, topics, source and institutions, batched by key for per-request
DataLoaders. (`graph.write.work` writes them.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.nodes import institution_props, model_or_none
from graph.reader import Tx, fetch
from schema.institution import Institution
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.topic import Topic
from schema.venue import PublicationSource


@dataclass(frozen=True)
class WorkAuthor:
    """An AUTHORED edge seen from the work: the person, their place in the author list, and
    the institutions (our ids) the authorship names."""

    scientist: Scientist
    position: int
    is_corresponding: bool
    institution_ids: tuple[str, ...]


@dataclass(frozen=True)
class WorkTopicScore:
    """An ABOUT edge: OpenAlex's score of the topic for the work."""

    topic: Topic
    score: float
    primary: bool


AUTHORS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.WORK} {{id: key}})<-[a:{Rel.AUTHORED}]-(s:{Label.SCIENTIST})
WITH key, a, s ORDER BY a.position, s.id
RETURN key, [x IN collect({{props: properties(s), position: a.position,
                           is_corresponding: a.is_corresponding,
                           institution_ids: a.institution_ids}})
             WHERE x.props IS NOT NULL] AS items
"""
TOPICS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.WORK} {{id: key}})-[a:{Rel.ABOUT}]->(t:{Label.TOPIC})
WITH key, a, t ORDER BY a.score DESC, t.id
RETURN key, [x IN collect({{props: properties(t), score: a.score, primary: a.primary}})
             WHERE x.props IS NOT NULL] AS items
"""
SOURCES = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.WORK} {{id: key}})-[:{Rel.PUBLISHED_IN}]->(s:{Label.SOURCE})
WITH key, s ORDER BY s.id
RETURN key, collect(properties(s))[0] AS props
"""
INSTITUTIONS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.WORK} {{id: key}})-[:{Rel.BY_INSTITUTION}]->(i:{Label.INSTITUTION})
WITH key, i ORDER BY i.name, i.id
RETURN key, collect({institution_props("i")}) AS items
"""


async def _rows(tx: Tx, query: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in await fetch(tx, query, ids=list(ids))}


async def authors(tx: Tx, ids: Sequence[str]) -> list[list[WorkAuthor]]:
    """Each work's authors in author order."""
    rows = await _rows(tx, AUTHORS, ids)
    result = []
    for key in ids:
        found = []
        for item in (rows.get(key) or {}).get("items") or []:
            scientist = model_or_none(Scientist, item["props"])
            if scientist is not None:
                found.append(
                    WorkAuthor(
                        scientist,
                        int(item["position"] or 0),
                        bool(item["is_corresponding"]),
                        tuple(item["institution_ids"] or ()),
                    )
                )
        result.append(found)
    return result


async def topics(tx: Tx, ids: Sequence[str]) -> list[list[WorkTopicScore]]:
    """Each work's topics, highest score first."""
    rows = await _rows(tx, TOPICS, ids)
    result = []
    for key in ids:
        found = []
        for item in (rows.get(key) or {}).get("items") or []:
            topic = model_or_none(Topic, item["props"])
            if topic is not None:
                found.append(
                    WorkTopicScore(topic, float(item["score"] or 0), bool(item["primary"]))
                )
        result.append(found)
    return result


async def sources(tx: Tx, ids: Sequence[str]) -> list[PublicationSource | None]:
    """Where each work was published (None when the record names no source)."""
    rows = await _rows(tx, SOURCES, ids)
    return [model_or_none(PublicationSource, (rows.get(key) or {}).get("props")) for key in ids]


async def institutions(tx: Tx, ids: Sequence[str]) -> list[list[Institution]]:
    """The institutions among each work's authorships' institutions, by name."""
    rows = await _rows(tx, INSTITUTIONS, ids)
    result = []
    for key in ids:
        models = (model_or_none(Institution, p) for p in (rows.get(key) or {}).get("items") or [])
        result.append([m for m in models if m is not None])
    return result
