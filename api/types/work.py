from __future__ import annotations

from datetime import date

import strawberry

from schema.work import Work as WorkModel


@strawberry.type(description="A paper, book, dataset or other output.")
class Work:
    id: strawberry.ID
    title: str | None
    doi: str | None
    type: str | None
    publication_year: int | None
    publication_date: date | None
    cited_by_count: int

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
        )
