from __future__ import annotations

import strawberry

from schema.team import Team as TeamModel


@strawberry.type(description="A research group: co-authors at one institution (derived).")
class Team:
    id: strawberry.ID
    name: str
    lead_scientist_id: strawberry.ID
    institution_id: strawberry.ID | None
    first_year: int | None
    last_year: int | None
    works: int
    members_count: int

    @classmethod
    def from_model(cls, model: TeamModel) -> Team:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            lead_scientist_id=strawberry.ID(model.lead_scientist_id),
            institution_id=strawberry.ID(model.institution_id) if model.institution_id else None,
            first_year=model.first_year,
            last_year=model.last_year,
            works=model.works,
            members_count=model.members,
        )
