from __future__ import annotations

import strawberry

from api.context import Info
from api.types.connection import Connection, build_connection, page_window
from api.types.work import Work
from graph.repositories.scientist import PageKey, work_counts, work_pages
from schema.scientist import Scientist as ScientistModel


@strawberry.type(description="A person who authors works.")
class Scientist:
    id: strawberry.ID
    name: str
    alternative_names: list[str]
    orcid: str | None
    openalex_id: str | None
    h_index: int | None
    cited_by_count: int | None

    @classmethod
    def from_model(cls, model: ScientistModel) -> Scientist:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            alternative_names=list(model.alternative_names),
            orcid=model.orcid,
            openalex_id=model.openalex_id,
            h_index=model.h_index,
            cited_by_count=model.cited_by_count,
        )

    @strawberry.field(description="Works this scientist authored, newest first.")
    async def works(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Work]:
        offset, limit = page_window(first, after)
        total = await info.context.loader(work_counts).load(str(self.id))
        page = await info.context.loader(work_pages).load(PageKey(str(self.id), offset, limit))
        return build_connection([Work.from_model(w) for w in page], total, offset)
