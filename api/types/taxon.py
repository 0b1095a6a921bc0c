from __future__ import annotations

import strawberry

from schema.topic import Domain, Field, Subfield


@strawberry.type(
    description="A level of the OpenAlex taxonomy above topics: a subfield, field "
    "or domain (id like subfields/1702)."
)
class Taxon:
    id: strawberry.ID
    name: str
    level: str = strawberry.field(description="subfield, field or domain.")
    description: str | None

    @classmethod
    def from_model(cls, model: Subfield | Field | Domain) -> Taxon:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            level=type(model).__name__.lower(),
            description=model.description,
        )
