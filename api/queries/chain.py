"""talentChain: an industry's segments with the talent worldwide and the home region's share."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, InvalidRange, NotFound
from api.ids import IdKind, not_found, resolve_id
from api.types.chain import MAX_RANKED, TalentChain, TalentChainSegment
from api.types.industry import Industry
from graph.queries.chain import industries_by_id, industry_segments

DEFAULT_TOP = 10
MAX_TOP = MAX_RANKED

TalentChainResult = Annotated[
    TalentChain | NotFound | InvalidId | InvalidRange, strawberry.union("TalentChainResult")
]


@strawberry.type
class ChainQuery:
    @strawberry.field(
        description="An industry's chain segments in order, each with its topics and the top "
        f"scientists, teams and institutions worldwide ranked by evidence (matching works, "
        f"citations), and how many of them sit in `region` (a country CN, a city cn/suzhou or "
        f"a district cn/suzhou/kunshan) so the gaps stand out. `first` (1 to {MAX_TOP}, "
        f"default {DEFAULT_TOP}) is the page size of each ranked connection (each also "
        "takes its own `first` and `after`) and the length of the top lists the region "
        "counts look at."
    )
    async def talent_chain(
        self,
        info: Info,
        industry: strawberry.ID,
        region: strawberry.ID | None = None,
        first: int | None = None,
    ) -> TalentChainResult:
        top = DEFAULT_TOP if first is None else first
        if not 1 <= top <= MAX_TOP:
            return InvalidRange(
                argument="first", message=f"first must be between 1 and {MAX_TOP}, got {top}"
            )
        # Both lookups in one tick, so the lookup DataLoader makes one query of them.
        lookups = [resolve_id(info, IdKind.INDUSTRY, str(industry))]
        if region is not None:
            lookups.append(resolve_id(info, IdKind.REGION, str(region)))
        found = await asyncio.gather(*lookups)
        for result in found:
            if not isinstance(result, str):
                return result
        industry_id = str(found[0])
        region_id = str(found[1]) if region is not None else None
        model = await info.context.loader(industries_by_id).load(industry_id)
        if model is None:
            return not_found(IdKind.INDUSTRY, industry)
        segments = await info.context.loader(industry_segments).load(industry_id)
        return TalentChain(
            industry=Industry.from_model(model),
            region_id=strawberry.ID(region_id) if region_id is not None else None,
            segments=[TalentChainSegment.from_model(s, region_id, top) for s in segments],
        )
