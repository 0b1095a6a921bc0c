from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from graph.read import team as team_read
from graph.read.institution import institutions_by_id
from graph.read.scientist import scientists_by_id
from schema.team import Team as TeamModel

if TYPE_CHECKING:
    from api.types.institution import Institution
    from api.types.scientist import Scientist
    from api.types.topic import Topic

LazyInstitution = Annotated["Institution", strawberry.lazy("api.types.institution")]
LazyScientist = Annotated["Scientist", strawberry.lazy("api.types.scientist")]
LazyTopic = Annotated["Topic", strawberry.lazy("api.types.topic")]


@strawberry.type(description="A member of a team: role (lead or member) and years of joint works.")
class TeamMember:
    scientist: LazyScientist
    role: str
    first_year: int | None
    last_year: int | None


@strawberry.type(description="A topic a team works on: its works about it and summed score.")
class TeamTopic:
    topic: LazyTopic
    works: int
    score: float


@strawberry.type(description="A research group: co-authors at one institution (derived).")
class Team:
    id: strawberry.ID
    name: str
    lead_scientist_id: strawberry.ID
    institution_id: strawberry.ID | None
    first_year: int | None
    last_year: int | None
    works: int = strawberry.field(description="Works at the institution by two or more members.")
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

    @strawberry.field(description="The member with the most of the team's works.")
    async def lead(self, info: Info) -> LazyScientist | None:
        from api.types.scientist import Scientist

        model = await info.context.loader(scientists_by_id).load(str(self.lead_scientist_id))
        return None if model is None else Scientist.from_model(model)

    @strawberry.field(description="Where the team is based.")
    async def institution(self, info: Info) -> LazyInstitution | None:
        from api.types.institution import Institution

        if self.institution_id is None:
            return None
        model = await info.context.loader(institutions_by_id).load(str(self.institution_id))
        return None if model is None else Institution.from_model(model)

    @strawberry.field(description="Members, the lead first.")
    async def members(self, info: Info) -> list[TeamMember]:
        from api.types.scientist import Scientist

        found = await info.context.loader(team_read.members).load(str(self.id))
        return [
            TeamMember(
                scientist=Scientist.from_model(m.scientist),
                role=m.role,
                first_year=m.first_year,
                last_year=m.last_year,
            )
            for m in found
        ]

    @strawberry.field(description="The team's top topics, most works first.")
    async def topics(self, info: Info) -> list[TeamTopic]:
        from api.types.topic import Topic

        found = await info.context.loader(team_read.topics).load(str(self.id))
        return [
            TeamTopic(topic=Topic.from_model(t.topic), works=t.works, score=t.score) for t in found
        ]
