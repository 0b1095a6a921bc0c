"""Typeahead over the names of scientists, institutions, topics, teams and industries.

Each kind is looked up in its full-text index (migrations 3 and 6) with the query text of
`graph.queries.search.lucene_query` (prefix on the last word; for people, hanzi and pinyin
find each other). At most `CANDIDATES` hits per kind, best Lucene score first, are ranked: a
name equal to the query first, then a name starting with it, then the rest; within each, the
more works (a scientist's, an institution's, a topic's; a team's members; industries have
none) first, then the Lucene score, then id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from graph.nodes import to_model
from graph.queries.search import INSTITUTION_WORKS, SCIENTIST_WORKS
from graph.reader import Tx, fetch
from schema.industry import Industry
from schema.institution import Institution
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.team import Team
from schema.topic import Topic

# Hits read from each index before ranking: a typeahead shows a handful.
CANDIDATES = 200


class EntityKind(StrEnum):
    SCIENTIST = "scientist"
    INSTITUTION = "institution"
    TOPIC = "topic"
    TEAM = "team"
    INDUSTRY = "industry"


MODELS: dict[EntityKind, type[BaseModel]] = {
    EntityKind.SCIENTIST: Scientist,
    EntityKind.INSTITUTION: Institution,
    EntityKind.TOPIC: Topic,
    EntityKind.TEAM: Team,
    EntityKind.INDUSTRY: Industry,
}


@dataclass(frozen=True)
class SuggestKey:
    """`lucene` for the people index (hanzi and pinyin), `lucene_plain` for the others, `text`
    the query lower-cased and trimmed (for exact and prefix ranks)."""

    lucene: str
    lucene_plain: str
    text: str
    kinds: tuple[EntityKind, ...]
    offset: int
    limit: int


@dataclass(frozen=True)
class Suggestion:
    kind: EntityKind
    id: str
    node: BaseModel
    label: str
    detail: str | None


@dataclass(frozen=True)
class Suggestions:
    total: int
    items: list[Suggestion]


def _branch(kind: EntityKind, index: str, lucene: str, names: str, weight: str, where: str) -> str:
    """Candidates of one kind: `node` (as `s` for SCIENTIST_WORKS, `i` for INSTITUTION_WORKS)."""
    var = {EntityKind.SCIENTIST: "s", EntityKind.INSTITUTION: "i"}.get(kind, "n")
    return f"""
  WITH key WHERE '{kind.value}' IN key.kinds
  CALL db.index.fulltext.queryNodes('{index}', key.{lucene}, {{limit: $candidates}})
  YIELD node AS {var}, score
  WITH key, {var}, score WHERE {where}
  RETURN '{kind.value}' AS kind, {var} AS node, score, {names} AS names,
         toFloat({weight}) AS weight"""


_BRANCHES = "\n  UNION".join(
    (
        _branch(
            EntityKind.SCIENTIST, "scientist_names", "lucene", "s.names", SCIENTIST_WORKS, "true"
        ),
        _branch(
            EntityKind.INSTITUTION,
            "institution_names",
            "lucene_plain",
            "i.names",
            INSTITUTION_WORKS,
            "true",
        ),
        _branch(
            EntityKind.TOPIC,
            "topic_names",
            "lucene_plain",
            "[n.name] + coalesce(n.alternative_names, [])",
            f"coalesce(n.works_count, COUNT {{ (n)<-[:{Rel.ABOUT}]-(:{Label.WORK}) }})",
            f"n:{Label.TOPIC}",
        ),
        _branch(
            EntityKind.TEAM,
            "team_names",
            "lucene",
            "[n.name]",
            f"COUNT {{ (n)<-[:{Rel.MEMBER_OF}]-(:{Label.SCIENTIST}) }}",
            "true",
        ),
        _branch(
            EntityKind.INDUSTRY,
            "industry_names",
            "lucene_plain",
            "[n.name_en, n.name_zh]",
            "0",
            "true",
        ),
    )
)

# Per suggestion, the words that tell namesakes apart.
_DETAIL = f"""CASE kind
  WHEN 'scientist' THEN COLLECT {{
    MATCH (node)-[a:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION})
    WITH i ORDER BY coalesce(a.end_year, -1) DESC, coalesce(a.works, 0) DESC, i.id LIMIT 1
    UNWIND [i.name, coalesce(i.country_name, i.country_code)] AS part
    RETURN part }}
  WHEN 'institution' THEN [node.city, coalesce(node.country_name, node.country_code), node.type]
  WHEN 'topic' THEN COLLECT {{
    MATCH (node)-[:{Rel.PART_OF}]->(sf:{Label.SUBFIELD})
    OPTIONAL MATCH (sf)-[:{Rel.PART_OF}]->(f:{Label.FIELD})
    UNWIND [sf.name, f.name] AS part
    RETURN part }}
  WHEN 'team' THEN COLLECT {{
    MATCH (node)-[:{Rel.BASED_AT}]->(i:{Label.INSTITUTION})
    UNWIND [i.name, coalesce(i.country_name, i.country_code)] AS part
    RETURN part }}
  WHEN 'industry' THEN [node.name_zh]
END"""

SUGGEST = f"""
UNWIND $keys AS key
CALL (key) {{{_BRANCHES}
}}
WITH key, kind, node, score, weight, CASE
  WHEN any(name IN names WHERE toLower(name) = key.text) THEN 0
  WHEN any(name IN names WHERE toLower(name) STARTS WITH key.text) THEN 1
  ELSE 2 END AS tier
ORDER BY key.i, tier, weight DESC, score DESC, node.id
WITH key, collect({{kind: kind, node: node}}) AS hits
UNWIND ([null] + hits[key.offset..key.offset + key.limit]) AS hit
WITH key, size(hits) AS total, hit.kind AS kind, hit.node AS node
RETURN key.i AS i, total, kind, properties(node) AS props,
       CASE WHEN node IS NULL THEN null ELSE {_DETAIL} END AS detail
"""


def _label(kind: EntityKind, node: BaseModel) -> str:
    if isinstance(node, Industry):
        return node.name_en
    name = getattr(node, "name", None)
    return str(name) if name else kind.value


async def suggest(tx: Tx, keys: Sequence[SuggestKey]) -> list[Suggestions]:
    params = [
        {
            "i": i,
            "lucene": key.lucene,
            "lucene_plain": key.lucene_plain,
            "text": key.text,
            "kinds": [k.value for k in key.kinds],
            "offset": key.offset,
            "limit": key.limit,
        }
        for i, key in enumerate(keys)
    ]
    rows = await fetch(tx, SUGGEST, keys=params, candidates=CANDIDATES)
    totals: dict[int, int] = {}
    items: dict[int, list[Suggestion]] = {}
    for row in rows:
        i = int(row["i"])
        totals[i] = int(row["total"])
        if row["kind"] is None:
            continue  # the leading null: keeps keys with an empty page in the result
        kind = EntityKind(row["kind"])
        node = to_model(MODELS[kind], row["props"])
        if node is None:
            continue
        parts = [str(p) for p in row["detail"] or [] if p]
        items.setdefault(i, []).append(
            Suggestion(
                kind=kind,
                id=str(row["props"]["id"]),
                node=node,
                label=_label(kind, node),
                detail=", ".join(dict.fromkeys(parts)) or None,
            )
        )
    return [Suggestions(totals.get(i, 0), items.get(i, [])) for i in range(len(keys))]
