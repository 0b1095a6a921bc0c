"""Search, typeahead and facets, batched by key for per-request DataLoaders.

Full text goes through the Lucene indexes of migration 3 (`scientist_names`,
`institution_names`, `topic_names`). User text never reaches Lucene's syntax: `lucene_query`
escapes every operator character and lower-cases the words (so `AND`, `OR`, `NOT` are plain
words), and a word in hanzi also matches its pinyin spellings (张伟 -> "zhang wei"), while a
query in pinyin finds a hanzi name through the pinyin the index keeps beside it.

Every batch function makes one `UNWIND $keys` query: the filters are per-key parameters tested
as `key.x IS NULL OR ...`, the sort order a per-key rank, so one query text serves every key.
(The region filter of institutions is the one exception: `region_institutions_match` takes its
region as a query parameter, so keys are grouped by region, one query per region asked.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from graph.nodes import to_model
from graph.reader import Tx, fetch
from graph.write.region import region_institutions_match
from schema.institution import Institution
from schema.labels import Label, Rel
from schema.names import has_hanzi, pinyin_words
from schema.scientist import Scientist

M = TypeVar("M")

# --- Lucene query text ------------------------------------------------------------------------

# Lucene's classic query parser syntax: each of these is an operator unless escaped.
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_HAN_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_WORDLIKE = re.compile(r"\w")
# A query's words are AND-ed; more than this many make a typo-sized query pointless and a big
# Boolean query expensive.
MAX_QUERY_WORDS = 16


def escape_lucene(word: str) -> str:
    """`word` with every Lucene operator character escaped."""
    return _LUCENE_SPECIAL.sub(r"\\\1", word)


def _words(text: str) -> list[str]:
    """Whitespace-separated words, hanzi runs split from the letters around them."""
    words: list[str] = []
    for chunk in text.split():
        words.extend(part for part in _HAN_RUN.split(chunk) if _WORDLIKE.search(part))
    return words[:MAX_QUERY_WORDS]


def lucene_query(text: str, *, prefix: bool = False, pinyin: bool = False) -> str | None:
    """The Lucene query that finds nodes whose names contain every word of `text`, or None
    when `text` has no word to search for.

    `prefix`: the last word may be incomplete (typeahead): `tsin` also finds "Tsinghua",
    exact words ranking first. `pinyin`: a word in hanzi also matches the words of its pinyin
    spellings, in any order (person names: 张晓明 finds "Xiaoming Zhang" and "Xiao-Ming Zhang").
    Hanzi are searched as a phrase, which the CJK analyzer turns into its bigrams."""
    words = _words(text)
    clauses: list[str] = []
    for i, word in enumerate(words):
        last = prefix and i == len(words) - 1
        if has_hanzi(word):
            options = [f"{word}*" if last and len(word) == 1 else f'"{word}"']
            if pinyin:
                options += [
                    "(" + " AND ".join(escape_lucene(w) for w in spelling) + ")"
                    for spelling in pinyin_words(word)
                ]
            clauses.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
        else:
            escaped = escape_lucene(word.lower())
            clauses.append(f"({escaped} OR {escaped}*)" if last else escaped)
    return " AND ".join(clauses) if clauses else None


# --- keys and results -------------------------------------------------------------------------


class ScientistOrder(StrEnum):
    RELEVANCE = "relevance"
    H_INDEX = "h_index"
    CITATIONS = "citations"
    RECENT_OUTPUT = "recent_output"
    SCORE = "score"


class InstitutionOrder(StrEnum):
    RELEVANCE = "relevance"
    WORKS = "works"
    CITATIONS = "citations"
    NAME = "name"


@dataclass(frozen=True)
class ScientistCriteria:
    """Which scientists: every condition set must hold (a list matches any of its values).

    Institutions count through AFFILIATED_WITH (author records and authorships); `country`,
    `city` and `institution` must hold for one and the same institution. Topics count through
    EXPERT_IN: `taxa` are topics, subfields, fields or domains above them; an industry's or a
    segment's topics are those its segments NEED (a needed subfield brings all its topics)."""

    taxa: tuple[str, ...] | None = None
    industry: str | None = None
    segment: str | None = None
    country: str | None = None
    city: str | None = None
    institution: str | None = None
    h_min: int | None = None
    h_max: int | None = None
    works_min: int | None = None
    works_max: int | None = None
    active_since: int | None = None
    tier: str | None = None

    def params(self) -> dict[str, Any]:
        values = asdict(self)
        values["taxa"] = list(self.taxa) if self.taxa is not None else None
        values["city"] = self.city.lower() if self.city else None
        values["filtered"] = any(v is not None for v in asdict(self).values())
        return values


