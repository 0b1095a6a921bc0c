"""talentMap: where the talent of an industry (or a segment, or all of it) sits on the globe;
industries: the chains to choose from."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, InvalidRange, NotFound
from api.ids import IdKind, resolve_id
from api.types.connection import page_window
from api.types.industry import Industry
from api.types.map import TalentMap
from graph.queries.map import MapKey, all_industries, talent_maps

TalentMapResult = Annotated[
    TalentMap | NotFound | InvalidId | InvalidRange, strawberry.union("TalentMapResult")
]


@strawberry.type
class MapQuery:
    @strawberry.field(
        description="The institutions with coordinates and the talent they hold (scientists "
        "whose latest affiliation they are; with `segment`, or `industry`, those ranked in "
        "it), most first (ties: id), each marked in or out of `region` (a country CN, a city "
        "cn/suzhou or a district cn/suzhou/kunshan)."
    )
    async def talent_map(
        self,
        info: Info,
        industry: strawberry.ID | None = None,
        segment: strawberry.ID | None = None,
        region: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> TalentMapResult:
        offset, limit = page_window(first, after)
        asked = [
            (kind, str(value))
            for kind, value in (
                (IdKind.INDUSTRY, industry),
                (IdKind.SEGMENT, segment),
                (IdKind.REGION, region),
            )
            if value is not None
        ]
        # All lookups in one tick, so the lookup DataLoader makes one query of them.
        found = await asyncio.gather(*(resolve_id(info, kind, value) for kind, value in asked))
        resolved: dict[IdKind, str] = {}
        for (kind, _), result in zip(asked, found, strict=True):
            if not isinstance(result, str):
                return result
            resolved[kind] = result
        key = MapKey(
            industry=resolved.get(IdKind.INDUSTRY),
            segment=resolved.get(IdKind.SEGMENT),
            region=resolved.get(IdKind.REGION),
            offset=offset,
            limit=limit,
        )
        model = await info.context.loader(talent_maps).load(key)
        return TalentMap.from_model(model, offset, key.region)

    @strawberry.field(description="Every industrial chain the city is building, by id.")
    async def industries(self, info: Info) -> list[Industry]:
        models = await info.context.loader(all_industries).load("all")
        return [Industry.from_model(m) for m in models]
