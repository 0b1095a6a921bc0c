"""Reading talent chains: an industry's segments in chain order, the topics each needs, and the
scientists, teams and institutions worldwide ranked by their evidence in each segment.

Batch functions for per-request DataLoaders: one `UNWIND $keys` query per call (rankings: one
per distinct region among the keys, which is one for a request's talentChain), results in key
order.

A segment's topics are the Topics it NEEDS and the Topics of the Subfields it NEEDS. Its
matching works are the works ABOUT any of them. The evidence of a scientist, team or
institution in a segment is its matching works (a team's: works a member wrote at the team's
institution, `AUTHORED.institution_ids`; an institution's: works BY_INSTITUTION it), their
citations (`cited_by_count`) and a score, the sum over those works of
1 + log10(1 + citations): every matching work counts, a cited one more, and no single famous
paper outweighs a body of work. Ranks: score, then matching works, then id.

Rankings are derived data: the derived step (ingest.derived.step) computes each segment's ranking
of every kind with `rank_segment` and stores it as RANKED_IN edges {segment, rank, works,
citations, score} to the segment, with the counts on the segment (`ranked_scientists`, ...).
A page of a ranking is then an index seek on (segment, rank) instead of an aggregation over
every matching work; rankings are as fresh as the last derived step, like the metrics.

In the region: an institution when `in_region_pattern` ties it to the region; a team when it is
BASED_AT such an institution; a scientist when one of their latest affiliations (AFFILIATED_WITH
with the largest `end_year`; all of them when none has years) is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from neo4j import ManagedTransaction
from pydantic import BaseModel

from graph.nodes import to_model
from graph.reader import Tx, fetch
from graph.write.region import in_region_pattern, region_node_match
from schema.industry import ChainSegment, Industry
from schema.institution import Institution
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.team import Team
from schema.topic import Topic

M = TypeVar("M", bound=BaseModel)

INDUSTRIES_BY_ID = f"""
UNWIND $ids AS key
OPTIONAL MATCH (n:{Label.INDUSTRY} {{id: key}})
RETURN key, properties(n) AS props
"""
INDUSTRY_SEGMENTS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (s:{Label.CHAIN_SEGMENT})-[:{Rel.PART_OF}]->(:{Label.INDUSTRY} {{id: key}})
WITH key, s ORDER BY s.order, s.id
RETURN key, collect(properties(s)) AS segments
"""
_TOPICS = (
    f"[(seg)-[:{Rel.NEEDS}]->(t:{Label.TOPIC}) | t] + "
    f"[(seg)-[:{Rel.NEEDS}]->(:{Label.SUBFIELD})<-[:{Rel.PART_OF}]-(t:{Label.TOPIC}) | t]"
)
SEGMENT_TOPICS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (seg:{Label.CHAIN_SEGMENT} {{id: key}})
WITH key, seg
CALL (seg) {{
  UNWIND {_TOPICS} AS t
  WITH DISTINCT t ORDER BY t.id
  RETURN collect(properties(t)) AS topics
}}
RETURN key, topics
"""


class RankedKind(StrEnum):
    """What a ranking ranks."""

    SCIENTIST = "scientist"
    TEAM = "team"
    INSTITUTION = "institution"


_LABEL = {
    RankedKind.SCIENTIST: Label.SCIENTIST,
    RankedKind.TEAM: Label.TEAM,
    RankedKind.INSTITUTION: Label.INSTITUTION,
}
# The segment's property holding how many of a kind it ranks (written with the ranking).
_TOTAL = {kind: f"ranked_{kind}s" for kind in RankedKind}
# Per kind: from a matching work `w` of segment `seg`, rows of (seg, x, w) with x the node the
# work is evidence for.
_EVIDENCE = {
    RankedKind.SCIENTIST: f"MATCH (w)<-[:{Rel.AUTHORED}]-(x:{Label.SCIENTIST})",
    RankedKind.TEAM: f"""MATCH (w)<-[a:{Rel.AUTHORED}]-(:{Label.SCIENTIST})
        -[:{Rel.MEMBER_OF}]->(x:{Label.TEAM})-[:{Rel.BASED_AT}]->(home:{Label.INSTITUTION})
  WHERE home.id IN a.institution_ids
  WITH DISTINCT seg, x, w""",
    RankedKind.INSTITUTION: f"MATCH (w)-[:{Rel.BY_INSTITUTION}]->(x:{Label.INSTITUTION})",
}
# Per kind: from an institution `i` of the region, the nodes `x` that may be in the region
# through it (the in-region test below decides).
_FROM_REGION = {
    RankedKind.SCIENTIST: f"MATCH (i)<-[:{Rel.AFFILIATED_WITH}]-(x:{Label.SCIENTIST})",
    RankedKind.TEAM: f"MATCH (i)<-[:{Rel.BASED_AT}]-(x:{Label.TEAM})",
    RankedKind.INSTITUTION: "WITH i AS x",
}
# Per kind: whether `x` is in the bound region `r`.
_IN_REGION = {
    RankedKind.SCIENTIST: f"""EXISTS {{
    MATCH (x)-[a:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION})
    WHERE a.end_year = latest OR latest IS NULL
    MATCH {in_region_pattern("i", "r")}
  }}""",
    RankedKind.TEAM: f"""EXISTS {{
    MATCH (x)-[:{Rel.BASED_AT}]->(i:{Label.INSTITUTION})
    MATCH {in_region_pattern("i", "r")}
  }}""",
    RankedKind.INSTITUTION: f"EXISTS {{ MATCH {in_region_pattern('x', 'r')} }}",
}
# A scientist's latest affiliation year, needed by their in-region test only.
_LATEST = {
    RankedKind.SCIENTIST: f"""
  CALL (x) {{
    OPTIONAL MATCH (x)-[a:{Rel.AFFILIATED_WITH}]->(:{Label.INSTITUTION})
    RETURN max(a.end_year) AS latest
  }}""",
    RankedKind.TEAM: "",
    RankedKind.INSTITUTION: "",
}


def rank_query(kind: RankedKind) -> str:
    """Replace segment `$segment`'s ranking of `kind`: one RANKED_IN edge {segment, rank (from
    1), works, citations, score} from each node with matching works, and the count on the
    segment (`ranked_<kind>s`)."""
    label = _LABEL[kind]
    return f"""
