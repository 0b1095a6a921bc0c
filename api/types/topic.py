from __future__ import annotations

import strawberry

from schema.topic import Topic as TopicModel


@strawberry.type(description="An OpenAlex research topic (under a subfield, field and domain).")
class Topic:
    id: strawberry.ID
    name: str
    keywords: list[str]
    subfield_id: strawberry.ID | None
    works_count: int | None

    @classmethod
    def from_model(cls, model: TopicModel) -> Topic:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            keywords=list(model.keywords),
            subfield_id=strawberry.ID(model.subfield_id) if model.subfield_id else None,
            works_count=model.works_count,
        )
