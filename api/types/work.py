from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from graph.read import work as work_read
from schema.work import Work as WorkModel

if TYPE_CHECKING:
    from api.types.institution import Institution
    from api.types.scientist import Scientist
    from api.types.topic import Topic

LazyInstitution = Annotated["Institution", strawberry.lazy("api.types.institution")]
LazyScientist = Annotated["Scientist", strawberry.lazy("api.types.scientist")]
LazyTopic = Annotated["Topic", strawberry.lazy("api.types.topic")]


@strawberry.type(description="An author of a work, in author order (position from 0).")
class WorkAuthor:
    scientist: LazyScientist
    position: int
    is_corresponding: bool
    institution_ids: list[strawberry.ID] = strawberry.field(
        description="The institutions this authorship names."
    )


@strawberry.type(description="A topic of a work with OpenAlex's score; primary marks the main one.")
class WorkTopic:
    topic: LazyTopic
    score: float
    primary: bool


@strawberry.type(description="A paper, book, dataset or other output.")
class Work:
    id: strawberry.ID
    title: str | None
    doi: str | None
    type: str | None
    publication_year: int | None
    publication_date: date | None
    cited_by_count: int
    authors_count: int

    @classmethod
    def from_model(cls, model: WorkModel) -> Work:
        return cls(
            id=strawberry.ID(model.id),
            title=model.title,
            doi=model.doi,
            type=model.type,
            publication_year=model.publication_year,
            publication_date=model.publication_date,
            cited_by_count=model.cited_by_count,
            authors_count=model.authors_count,
        )

    @strawberry.field(description="Authors in author order.")
    async def authors(self, info: Info) -> list[WorkAuthor]:
        from api.types.scientist import Scientist

        found = await info.context.loader(work_read.authors).load(str(self.id))
        return [
            WorkAuthor(
                scientist=Scientist.from_model(a.scientist),
                position=a.position,
                is_corresponding=a.is_corresponding,
                institution_ids=[strawberry.ID(i) for i in a.institution_ids],
            )
            for a in found
        ]

    @strawberry.field(description="Topics, highest score first.")
    async def topics(self, info: Info) -> list[WorkTopic]:
        from api.types.topic import Topic

        found = await info.context.loader(work_read.topics).load(str(self.id))
        return [
            WorkTopic(topic=Topic.from_model(t.topic), score=t.score, primary=t.primary)
            for t in found
        ]

    @strawberry.field(description="The journal, repository or conference it appeared in.")
    async def source_name(self, info: Info) -> str | None:
        found = await info.context.loader(work_read.sources).load(str(self.id))
        return None if found is None else found.name

    @strawberry.field(description="The institutions among its authorships' institutions.")
    async def institutions(self, info: Info) -> list[LazyInstitution]:
        from api.types.institution import Institution

        found = await info.context.loader(work_read.institutions).load(str(self.id))
        return [Institution.from_model(i) for i in found]
