"""Looking entities up by any identifier: scientist, institution, topic, team, industry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import strawberry

from api.context import Batch, Info
from api.errors import InvalidId, NotFound
from api.ids import IdKind, resolve_entity
from api.types.industry import Industry
from api.types.institution import Institution
from api.types.scientist import Scientist
from api.types.team import Team
from api.types.topic import Topic
from graph.read.industry import industries_by_id
from graph.read.institution import institutions_by_id
from graph.read.scientist import scientists_by_id
from graph.read.team import teams_by_id
from graph.read.topic import topics_by_id

ScientistResult = Annotated[Scientist | NotFound | InvalidId, strawberry.union("ScientistResult")]
InstitutionResult = Annotated[
    Institution | NotFound | InvalidId, strawberry.union("InstitutionResult")
]
TopicResult = Annotated[Topic | NotFound | InvalidId, strawberry.union("TopicResult")]
TeamResult = Annotated[Team | NotFound | InvalidId, strawberry.union("TeamResult")]
IndustryResult = Annotated[Industry | NotFound | InvalidId, strawberry.union("IndustryResult")]

M = TypeVar("M")  # the model an entity is read as
T = TypeVar("T")  # the API type of the entity


async def _entity(
    info: Info,
    kind: IdKind,
    raw: strawberry.ID,
    batch: Batch[str, M | None],
    make: Callable[[M], T],
) -> T | NotFound | InvalidId:
    """The entity of `kind` that `raw` names, read by `batch` and made by `make`; else the
    typed failure to return."""
    found = await resolve_entity(info, kind, str(raw), batch)
    return found if isinstance(found, NotFound | InvalidId) else make(found)


@strawberry.type
class EntityQuery:
    @strawberry.field(
        description="A scientist by OpenAlex author id (A5023888391 or its URL) or ORCID iD."
    )
    async def scientist(self, info: Info, id: strawberry.ID) -> ScientistResult:
        return await _entity(info, IdKind.SCIENTIST, id, scientists_by_id, Scientist.from_model)

    @strawberry.field(
        description="An institution by ROR id (02mhbdp94 or https://ror.org/02mhbdp94) or "
        "OpenAlex institution id (I136199984 or its URL)."
    )
    async def institution(self, info: Info, id: strawberry.ID) -> InstitutionResult:
        return await _entity(
            info, IdKind.INSTITUTION, id, institutions_by_id, Institution.from_model
        )

    @strawberry.field(description="A research topic by OpenAlex topic id (T10001 or its URL).")
    async def topic(self, info: Info, id: strawberry.ID) -> TopicResult:
        return await _entity(info, IdKind.TOPIC, id, topics_by_id, Topic.from_model)

    @strawberry.field(description="A derived team by its id (team- and hex digits).")
    async def team(self, info: Info, id: strawberry.ID) -> TeamResult:
        return await _entity(info, IdKind.TEAM, id, teams_by_id, Team.from_model)

    @strawberry.field(description="An industrial chain by its slug (e.g. semiconductors).")
    async def industry(self, info: Info, id: strawberry.ID) -> IndustryResult:
        return await _entity(info, IdKind.INDUSTRY, id, industries_by_id, Industry.from_model)
