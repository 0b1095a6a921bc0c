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

In the region: an institution when `in_region_pattern` ties it to the region; a team when it is
BASED_AT such an institution; a scientist when one of their latest affiliations (AFFILIATED_WITH
with the largest `end_year`; all of them when none has years) is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from graph.reader import Tx, fetch
from graph.records import to_model
from graph.repositories.region import in_region_pattern, region_node_match
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


# Per kind: from matching work `w` (and the region `r`), rows of (x, w) with x the ranked node,
# and the in-region test of x.
_EVIDENCE = {
    RankedKind.SCIENTIST: (
        f"MATCH (w)<-[:{Rel.AUTHORED}]-(x:{Label.SCIENTIST})",
        f"""EXISTS {{
    MATCH (x)-[a:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION})
    WHERE a.end_year = latest OR latest IS NULL
    MATCH {in_region_pattern("i", "r")}
  }}""",
    ),
    RankedKind.TEAM: (
        f"""MATCH (w)<-[a:{Rel.AUTHORED}]-(:{Label.SCIENTIST})-[:{Rel.MEMBER_OF}]->(x:{Label.TEAM})
        -[:{Rel.BASED_AT}]->(home:{Label.INSTITUTION})
  WHERE home.id IN a.institution_ids
  WITH DISTINCT r, x, w""",
        f"""EXISTS {{
    MATCH (x)-[:{Rel.BASED_AT}]->(i:{Label.INSTITUTION})
    MATCH {in_region_pattern("i", "r")}
  }}""",
    ),
    RankedKind.INSTITUTION: (
        f"MATCH (w)-[:{Rel.BY_INSTITUTION}]->(x:{Label.INSTITUTION})",
        f"EXISTS {{ MATCH {in_region_pattern('x', 'r')} }}",
    ),
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


def ranking_query(kind: RankedKind, *, regional: bool) -> str:
    """Per key {segment, offset, limit}: `total` ranked nodes with matching works, `inside`
    (how many of them are in the region `$region`; null when not `regional`) and `top`, the
    `limit` after the first `offset` by rank, each {props, works, citations, score, inside}."""
    match, inside = _EVIDENCE[kind]
    region = region_node_match("region", "r") if regional else "WITH null AS r"
    test = inside if regional else "null"
    return f"""
{region}
UNWIND $keys AS key
OPTIONAL MATCH (seg:{Label.CHAIN_SEGMENT} {{id: key.segment}})
WITH r, key, {_TOPICS} AS topics
CALL (r, key, topics) {{
  UNWIND topics AS t
  MATCH (t)<-[:{Rel.ABOUT}]-(w:{Label.WORK})
  WITH DISTINCT r, w
  {match}
  WITH r, x, count(w) AS works, sum(coalesce(w.cited_by_count, 0)) AS citations,
       round(sum(1.0 + log10(1.0 + coalesce(w.cited_by_count, 0))), 6) AS score
  {_LATEST[kind]}
  WITH x, works, citations, score, {test} AS inside
  ORDER BY score DESC, works DESC, x.id
  RETURN count(x) AS total, sum(CASE WHEN inside THEN 1 ELSE 0 END) AS inside,
         collect({{node: x, works: works, citations: citations, score: score,
                  inside: inside}}) AS ranked
}}
RETURN key.segment AS segment, key.offset AS offset, key.limit AS limit, total, inside,
       [row IN ranked[key.offset..key.offset + key.limit]
        | row {{.works, .citations, .score, .inside, props: properties(row.node)}}] AS top
"""


RANKINGS = {
    (kind, regional): ranking_query(kind, regional=regional)
    for kind in (RankedKind.SCIENTIST, RankedKind.TEAM, RankedKind.INSTITUTION)
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


async def segment_scientists(tx: Tx, keys: Sequence[RankKey]) -> list[Ranking[Scientist]]:
    return await _rankings(tx, RankedKind.SCIENTIST, Scientist, keys)


async def segment_teams(tx: Tx, keys: Sequence[RankKey]) -> list[Ranking[Team]]:
    return await _rankings(tx, RankedKind.TEAM, Team, keys)


async def segment_institutions(tx: Tx, keys: Sequence[RankKey]) -> list[Ranking[Institution]]:
    return await _rankings(tx, RankedKind.INSTITUTION, Institution, keys)
