"""Candidates for a district: the top of its focus segments' talent-chain rankings (stored
RANKED_IN edges, graph.queries.chain) outside the district and in no open case, each with what
its reach is computed from (schema.push): works its institutions share with the district's,
the district partners' names, and the length of the shortest introduction path (1 or 2
co-author hops to someone affiliated with a district institution; longer ones are not looked
for, so a recommendation costs two bounded EXISTS per candidate).

One query per kind; the district's institutions are collected once (`dis`).
"""

from __future__ import annotations

from typing import Any

from graph.reader import Tx, fetch
from graph.write.region import in_region_pattern
from schema.labels import Label, Rel
from schema.push import CANDIDATES_PER_SEGMENT, Candidate, Recommendation, rank
from schema.watch import EntityKind

_LABEL = {
    EntityKind.SCIENTIST: Label.SCIENTIST,
    EntityKind.TEAM: Label.TEAM,
    EntityKind.INSTITUTION: Label.INSTITUTION,
}
# Per kind: `home`, the candidate's institutions that count (a scientist's latest ones, a
# team's base, the institution itself).
_HOME = {
    EntityKind.SCIENTIST: f"""
  CALL (x) {{
    OPTIONAL MATCH (x)-[a:{Rel.AFFILIATED_WITH}]->(:{Label.INSTITUTION})
    RETURN max(a.end_year) AS latest
  }}
  WITH seg, e, x, dis,
       [(x)-[a:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION})
        WHERE a.end_year = latest OR latest IS NULL | i] AS home""",
    EntityKind.TEAM: f"""
  WITH seg, e, x, dis, [(x)-[:{Rel.BASED_AT}]->(i:{Label.INSTITUTION}) | i] AS home""",
    EntityKind.INSTITUTION: """
  WITH seg, e, x, dis, [x] AS home""",
}
_CO = f"-[:{Rel.COAUTHORED}]-(:{Label.SCIENTIST})"
_THERE = f"-[:{Rel.AFFILIATED_WITH}]->(j:{Label.INSTITUTION}) WHERE j IN dis"
# Per kind: the start of an introduction path (a team's members; none for an institution).
_PEOPLE = {
    EntityKind.SCIENTIST: "(x)",
    EntityKind.TEAM: f"(x)<-[:{Rel.MEMBER_OF}]-(:{Label.SCIENTIST})",
}


def _hops(kind: EntityKind) -> str:
    """1 when a co-author (a team member's, for a team) is affiliated with a district
    institution, 2 through one more co-author (scientists only), else null."""
    start = _PEOPLE.get(kind)
    if start is None:
        return "null"
    one = f"EXISTS {{ MATCH {start}{_CO}{_THERE} }}"
    if kind is EntityKind.TEAM:
        return f"CASE WHEN {one} THEN 1 ELSE null END"
    two = f"EXISTS {{ MATCH {start}{_CO}{_CO}{_THERE} }}"
    return f"CASE WHEN {one} THEN 1 WHEN {two} THEN 2 ELSE null END"


