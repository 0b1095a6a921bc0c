from __future__ import annotations

import strawberry

from schema.industry import ChainSegment as ChainSegmentModel
from schema.industry import Industry as IndustryModel


@strawberry.type(description="An industrial chain the city is building, e.g. semiconductors.")
class Industry:
    id: strawberry.ID
    name_en: str
    name_zh: str
    description: str | None

    @classmethod
    def from_model(cls, model: IndustryModel) -> Industry:
        return cls(
            id=strawberry.ID(model.id),
            name_en=model.name_en,
            name_zh=model.name_zh,
            description=model.description,
        )


@strawberry.type(description="One segment of an industrial chain, in chain order.")
class ChainSegment:
    id: strawberry.ID
    industry_id: strawberry.ID
    name_en: str
    name_zh: str
    stage: str
    order: int

    @classmethod
    def from_model(cls, model: ChainSegmentModel) -> ChainSegment:
        return cls(
            id=strawberry.ID(model.id),
            industry_id=strawberry.ID(model.industry_id),
            name_en=model.name_en,
            name_zh=model.name_zh,
            stage=model.stage,
            order=model.order,
        )
