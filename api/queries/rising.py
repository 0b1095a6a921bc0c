"""risingStars: early-career scientists with high momentum and impact percentiles within their
field, under the evaluation model's `rising_stars` thresholds (graph/queries/rising.py)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, NotFound
from api.ids import IdKind, resolve_optional
from api.types.case import TalentTier
from api.types.connection import PageInfo, edge_connection, page_window
from api.types.scientist import Scientist
from graph.queries.rising import RisingKey, RisingStar, rising_stars


@strawberry.type(description="A rising star with the numbers that make them one.")
class RisingStarEdge:
    node: Scientist
    cursor: str
    score: float = strawberry.field(
        description="The mean of the momentum and impact percentiles (what orders the list)."
    )
    career_age: int = strawberry.field(description="Years since their first work.")
    momentum_percentile: float
    impact_percentile: float
    tier: TalentTier | None


@strawberry.type(description="Rising stars, best first (ties: id).")
class RisingStarConnection:
    total_count: int
    edges: list[RisingStarEdge]
    page_info: PageInfo


RisingStarsResult = Annotated[
    RisingStarConnection | NotFound | InvalidId, strawberry.union("RisingStarsResult")
]


def _edge(star: RisingStar, cursor: str) -> RisingStarEdge:
    return RisingStarEdge(
        node=Scientist.from_model(star.scientist),
        cursor=cursor,
        score=star.score,
        career_age=star.career_age,
        momentum_percentile=star.momentum_percentile,
        impact_percentile=star.impact_percentile,
        tier=TalentTier(star.tier) if star.tier else None,
    )


@strawberry.type
class RisingQuery:
    @strawberry.field(
        description="Early-career scientists (career age at most 10 years) whose momentum and "
        "impact percentiles within their main field are at least 0.6 (data/evaluation/*.yaml, "
        "rising_stars), in a segment (ranked in it), field (their main field) or region (a "
        "latest affiliation in it)."
    )
    async def rising_stars(
        self,
        info: Info,
        segment: strawberry.ID | None = None,
        field: strawberry.ID | None = None,
        region: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> RisingStarsResult:
        offset, limit = page_window(first, after)
        segment_id = await resolve_optional(info, IdKind.SEGMENT, segment)
        field_id = await resolve_optional(info, IdKind.TAXON, field)
        region_id = await resolve_optional(info, IdKind.REGION, region)
        for found in (segment_id, field_id, region_id):
            if isinstance(found, NotFound | InvalidId):
                return found
        key = RisingKey(
            segment=segment_id if isinstance(segment_id, str) else None,
            field=field_id if isinstance(field_id, str) else None,
            region=region_id if isinstance(region_id, str) else None,
            offset=offset,
            limit=limit,
        )
        page = await info.context.loader(rising_stars).load(key)
        return edge_connection(RisingStarConnection, page.stars, page.total, offset, _edge)