@dataclass(frozen=True)
class ScientistSearch:
    lucene: str | None
    criteria: ScientistCriteria
    order: ScientistOrder
    recent_since: int
    offset: int
    limit: int


@dataclass(frozen=True)
class InstitutionSearch:
    lucene: str | None
    order: InstitutionOrder
    offset: int
    limit: int
    country: str | None = None
    city: str | None = None
    type: str | None = None
    region: str | None = None
    taxa: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Hit(Generic[M]):
    node: M
    score: float | None


@dataclass(frozen=True)
class SearchPage(Generic[M]):
    total: int
    hits: list[Hit[M]]


# --- scientists -------------------------------------------------------------------------------

# A scientist's number of works and citations: the author record's, else what the graph holds.
SCIENTIST_WORKS = f"coalesce(s.works_count, COUNT {{ (s)-[:{Rel.AUTHORED}]->(:{Label.WORK}) }})"
SCIENTIST_CITATIONS = (
    "coalesce(s.cited_by_count, reduce(total = 0, c IN "
    f"[(s)-[:{Rel.AUTHORED}]->(w:{Label.WORK}) | coalesce(w.cited_by_count, 0)] | total + c))"
)


# Cypher condition: scientist `s` meets the criteria in the map `key` (ScientistCriteria.params);
# `via` says which condition the candidates were found through (SEARCH_SCIENTISTS), so it holds.
SCIENTIST_FILTER = f"""(
  (key.taxa IS NULL OR EXISTS {{
    MATCH (s)-[:{Rel.EXPERT_IN}]->(:{Label.TOPIC})-[:{Rel.PART_OF}*0..3]->(x)
    WHERE x.id IN key.taxa }})
  AND (key.industry IS NULL OR via = 'industry' OR EXISTS {{
    MATCH (s)-[:{Rel.EXPERT_IN}]->(:{Label.TOPIC})-[:{Rel.PART_OF}*0..1]->(n)
          <-[:{Rel.NEEDS}]-(:{Label.CHAIN_SEGMENT})-[:{Rel.PART_OF}]->
          (:{Label.INDUSTRY} {{id: key.industry}}) }})
  AND (key.segment IS NULL OR via = 'segment' OR EXISTS {{
    MATCH (s)-[:{Rel.EXPERT_IN}]->(:{Label.TOPIC})-[:{Rel.PART_OF}*0..1]->(n)
          <-[:{Rel.NEEDS}]-(:{Label.CHAIN_SEGMENT} {{id: key.segment}}) }})
  AND ((key.country IS NULL AND key.city IS NULL AND key.institution IS NULL) OR EXISTS {{
    MATCH (s)-[:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION})
    WHERE (key.institution IS NULL OR i.id = key.institution)
      AND (key.country IS NULL OR i.country_code = key.country)
      AND (key.city IS NULL OR toLower(i.city) = key.city) }})
  AND (key.h_min IS NULL OR s.h_index >= key.h_min)
  AND (key.h_max IS NULL OR s.h_index <= key.h_max)
  AND (key.works_min IS NULL OR {SCIENTIST_WORKS} >= key.works_min)
  AND (key.works_max IS NULL OR {SCIENTIST_WORKS} <= key.works_max)
  AND (key.active_since IS NULL OR EXISTS {{
    MATCH (s)-[:{Rel.AUTHORED}]->(w:{Label.WORK}) WHERE w.publication_year >= key.active_since }})
  AND (key.tier IS NULL OR s.eval_tier = key.tier)
)"""

