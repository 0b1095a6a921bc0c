from __future__ import annotations

import strawberry

from api.context import Info
from api.types.industry import Industry
from api.types.region import Park
from graph.read.industry import industries_by_id
from schema.region import Region


@strawberry.type(description="A district of the home region (cn/suzhou/kunshan), from its profile.")
class District:
    id: strawberry.ID
    name_en: str
    name_zh: str | None
    city_id: strawberry.ID
    parks: list[Park]
    industry_ids: list[strawberry.ID] = strawberry.field(
        description="The industries the district focuses on (FOCUSES_ON), by id."
    )

    @classmethod
    def from_model(cls, model: Region) -> District:
        return cls(
            id=strawberry.ID(model.id),
            name_en=model.name_en,
            name_zh=model.name_zh,
            city_id=strawberry.ID(model.parent_id or ""),
            parks=[
                Park(name_en=en, name_zh=zh)
                for en, zh in zip(model.parks_en, model.parks_zh, strict=True)
            ],
            industry_ids=[strawberry.ID(i) for i in model.industry_ids],
        )

    @strawberry.field(description="Its focus industries with their chains, by id.")
    async def industries(self, info: Info) -> list[Industry]:
        found = await info.context.loader(industries_by_id).load_many(
            [str(i) for i in self.industry_ids]
        )
        return [Industry.from_model(i) for i in found if i is not None]
