from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.types.taxon import Taxon
from graph.read.industry import needs, segments
from schema.industry import ChainSegment as ChainSegmentModel
from schema.industry import Industry as IndustryModel

if TYPE_CHECKING:
    from api.types.topic import Topic

LazyTopic = Annotated["Topic", strawberry.lazy("api.types.topic")]


@strawberry.type(description="One segment of an industrial chain, in chain order.")
class ChainSegment:
    id: strawberry.ID
    industry_id: strawberry.ID
    name_en: str
    name_zh: str
    stage: str
    order: int
    keywords: list[str]
    topic_ids: list[strawberry.ID] = strawberry.field(
        description="The OpenAlex topics the segment is mapped to (also those not loaded)."
    )
    subfield_ids: list[strawberry.ID]

    @classmethod
    def from_model(cls, model: ChainSegmentModel) -> ChainSegment:
        return cls(
            id=strawberry.ID(model.id),
            industry_id=strawberry.ID(model.industry_id),
            name_en=model.name_en,
            name_zh=model.name_zh,
            stage=model.stage,
            order=model.order,
            keywords=list(model.keywords),
            topic_ids=[strawberry.ID(t) for t in model.topic_ids],
            subfield_ids=[strawberry.ID(s) for s in model.subfield_ids],
        )

    @strawberry.field(description="The topics the segment needs (those in the graph), by id.")
    async def topics(self, info: Info) -> list[LazyTopic]:
        from api.types.topic import Topic

        found = await info.context.loader(needs).load(str(self.id))
        return [Topic.from_model(t) for t in found.topics]

    @strawberry.field(description="The subfields the segment needs (those in the graph), by id.")
    async def subfields(self, info: Info) -> list[Taxon]:
        found = await info.context.loader(needs).load(str(self.id))
        return [Taxon.from_model(s) for s in found.subfields]


@strawberry.type(description="An industrial chain the city is building, e.g. semiconductors.")
class Industry:
    id: strawberry.ID
    name_en: str
    name_zh: str
    names: list[str] = strawberry.field(description="English and Chinese names.")
    description: str | None

    @classmethod
    def from_model(cls, model: IndustryModel) -> Industry:
        return cls(
            id=strawberry.ID(model.id),
            name_en=model.name_en,
            name_zh=model.name_zh,
            names=[model.name_en, model.name_zh],
            description=model.description,
        )

    @strawberry.field(description="The chain's segments in chain order, from upstream.")
    async def segments(self, info: Info) -> list[ChainSegment]:
        found = await info.context.loader(segments).load(str(self.id))
        return [ChainSegment.from_model(s) for s in found]