# The evaluation model's score (ingest/derived/evaluation.py, stored by the derived step): for
# a segment filter, the segment's score (the overall weights scaled by 1 - the segment-fit
# weight, plus that weight times the segment-fit percentile on RANKED_IN, 0 when not ranked
# there), as graph/queries/evaluation.py explains it; else the overall score.
SCIENTIST_SCORE = f"""CASE WHEN key.segment IS NULL THEN s.eval_score
  ELSE (1 - s.eval_fit_weight) * s.eval_score + s.eval_fit_weight * coalesce(head(COLLECT {{
    MATCH (s)-[r:{Rel.RANKED_IN} {{segment: key.segment}}]->(:{Label.CHAIN_SEGMENT})
    RETURN r.fit_percentile }}), 0.0)
END"""


# The candidates: the name index's hits; else the experts in a segment's topics (or an
# industry's), found from the segment once rather than checked for every scientist (548 ms at
# 100K authorships for an industry filter: bench/api, "search by score"); else everyone.
SEARCH_SCIENTISTS = f"""
UNWIND $keys AS key
CALL (key) {{
  WITH key WHERE key.lucene IS NOT NULL
  CALL db.index.fulltext.queryNodes('scientist_names', key.lucene) YIELD node, score
  RETURN node AS s, score, null AS via
  UNION
  WITH key WHERE key.lucene IS NULL AND key.segment IS NOT NULL
  MATCH (:{Label.CHAIN_SEGMENT} {{id: key.segment}})-[:{Rel.NEEDS}]->(n)
        <-[:{Rel.PART_OF}*0..1]-(:{Label.TOPIC})<-[:{Rel.EXPERT_IN}]-(s:{Label.SCIENTIST})
  RETURN DISTINCT s, null AS score, 'segment' AS via
  UNION
  WITH key WHERE key.lucene IS NULL AND key.segment IS NULL AND key.industry IS NOT NULL
  MATCH (:{Label.INDUSTRY} {{id: key.industry}})<-[:{Rel.PART_OF}]-(:{Label.CHAIN_SEGMENT})
        -[:{Rel.NEEDS}]->(n)<-[:{Rel.PART_OF}*0..1]-(:{Label.TOPIC})
        <-[:{Rel.EXPERT_IN}]-(s:{Label.SCIENTIST})
  RETURN DISTINCT s, null AS score, 'industry' AS via
  UNION
  WITH key WHERE key.lucene IS NULL AND key.segment IS NULL AND key.industry IS NULL
  MATCH (s:{Label.SCIENTIST})
  RETURN s, null AS score, null AS via
}}
WITH key, s, score, via
WHERE {SCIENTIST_FILTER}
WITH key, s, score, CASE key.order
  WHEN 'relevance' THEN score
  WHEN 'h_index' THEN toFloat(s.h_index)
  WHEN 'citations' THEN toFloat({SCIENTIST_CITATIONS})
  WHEN 'recent_output' THEN toFloat(COUNT {{
    (s)-[:{Rel.AUTHORED}]->(w:{Label.WORK}) WHERE w.publication_year >= key.recent_since }})
  WHEN 'score' THEN {SCIENTIST_SCORE}
END AS rank
ORDER BY key.i, coalesce(rank, -1.0) DESC, s.id
WITH key, collect({{s: s, score: score}}) AS hits
RETURN key.i AS i, size(hits) AS total,
       [h IN hits[key.offset..key.offset + key.limit] | {{props: properties(h.s), score: h.score}}]
       AS page
"""


def _pages(model: type[M], keys: Sequence[Any], rows: list[dict[str, Any]]) -> list[SearchPage[M]]:
    by_index = {int(r["i"]): r for r in rows}
    pages: list[SearchPage[M]] = []
    for i in range(len(keys)):
        row = by_index.get(i)
        if row is None:
            pages.append(SearchPage(total=0, hits=[]))
            continue
        hits = []
        for item in row["page"]:
            node = to_model(model, item["props"])  # type: ignore[type-var]  # M is a model
            if node is not None:
                hits.append(Hit(node=node, score=item["score"]))
        pages.append(SearchPage(total=int(row["total"]), hits=hits))
    return pages


