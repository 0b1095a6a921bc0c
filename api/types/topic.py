from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.types.connection import PageInfo, owner_connection
from api.types.taxon import Taxon
from graph.read.topic import expert_pages, places
from schema.topic import Topic as TopicModel

if TYPE_CHECKING:
    from api.types.scientist import Scientist

LazyScientist = Annotated["Scientist", strawberry.lazy("api.types.scientist")]


@strawberry.type(description="A scientist working on a topic: works about it and summed score.")
class TopicExpertEdge:
    node: LazyScientist
    cursor: str
    score: float
    works: int


@strawberry.type(description="A topic's experts, highest score first.")
class TopicExpertConnection:
    total_count: int
    edges: list[TopicExpertEdge]
    page_info: PageInfo


@strawberry.type(description="An OpenAlex research topic (under a subfield, field and domain).")
class Topic:
    id: strawberry.ID
    name: str
    description: str | None
    keywords: list[str]
    alternative_names: list[str]
    subfield_id: strawberry.ID | None
    works_count: int | None

    @classmethod
    def from_model(cls, model: TopicModel) -> Topic:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            description=model.description,
            keywords=list(model.keywords),
            alternative_names=list(model.alternative_names),
            subfield_id=strawberry.ID(model.subfield_id) if model.subfield_id else None,
            works_count=model.works_count,
        )

    @strawberry.field(description="The subfield the topic is part of.")
    async def subfield(self, info: Info) -> Taxon | None:
        place = await info.context.loader(places).load(str(self.id))
        return None if place.subfield is None else Taxon.from_model(place.subfield)

    @strawberry.field(description="The field above the subfield.")
    async def field(self, info: Info) -> Taxon | None:
        place = await info.context.loader(places).load(str(self.id))
        return None if place.field is None else Taxon.from_model(place.field)

    @strawberry.field(description="The domain above the field.")
    async def domain(self, info: Info) -> Taxon | None:
        place = await info.context.loader(places).load(str(self.id))
        return None if place.domain is None else Taxon.from_model(place.domain)

    @strawberry.field(
        description="Scientists whose works are about this topic (EXPERT_IN), highest score "
        "first (ties: more works, then id)."
    )
    async def scientists(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> TopicExpertConnection:
        from api.types.scientist import Scientist

        return await owner_connection(
            info,
            expert_pages,
            str(self.id),
            first,
            after,
            TopicExpertConnection,
            lambda e, cursor: TopicExpertEdge(
                node=Scientist.from_model(e.scientist), cursor=cursor, score=e.score, works=e.works
            ),
        )