def candidates_query(kind: EntityKind) -> str:
    label = _LABEL[kind]
    return f"""
MATCH (d:{Label.DISTRICT} {{id: $district}})
CALL (d) {{
  MATCH {in_region_pattern(f"i:{Label.INSTITUTION}", "d")}
  RETURN collect(DISTINCT i) AS dis
}}
MATCH (d)-[:{Rel.FOCUSES_ON}]->(:{Label.INDUSTRY})<-[:{Rel.PART_OF}]-(seg:{Label.CHAIN_SEGMENT})
WHERE $segment IS NULL OR seg.id = $segment
WITH DISTINCT seg, dis
MATCH (x:{label})-[e:{Rel.RANKED_IN}]->(:{Label.CHAIN_SEGMENT})
WHERE e.segment = seg.id AND e.rank <= $candidates
{_HOME[kind]}
WHERE NOT any(i IN home WHERE i IN dis)
  AND NOT EXISTS {{
    MATCH (c:{Label.CASE})-[:{Rel.TARGETS}]->(x)
    WHERE NOT c.stage IN ['LANDED', 'DROPPED']
  }}
CALL (home, dis) {{
  UNWIND home AS i
  MATCH (i)-[co:{Rel.COLLABORATES}]-(j:{Label.INSTITUTION})
  WHERE j IN dis
  WITH j, sum(co.works) AS works ORDER BY works DESC, j.id
  RETURN sum(works) AS cooperation, collect(j.name)[..3] AS partners
}}
RETURN x.id AS id, x.name AS name, seg.id AS segment, seg.name_en AS segment_name,
       seg.name_zh AS segment_name_zh,
       e.rank AS rank, e.works AS works, e.citations AS citations, e.score AS score,
       cooperation, partners, {_hops(kind)} AS hops,
       [(x)-[a:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION}) WHERE x:{Label.SCIENTIST} |
        [i.name, a.start_year, a.end_year]] AS affiliations
ORDER BY segment, rank
"""


CANDIDATES = {kind: candidates_query(kind) for kind in EntityKind}
DISTRICT_SEGMENTS = f"""
MATCH (d:{Label.DISTRICT} {{id: $district}})
OPTIONAL MATCH (d)-[:{Rel.FOCUSES_ON}]->(:{Label.INDUSTRY})
               <-[:{Rel.PART_OF}]-(seg:{Label.CHAIN_SEGMENT})
WITH d, seg ORDER BY seg.id
RETURN d.id AS district, collect(DISTINCT [seg.id, seg.name_en, seg.name_zh]) AS segments
"""

FOCUS_DISTRICTS = f"""
MATCH (d:{Label.DISTRICT})
WHERE EXISTS {{ (d)-[:{Rel.FOCUSES_ON}]->(:{Label.INDUSTRY}) }}
RETURN d.id AS id ORDER BY id
"""


async def focus_districts(tx: Tx) -> list[str]:
    """Every district with focus industries, by id."""
    return [str(r["id"]) for r in await fetch(tx, FOCUS_DISTRICTS)]


def _candidate(kind: EntityKind, r: dict[str, Any]) -> Candidate:
    return Candidate(
        entity_id=str(r["id"]),
        kind=kind,
        name=r["name"],
        segment_id=str(r["segment"]),
        segment_name=r["segment_name"],
        segment_name_zh=r["segment_name_zh"],
        chain_rank=int(r["rank"]),
        works=int(r["works"]),
        citations=int(r["citations"]),
        evidence=float(r["score"]),
        cooperation_works=int(r["cooperation"] or 0),
        partners=tuple(p for p in r["partners"] if p),
        hops=r["hops"],
        affiliations=tuple(tuple(a) for a in r["affiliations"]),
    )


SegmentNames = tuple[str, str | None, str | None]


async def district_segments(tx: Tx, district: str) -> list[SegmentNames] | None:
    """The district's focus segments (id, English name, Chinese name); None when there is no
    such district."""
    rows = await fetch(tx, DISTRICT_SEGMENTS, district=district)
    if not rows:
        return None
    return [(str(s), en, zh) for s, en, zh in rows[0]["segments"] if s is not None]


async def candidates(
    tx: Tx,
    district: str,
    segment: str | None,
    kinds: tuple[EntityKind, ...],
    per_segment: int = CANDIDATES_PER_SEGMENT,
) -> list[Candidate]:
    found: list[Candidate] = []
    for kind in kinds:
        rows = await fetch(
            tx, CANDIDATES[kind], district=district, segment=segment, candidates=per_segment
        )
        found.extend(_candidate(kind, r) for r in rows)
    return found


async def recommendations(
    tx: Tx,
    district: str,
    segment: str | None,
    kinds: tuple[EntityKind, ...],
    this_year: int,
) -> list[Recommendation]:
    """The district's candidates ranked (schema.push.rank), best first."""
    return rank(await candidates(tx, district, segment, kinds), this_year)
