"""talentFlows: a region's inflow and outflow of scientists (graph/queries/flows.py)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, InvalidRange, NotFound
from api.ids import IdKind, resolve_id, resolve_optional
from api.types.flows import TalentFlows
from graph.queries.flows import FlowKey, talent_flows

TalentFlowsResult = Annotated[
    TalentFlows | NotFound | InvalidId | InvalidRange, strawberry.union("TalentFlowsResult")
]


@strawberry.type
class FlowsQuery:
    @strawberry.field(
        description="A region's (country, city or district) talent flows: moves of scientists "
        "between its institutions and others, per year, with origins, destinations and "
        "returnees (at least `returneeYears` years abroad, then in the region: by history "
        "alone); `industry` or `segment` keeps the scientists ranked in its segments."
    )
    async def talent_flows(
        self,
        info: Info,
        region: strawberry.ID,
        industry: strawberry.ID | None = None,
        segment: strawberry.ID | None = None,
        from_year: int | None = None,
        to_year: int | None = None,
        returnee_years: int = 3,
    ) -> TalentFlowsResult:
        if from_year is not None and to_year is not None and from_year > to_year:
            return InvalidRange(argument="fromYear", message="fromYear is after toYear")
        if not 1 <= returnee_years <= 50:
            return InvalidRange(argument="returneeYears", message="returneeYears is 1 to 50")
        region_id = await resolve_id(info, IdKind.REGION, str(region))
        if not isinstance(region_id, str):
            return region_id
        industry_id = await resolve_optional(info, IdKind.INDUSTRY, industry)
        if isinstance(industry_id, NotFound | InvalidId):
            return industry_id
        segment_id = await resolve_optional(info, IdKind.SEGMENT, segment)
        if isinstance(segment_id, NotFound | InvalidId):
            return segment_id
        key = FlowKey(region_id, industry_id, segment_id, from_year, to_year, returnee_years)
        found = await info.context.loader(talent_flows).load(key)
        return TalentFlows.from_model(key, found)
