"""talentMap: where the talent of an industry (or a segment, or all of it) sits on the globe;
industries: the chains to choose from."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, InvalidRange, NotFound
from api.ids import IdKind, resolve_id
from api.types.connection import PAGE_MAXIMUM, page_window
from api.types.industry import Industry
from api.types.map import RegionMap, TalentMap
from graph.queries.map import MapKey, all_industries, region_places, talent_maps

TalentMapResult = Annotated[
    TalentMap | NotFound | InvalidId | InvalidRange, strawberry.union("TalentMapResult")
]

RegionMapResult = Annotated[RegionMap | NotFound | InvalidId, strawberry.union("RegionMapResult")]


@strawberry.type
class MapQuery:
    @strawberry.field(
        description="The institutions with coordinates and the talent they hold (scientists "
        "whose latest affiliation they are; with `segment`, or `industry`, those ranked in "
        "it), most first (ties: id), each marked in or out of `region` (a country CN, a city "
        "cn/suzhou or a district cn/suzhou/kunshan); `within`: only the institutions in "
        "`region` (the map zoomed into the home region). `first` may be up to 500 here (100 "
        "elsewhere), so a map's points come in one request."
    )
    async def talent_map(
        self,
        info: Info,
        industry: strawberry.ID | None = None,
        segment: strawberry.ID | None = None,
        region: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        within: bool = False,
    ) -> TalentMapResult:
        offset, limit = page_window(first, after, maximum=PAGE_MAXIMUM["talentMap"])
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
            within=within,
        )
        model = await info.context.loader(talent_maps).load(key)
        return TalentMap.from_model(model, offset, key.region)

    @strawberry.field(description="Every industrial chain the city is building, by id.")
    async def industries(self, info: Info) -> list[Industry]:
        models = await info.context.loader(all_industries).load("all")
        return [Industry.from_model(m) for m in models]

    @strawberry.field(
        description="A home region's city (`region`, or the city of the district `region`) "
        "and its districts with their centres and institutions, for the map."
    )
    async def region_map(self, info: Info, region: strawberry.ID) -> RegionMapResult:
        resolved = await resolve_id(info, IdKind.REGION, str(region))
        if not isinstance(resolved, str):
            return resolved
        found = await info.context.loader(region_places).load(resolved)
        if found is None:
            return NotFound(
                id=strawberry.ID(resolved), message=f"{resolved!r} is no city or district"
            )
        return RegionMap.from_model(found)
