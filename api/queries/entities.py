"""Looking entities up by any identifier: scientist, institution, topic, team, industry."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, NotFound
from api.ids import IdKind, resolve_id
from api.types.scientist import Scientist
from graph.repositories.scientist import scientists_by_id

ScientistResult = Annotated[Scientist | NotFound | InvalidId, strawberry.union("ScientistResult")]


@strawberry.type
class EntityQuery:
    @strawberry.field(
        description="A scientist by OpenAlex author id (A5023888391 or its URL) or ORCID iD."
    )
    async def scientist(self, info: Info, id: strawberry.ID) -> ScientistResult:
        found = await resolve_id(info, IdKind.SCIENTIST, str(id))
        if not isinstance(found, str):
            return found
        model = await info.context.loader(scientists_by_id).load(found)
        if model is None:
            return NotFound(id=id, message=f"no scientist has the id {id!r}")
        return Scientist.from_model(model)