MATCH (seg:{Label.CHAIN_SEGMENT} {{id: $segment}})
CALL (seg) {{
  MATCH (seg)<-[old:{Rel.RANKED_IN}]-(:{label})
  DELETE old
}}
CALL (seg) {{
  UNWIND {_TOPICS} AS t
  MATCH (t)<-[:{Rel.ABOUT}]-(w:{Label.WORK})
  WITH DISTINCT seg, w
  {_EVIDENCE[kind]}
  WITH seg, x, count(w) AS works, sum(coalesce(w.cited_by_count, 0)) AS citations,
       round(sum(1.0 + log10(1.0 + coalesce(w.cited_by_count, 0))), 6) AS score
  ORDER BY score DESC, works DESC, x.id
  WITH seg, collect({{x: x, works: works, citations: citations, score: score}}) AS ranked
  UNWIND range(0, size(ranked) - 1) AS i
  WITH seg, ranked[i] AS row, i + 1 AS rank
  WITH seg, row, row.x AS x, rank
  CREATE (x)-[:{Rel.RANKED_IN} {{segment: seg.id, rank: rank, model_rank: rank,
                               works: row.works, citations: row.citations,
                               score: row.score}}]->(seg)
  RETURN count(*) AS ranked
}}
SET seg.{_TOTAL[kind]} = ranked, seg.ranked_at = datetime()
RETURN ranked
"""


RANK = {kind: rank_query(kind) for kind in RankedKind}


# Scientists are listed in the evaluation model's order for the segment (`model_rank`, by
# `segment_score`: MODEL_RANK below); teams and institutions, which the model does not score,
# by their evidence (`rank`).
_ORDER = {
    RankedKind.SCIENTIST: "model_rank",
    RankedKind.TEAM: "rank",
    RankedKind.INSTITUTION: "rank",
}


def page_query(kind: RankedKind, *, regional: bool) -> str:
    """Per key {segment, offset, limit}: `total` ranked nodes with matching works, `inside`
    (how many of them are in the region `$region`; null when not `regional`) and `top`, the
    `limit` after the first `offset` in order (_ORDER), each {props, works, citations, score,
    segment_score, inside}; read from the stored ranking (an index seek on segment and rank or
    model_rank)."""
    label = _LABEL[kind]
    order = _ORDER[kind]
    region = region_node_match("region", "r") if regional else "WITH null AS r"
    test = _IN_REGION[kind] if regional else "null"
    count_inside = (
        f"""
