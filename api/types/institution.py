from __future__ import annotations

import strawberry

from schema.institution import Institution as InstitutionModel


@strawberry.type(description="A university, institute, company, hospital or other organisation.")
class Institution:
    id: strawberry.ID
    name: str
    ror_id: str | None
    openalex_id: str | None
    type: str | None
    country_code: str | None
    city: str | None
    works_count: int | None
    cited_by_count: int | None

    @classmethod
    def from_model(cls, model: InstitutionModel) -> Institution:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            ror_id=model.ror_id,
            openalex_id=model.openalex_id,
            type=model.type,
            country_code=model.country_code,
            city=model.city,
            works_count=model.works_count,
            cited_by_count=model.cited_by_count,
        )
