"""Looking entities up by any identifier: scientist, institution, topic, team, industry."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, NotFound
from api.ids import IdKind, resolve_id
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


def _missing(kind: IdKind, id: strawberry.ID) -> NotFound:
    return NotFound(id=id, message=f"no {kind.value} has the id {id!r}")


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
            return _missing(IdKind.SCIENTIST, id)
        return Scientist.from_model(model)

    @strawberry.field(
        description="An institution by ROR id (02mhbdp94 or https://ror.org/02mhbdp94) or "
        "OpenAlex institution id (I136199984 or its URL)."
    )
    async def institution(self, info: Info, id: strawberry.ID) -> InstitutionResult:
        found = await resolve_id(info, IdKind.INSTITUTION, str(id))
        if not isinstance(found, str):
            return found
        model = await info.context.loader(institutions_by_id).load(found)
        if model is None:
            return _missing(IdKind.INSTITUTION, id)
        return Institution.from_model(model)

    @strawberry.field(description="A research topic by OpenAlex topic id (T10001 or its URL).")
    async def topic(self, info: Info, id: strawberry.ID) -> TopicResult:
        found = await resolve_id(info, IdKind.TOPIC, str(id))
        if not isinstance(found, str):
            return found
        model = await info.context.loader(topics_by_id).load(found)
        if model is None:
            return _missing(IdKind.TOPIC, id)
        return Topic.from_model(model)

    @strawberry.field(description="A derived team by its id (team- and hex digits).")
    async def team(self, info: Info, id: strawberry.ID) -> TeamResult:
        found = await resolve_id(info, IdKind.TEAM, str(id))
        if not isinstance(found, str):
            return found
        model = await info.context.loader(teams_by_id).load(found)
        if model is None:
            return _missing(IdKind.TEAM, id)
        return Team.from_model(model)

    @strawberry.field(description="An industrial chain by its slug (e.g. semiconductors).")
    async def industry(self, info: Info, id: strawberry.ID) -> IndustryResult:
        found = await resolve_id(info, IdKind.INDUSTRY, str(id))
        if not isinstance(found, str):
            return found
        model = await info.context.loader(industries_by_id).load(found)
        if model is None:
            return _missing(IdKind.INDUSTRY, id)
        return Industry.from_model(model)