CALL (r, key) {{
  MATCH {in_region_pattern(f"i:{Label.INSTITUTION}", "r")}
  WITH DISTINCT i
  {_FROM_REGION[kind]}
  WITH DISTINCT x
  WHERE EXISTS {{ MATCH (x)-[e:{Rel.RANKED_IN}]->(:{Label.CHAIN_SEGMENT})
                  WHERE e.segment = key.segment }}
  {_LATEST[kind]}
  WITH x WHERE {_IN_REGION[kind]}
  RETURN count(x) AS inside
}}"""
        if regional
        else "WITH r, key, null AS inside"
    )
    return f"""
{region}
UNWIND $keys AS key
{count_inside}
CALL (r, key) {{
  MATCH (x:{label})-[e:{Rel.RANKED_IN}]->(:{Label.CHAIN_SEGMENT})
  WHERE e.segment = key.segment AND e.{order} > key.offset
    AND e.{order} <= key.offset + key.limit
  {_LATEST[kind]}
  WITH x, e, {test} AS inside
  ORDER BY e.{order}
  RETURN collect({{works: e.works, citations: e.citations, score: e.score, inside: inside,
                  segment_score: e.segment_score, props: properties(x)}}) AS top
}}
OPTIONAL MATCH (seg:{Label.CHAIN_SEGMENT} {{id: key.segment}})
RETURN key.segment AS segment, key.offset AS offset, key.limit AS limit,
       coalesce(seg.{_TOTAL[kind]}, 0) AS total, inside, top
"""


RANKINGS = {
    (kind, regional): page_query(kind, regional=regional)
    for kind in RankedKind
    for regional in (False, True)
}


@dataclass(frozen=True)
class RankKey:
    """One page of a segment's ranking: `limit` after the first `offset`, with in-region flags
    and counts for `region` (if any)."""

    segment_id: str
    region_id: str | None
    offset: int
    limit: int


@dataclass(frozen=True)
class Ranked(Generic[M]):
    node: M
    matching_works: int
    citations: int
    score: float
    in_region: bool | None
    segment_score: float | None = None


@dataclass(frozen=True)
class Ranking(Generic[M]):
    # The page the key asked for, in rank order.
    top: list[Ranked[M]]
    # Everything with matching works worldwide, and how many of those are in the region
    # (None without a region).
    total: int
    in_region: int | None


async def industries_by_id(tx: Tx, ids: Sequence[str]) -> list[Industry | None]:
    rows = {r["key"]: r["props"] for r in await fetch(tx, INDUSTRIES_BY_ID, ids=list(ids))}
    return [to_model(Industry, rows.get(key)) for key in ids]


async def industry_segments(tx: Tx, ids: Sequence[str]) -> list[list[ChainSegment]]:
    """Each industry's segments in chain order (upstream first)."""
    rows = {r["key"]: r["segments"] for r in await fetch(tx, INDUSTRY_SEGMENTS, ids=list(ids))}
    return [_models(ChainSegment, rows.get(key, [])) for key in ids]


async def segment_topics(tx: Tx, ids: Sequence[str]) -> list[list[Topic]]:
    """Each segment's topics: needed directly or through a needed subfield, by id."""
    rows = {r["key"]: r["topics"] for r in await fetch(tx, SEGMENT_TOPICS, ids=list(ids))}
    return [_models(Topic, rows.get(key, [])) for key in ids]


def _models(model: type[M], props: list[dict[str, Any]]) -> list[M]:
    found = [to_model(model, p) for p in props]
    return [m for m in found if m is not None]


