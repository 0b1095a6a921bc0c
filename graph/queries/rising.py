"""Rising stars: the scientists the derived step gave a rising-star score
(ingest/derived/evaluation.py, `rising_stars` in the model file: early career, momentum and
impact percentiles within the main field above the thresholds), best first, in a segment (ranked
in it), a field (their main field) and a region (a latest affiliation at one of the region's
institutions, as `region_institutions_match` places them).

A batch function for per-request DataLoaders: one query per key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.nodes import to_model
from graph.reader import Tx, fetch
from graph.write.region import region_institutions_match
from ingest.derived.evaluation import COMPONENTS
from schema.labels import Label, Rel
from schema.scientist import Scientist

_AGE, _MOMENTUM, _IMPACT = (COMPONENTS.index(n) for n in ("career_age", "momentum", "impact"))


def rising_query(*, regional: bool) -> str:
    """The rising stars, all of them or (`regional`) those whose latest affiliation is in the
    region: from the region's institutions once (`region_institutions_match`, a country's
    institutions without a City included), their rising scientists, then each one's latest
    year, rather than each rising scientist's region checked one by one (2.1 s a page at 100K
    authorships: every check expanded the whole region's places)."""
    filters = f"""s.eval_rising IS NOT NULL
  AND ($field IS NULL OR s.eval_field = $field)
  AND ($segment IS NULL OR EXISTS {{
    MATCH (s)-[e:{Rel.RANKED_IN}]->(:{Label.CHAIN_SEGMENT}) WHERE e.segment = $segment }})"""
    if regional:
        found = f"""
{region_institutions_match("region", "i")}
MATCH (s:{Label.SCIENTIST})-[a:{Rel.AFFILIATED_WITH}]->(i)
WHERE {filters}
WITH s, max(a.end_year) AS here
CALL (s) {{
  MATCH (s)-[b:{Rel.AFFILIATED_WITH}]->(:{Label.INSTITUTION})
  RETURN max(b.end_year) AS latest
}}
WITH s WHERE latest IS NULL OR here = latest"""
    else:
        found = f"MATCH (s:{Label.SCIENTIST}) WHERE {filters}"
    return f"""{found}
WITH s ORDER BY s.eval_rising DESC, s.id
WITH collect(s) AS found
RETURN size(found) AS total,
       [s IN found[$offset..$offset + $limit] | {{props: properties(s), rising: s.eval_rising,
         age: s.eval_values[{_AGE}], momentum: s.eval_percentiles[{_MOMENTUM}],
         impact: s.eval_percentiles[{_IMPACT}], tier: s.eval_tier}}] AS page
"""


RISING = {regional: rising_query(regional=regional) for regional in (False, True)}


@dataclass(frozen=True)
class RisingKey:
    segment: str | None
    field: str | None
    region: str | None
    offset: int
    limit: int


@dataclass(frozen=True)
class RisingStar:
    scientist: Scientist
    score: float
    career_age: int
    momentum_percentile: float
    impact_percentile: float
    tier: str | None


@dataclass(frozen=True)
class RisingPage:
    total: int
    stars: list[RisingStar]


async def _page(tx: Tx, key: RisingKey) -> RisingPage:
    rows = await fetch(
        tx,
        RISING[key.region is not None],
        region=key.region,
        field=key.field,
        segment=key.segment,
        offset=key.offset,
        limit=key.limit,
    )
    if not rows:
        return RisingPage(0, [])
    stars = [
        RisingStar(
            scientist=node,
            score=float(item["rising"]),
            career_age=int(item["age"]),
            momentum_percentile=float(item["momentum"]),
            impact_percentile=float(item["impact"]),
            tier=item["tier"],
        )
        for item in rows[0]["page"]
        if (node := to_model(Scientist, item["props"])) is not None
    ]
    return RisingPage(int(rows[0]["total"]), stars)


async def rising_stars(tx: Tx, keys: Sequence[RisingKey]) -> list[RisingPage]:
    return [await _page(tx, key) for key in keys]
