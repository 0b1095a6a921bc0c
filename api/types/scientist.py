from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.types.connection import (
    Connection,
    PageInfo,
    build_connection,
    owner_connection,
    page_window,
)
from api.types.evaluation import EvaluationResult
from api.types.work import Work
from graph.read.scientist import (
    PageKey,
    affiliations,
    coauthor_pages,
    expertise,
    memberships,
    work_counts,
    work_pages,
)
from schema.scientist import Scientist as ScientistModel

if TYPE_CHECKING:
    from api.types.institution import Institution
    from api.types.team import Team
    from api.types.topic import Topic

LazyInstitution = Annotated["Institution", strawberry.lazy("api.types.institution")]
LazyTeam = Annotated["Team", strawberry.lazy("api.types.team")]
LazyTopic = Annotated["Topic", strawberry.lazy("api.types.topic")]


@strawberry.type(
    description="Output and citation statistics: the OpenAlex Author record's, else (computed: "
    "true) worksCount, citedByCount and hIndex computed from the works loaded in the graph."
)
class ScientistMetrics:
    works_count: int | None
    cited_by_count: int | None
    h_index: int | None
    i10_index: int | None
    two_year_mean_citedness: float | None
    computed: bool = strawberry.field(
        description="True when no author record gives them: computed from the loaded works "
        "(their cited-by counts), so they cover only what the graph holds."
    )
    computed_from: str | None = strawberry.field(
        description="What computed values rest on, e.g. 'loaded works (12)'."
    )


def _metrics(model: ScientistModel) -> ScientistMetrics:
    if model.works_count is None and model.computed_works_count is not None:
        return ScientistMetrics(
            works_count=model.computed_works_count,
            cited_by_count=model.computed_cited_by_count,
            h_index=model.computed_h_index,
            i10_index=None,
            two_year_mean_citedness=None,
            computed=True,
            computed_from=f"loaded works ({model.computed_works_count})",
        )
    return ScientistMetrics(
        works_count=model.works_count,
        cited_by_count=model.cited_by_count,
        h_index=model.h_index,
        i10_index=model.i10_index,
        two_year_mean_citedness=model.two_year_mean_citedness,
        computed=False,
        computed_from=None,
    )


@strawberry.type(
    description="A place the scientist worked, with years. source is openalex_author (the "
    "Author record's affiliation history), openalex_authorship (derived from the works that "
    "name the institution; works counts them), matcher (the affiliation matcher read it in "
    "the raw affiliation strings OpenAlex links to none of the authorship's institutions) or "
    "text (a document)."
)
class Affiliation:
    institution: LazyInstitution
    start_year: int | None
    end_year: int | None
    source: str
    works: int | None
    confidence: float | None = strawberry.field(
        default=None, description="How sure the source is (1.0 for OpenAlex ids)."
    )


@strawberry.type(description="A topic the scientist works on: works about it and summed score.")
class TopicExpertise:
    topic: LazyTopic
    score: float
    works: int


@strawberry.type(description="A team the scientist belongs to, with role (lead or member).")
class TeamMembership:
    team: LazyTeam
    role: str
    first_year: int | None
    last_year: int | None


@strawberry.type(description="A co-author and the works the two share.")
class CoauthorEdge:
    node: Scientist
    cursor: str
    shared_works: int = strawberry.field(
        description="Works both authored (works with more authors than the ties limit left out)."
    )
    first_year: int | None
    last_year: int | None


@strawberry.type(description="Co-authors, most shared works first.")
class CoauthorConnection:
    total_count: int
    edges: list[CoauthorEdge]
    page_info: PageInfo


@strawberry.type(description="A person who authors works.")
class Scientist:
    id: strawberry.ID
    name: str
    alternative_names: list[str]
    orcid: str | None
    openalex_id: str | None
    h_index: int | None
    cited_by_count: int | None
    metrics: ScientistMetrics

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
            metrics=_metrics(model),
        )

    @strawberry.field(
        description="Score, tier and components under the evaluation model, overall or for a "
        "chain segment (<industry>/<segment>); the same as the root `evaluation`."
    )
    async def evaluation(
        self, info: Info, segment: strawberry.ID | None = None
    ) -> EvaluationResult:
        from api.queries.evaluation import evaluate

        return await evaluate(info, str(self.id), segment)

    @strawberry.field(description="Works this scientist authored, newest first.")
    async def works(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Work]:
        offset, limit = page_window(first, after)
        # In one tick: the count and the page in the same round of queries, not one after
        # the other.
        total, page = await asyncio.gather(
            info.context.loader(work_counts).load(str(self.id)),
            info.context.loader(work_pages).load(PageKey(str(self.id), offset, limit)),
        )
        return build_connection([Work.from_model(w) for w in page], total, offset)

    @strawberry.field(description="Affiliation history, latest first, from both sources.")
    async def affiliations(self, info: Info) -> list[Affiliation]:
        from api.types.institution import Institution

        found = await info.context.loader(affiliations).load(str(self.id))
        return [
            Affiliation(
                institution=Institution.from_model(a.institution),
                start_year=a.start_year,
                end_year=a.end_year,
                source=a.source,
                works=a.works,
                confidence=a.confidence,
            )
            for a in found
        ]

    @strawberry.field(description="Topics of this scientist's works, highest score first.")
    async def topics(self, info: Info, first: int | None = None) -> list[TopicExpertise]:
        from api.types.topic import Topic

        _, limit = page_window(first, None)
        found = await info.context.loader(expertise).load(str(self.id))
        return [
            TopicExpertise(topic=Topic.from_model(e.topic), score=e.score, works=e.works)
            for e in found[:limit]
        ]

    @strawberry.field(description="Teams this scientist belongs to (derived), largest first.")
    async def teams(self, info: Info) -> list[TeamMembership]:
        from api.types.team import Team

        found = await info.context.loader(memberships).load(str(self.id))
        return [
            TeamMembership(
                team=Team.from_model(m.team),
                role=m.role,
                first_year=m.first_year,
                last_year=m.last_year,
            )
            for m in found
        ]

    @strawberry.field(
        description="Co-authors, most shared works first (ties: id); each edge carries "
        "sharedWorks, firstYear and lastYear."
    )
    async def coauthors(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> CoauthorConnection:
        return await owner_connection(
            info,
            coauthor_pages,
            str(self.id),
            first,
            after,
            CoauthorConnection,
            lambda c, cursor: CoauthorEdge(
                node=Scientist.from_model(c.scientist),
                cursor=cursor,
                shared_works=c.shared_works,
                first_year=c.first_year,
                last_year=c.last_year,
            ),
        )