async def _rankings(
    tx: Tx, kind: RankedKind, model: type[M], keys: Sequence[RankKey]
) -> list[Ranking[M]]:
    found: dict[RankKey, Ranking[M]] = {}
    regions = sorted({k.region_id for k in keys}, key=lambda r: (r is not None, r or ""))
    for region in regions:
        group = [k for k in keys if k.region_id == region]
        params = [{"segment": k.segment_id, "offset": k.offset, "limit": k.limit} for k in group]
        query = RANKINGS[(kind, region is not None)]
        for row in await fetch(tx, query, keys=params, region=region):
            top = [
                Ranked(
                    node=node,
                    matching_works=int(item["works"]),
                    citations=int(item["citations"]),
                    score=float(item["score"]),
                    in_region=item["inside"],
                    segment_score=item["segment_score"],
                )
                for item in row["top"]
                if (node := to_model(model, item["props"])) is not None
            ]
            key = RankKey(str(row["segment"]), region, int(row["offset"]), int(row["limit"]))
            found[key] = Ranking(
                top=top,
                total=int(row["total"]),
                in_region=None if region is None else int(row["inside"]),
            )
    return [found.get(key, Ranking(top=[], total=0, in_region=None)) for key in keys]


MARK_SEGMENTS = f"MATCH (s:{Label.CHAIN_SEGMENT}) SET s.needs_derive = true"
CLEAR_SEGMENT = f"MATCH (s:{Label.CHAIN_SEGMENT} {{id: $segment}}) REMOVE s.needs_derive"


def mark_segments(tx: ManagedTransaction) -> None:
    """Mark every segment for re-ranking (after the works, people or teams changed)."""
    tx.run(MARK_SEGMENTS).consume()


def rank_segment(tx: ManagedTransaction, segment_id: str) -> int:
    """Recompute the stored rankings of one segment (every kind) and clear its mark; how many
    nodes they rank."""
    ranked = sum(
        int(record["ranked"])
        for kind in RankedKind
        for record in tx.run(RANK[kind], segment=segment_id)
    )
    tx.run(CLEAR_SEGMENT, segment=segment_id).consume()
    return ranked


# The scientists of these segments in the evaluation model's order for each segment: the
# segment's score (graph/queries/evaluation.py: the overall weights scaled by 1 - the
# segment-fit weight, plus that weight times the segment-fit percentile), people without an
# evaluation last, then the evidence rank. Stored as `segment_score` and `model_rank`.
MODEL_RANK = f"""
UNWIND $segments AS segment
CALL (segment) {{
  MATCH (:{Label.CHAIN_SEGMENT} {{id: segment}})<-[r:{Rel.RANKED_IN}]-(s:{Label.SCIENTIST})
  WITH r, CASE WHEN s.eval_score IS NULL THEN null
    ELSE round((1 - s.eval_fit_weight) * s.eval_score
               + s.eval_fit_weight * coalesce(r.fit_percentile, 0.0), 6) END AS score
  ORDER BY coalesce(score, -1.0) DESC, r.rank
  WITH collect({{r: r, score: score}}) AS ranked
  UNWIND range(0, size(ranked) - 1) AS i
  WITH ranked[i] AS row, i + 1 AS rank
  WITH row.r AS r, row.score AS score, rank
  SET r.model_rank = rank, r.segment_score = score
  RETURN count(*) AS done
}}
RETURN sum(done) AS done
"""
SCIENTIST_SEGMENTS = f"""
MATCH (seg:{Label.CHAIN_SEGMENT}) WHERE EXISTS {{ (seg)<-[:{Rel.RANKED_IN}]-(:{Label.SCIENTIST}) }}
RETURN seg.id AS id ORDER BY id
"""


def ranked_segments(tx: ManagedTransaction) -> list[str]:
    """The segments that rank scientists."""
    return [str(r["id"]) for r in tx.run(SCIENTIST_SEGMENTS)]


def rank_by_model(tx: ManagedTransaction, segments: list[str]) -> int:
    """Order these segments' scientists by the evaluation model (MODEL_RANK); how many."""
    record = tx.run(MODEL_RANK, segments=segments).single()
    return int(record["done"] or 0) if record else 0


async def segment_scientists(tx: Tx, keys: Sequence[RankKey]) -> list[Ranking[Scientist]]:
    return await _rankings(tx, RankedKind.SCIENTIST, Scientist, keys)


async def segment_teams(tx: Tx, keys: Sequence[RankKey]) -> list[Ranking[Team]]:
    return await _rankings(tx, RankedKind.TEAM, Team, keys)


async def segment_institutions(tx: Tx, keys: Sequence[RankKey]) -> list[Ranking[Institution]]:
    return await _rankings(tx, RankedKind.INSTITUTION, Institution, keys)
