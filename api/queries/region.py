"""region: a place with the places in it, its parks, focus industries and segments, and its
institutions, so a front-end can draw it."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, NotFound
from api.ids import IdKind, not_found, resolve_id
from api.types.region import Region
from graph.queries.region import region_ids, regions_by_id

RegionResult = Annotated[Region | NotFound | InvalidId, strawberry.union("RegionResult")]


@strawberry.type
class RegionQuery:
    @strawberry.field(
        description="A country (CN), a city (cn/suzhou) or a district (cn/suzhou/kunshan; "
        "also by an alias under its city, cn/suzhou/sip)."
    )
    async def region(self, info: Info, id: strawberry.ID) -> RegionResult:
        found = await resolve_id(info, IdKind.REGION, str(id), region_ids)
        if not isinstance(found, str):
            return found
        model = await info.context.loader(regions_by_id).load(found)
        if model is None:
            return not_found(IdKind.REGION, str(id))
        return Region.from_model(model)