async def search_scientists(tx: Tx, keys: Sequence[ScientistSearch]) -> list[SearchPage[Scientist]]:
    params = [
        {
            "i": i,
            "lucene": key.lucene,
            "order": key.order.value,
            "recent_since": key.recent_since,
            "offset": key.offset,
            "limit": key.limit,
            **key.criteria.params(),
        }
        for i, key in enumerate(keys)
    ]
    return _pages(Scientist, keys, await fetch(tx, SEARCH_SCIENTISTS, keys=params))


# --- institutions -----------------------------------------------------------------------------

INSTITUTION_WORKS = (
    f"coalesce(i.works_count, COUNT {{ (i)<-[:{Rel.BY_INSTITUTION}]-(:{Label.WORK}) }})"
)
INSTITUTION_CITATIONS = (
    "coalesce(i.cited_by_count, reduce(total = 0, c IN "
    f"[(i)<-[:{Rel.BY_INSTITUTION}]-(w:{Label.WORK}) | coalesce(w.cited_by_count, 0)] "
    "| total + c))"
)


def search_institutions_query(with_region: bool) -> str:
    """One query for keys of one region (or none): `$region` is the region's id."""
    prelude = (
        f"{region_institutions_match()}\nWITH collect(i.id) AS region_ids\n"
        if with_region
        else "WITH null AS region_ids\n"
    )
    return f"""{prelude}
UNWIND $keys AS key
CALL (key) {{
  WITH key WHERE key.lucene IS NOT NULL
  CALL db.index.fulltext.queryNodes('institution_names', key.lucene) YIELD node, score
  RETURN node AS i, score
  UNION
  WITH key WHERE key.lucene IS NULL
  MATCH (i:{Label.INSTITUTION}) WHERE i.name IS NOT NULL
  RETURN i, null AS score
}}
WITH key, i, score
WHERE (region_ids IS NULL OR i.id IN region_ids)
  AND (key.country IS NULL OR i.country_code = key.country)
  AND (key.city IS NULL OR toLower(i.city) = key.city)
  AND (key.type IS NULL OR toLower(i.type) = key.type)
  AND (key.taxa IS NULL OR EXISTS {{
    MATCH (i)<-[:{Rel.BY_INSTITUTION}]-(:{Label.WORK})-[:{Rel.ABOUT}]->(:{Label.TOPIC})
          -[:{Rel.PART_OF}*0..3]->(x)
    WHERE x.id IN key.taxa }})
WITH key, i, score, CASE key.order
  WHEN 'relevance' THEN score
  WHEN 'works' THEN toFloat({INSTITUTION_WORKS})
  WHEN 'citations' THEN toFloat({INSTITUTION_CITATIONS})
END AS rank, CASE key.order WHEN 'name' THEN toLower(i.name) END AS name_key
ORDER BY key.i, coalesce(rank, -1.0) DESC, name_key, i.id
WITH key, collect({{i: i, score: score}}) AS hits
RETURN key.i AS i, size(hits) AS total,
       [h IN hits[key.offset..key.offset + key.limit] | {{props: properties(h.i), score: h.score}}]
       AS page
"""


SEARCH_INSTITUTIONS = search_institutions_query(with_region=False)
SEARCH_INSTITUTIONS_IN_REGION = search_institutions_query(with_region=True)


async def search_institutions(
    tx: Tx, keys: Sequence[InstitutionSearch]
) -> list[SearchPage[Institution]]:
    result: list[SearchPage[Institution] | None] = [None] * len(keys)
    for region in dict.fromkeys(key.region for key in keys):
        group = [(n, key) for n, key in enumerate(keys) if key.region == region]
        params = [
            {
                "i": i,
                "lucene": key.lucene,
                "order": key.order.value,
                "offset": key.offset,
                "limit": key.limit,
                "country": key.country,
                "city": key.city.lower() if key.city else None,
                "type": key.type.lower() if key.type else None,
                "taxa": list(key.taxa) if key.taxa is not None else None,
            }
            for i, (_, key) in enumerate(group)
        ]
        if region is None:
            rows = await fetch(tx, SEARCH_INSTITUTIONS, keys=params)
        else:
            rows = await fetch(tx, SEARCH_INSTITUTIONS_IN_REGION, keys=params, region=region)
        for (n, _), page in zip(group, _pages(Institution, group, rows), strict=True):
            result[n] = page
    return [page for page in result if page is not None]
