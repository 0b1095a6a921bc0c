"""A district of the home region: its names, parks and focus industries (the district view's
heading; its chains, gaps, push lists and recommendations come from their own fields)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import NotFound
from api.types.district import District
from graph.read.region import districts_by_id

DistrictResult = Annotated[District | NotFound, strawberry.union("DistrictResult")]


@strawberry.type
class DistrictQuery:
    @strawberry.field(
        description="A district of the region profile by id (cn/suzhou/kunshan): names, parks, "
        "focus industries."
    )
    async def district(self, info: Info, id: strawberry.ID) -> DistrictResult:
        found = await info.context.loader(districts_by_id).load(str(id))
        if found is None:
            return NotFound(id=id, message=f"no district has the id {str(id)!r}")
        return District.from_model(found)
