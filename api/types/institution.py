from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Batch, Info
from api.types.connection import Connection, Edge, PageInfo, owner_connection, page_window
from graph.paging import PageKey
from graph.read.institution import (
    children,
    lineage,
    parents,
    scientist_pages,
    team_pages,
    top_topics,
    works_by_year,
)
from schema.institution import Institution as InstitutionModel

if TYPE_CHECKING:
    from api.types.cooperation import CooperationFilter, PartnerConnection
    from api.types.scientist import Scientist
    from api.types.team import Team
    from api.types.topic import Topic

LazyScientist = Annotated["Scientist", strawberry.lazy("api.types.scientist")]
LazyTeam = Annotated["Team", strawberry.lazy("api.types.team")]
LazyTopic = Annotated["Topic", strawberry.lazy("api.types.topic")]
LazyPartners = Annotated["PartnerConnection", strawberry.lazy("api.types.cooperation")]
LazyCooperationFilter = Annotated["CooperationFilter", strawberry.lazy("api.types.cooperation")]


@strawberry.type(
    description="One name of an institution: kind is display (the main name), label (an "
    "official name in a language), alias, acronym, openalex (OpenAlex's display name) or "
    "openalex_zh (OpenAlex's Chinese name); language is a language tag where the registry "
    "gives one."
)
class InstitutionName:
    name: str
    language: str | None
    kind: str


@strawberry.type(description="Where an institution is (from ROR, else OpenAlex).")
class InstitutionLocation:
    city: str | None
    geonames_city_id: int | None
    subdivision: str | None
    country_code: str | None
    country_name: str | None
    latitude: float | None
    longitude: float | None


@strawberry.type(description="A person affiliated with the institution.")
class InstitutionScientistEdge:
    node: LazyScientist
    cursor: str
    works: int = strawberry.field(description="Their works whose authorship names it.")
    start_year: int | None
    end_year: int | None


@strawberry.type(description="People affiliated with an institution, most works there first.")
class InstitutionScientistConnection:
    total_count: int
    edges: list[InstitutionScientistEdge]
    page_info: PageInfo


@strawberry.type(description="A topic of an institution's works, with how many are about it.")
class InstitutionTopic:
    topic: LazyTopic
    works: int


def _names(model: InstitutionModel) -> list[InstitutionName]:
    language = model.ror_name_language if model.name == model.ror_name else None
    found = [InstitutionName(name=model.name, language=language or None, kind="display")]
    groups = (
        ("label", model.labels, model.label_languages),
        ("alias", model.aliases, model.alias_languages),
        ("acronym", model.acronyms, model.acronym_languages),
    )
    for kind, names, languages in groups:
        for name, language in zip(names, languages, strict=False):
            found.append(InstitutionName(name=name, language=language or None, kind=kind))
    if model.openalex_name:
        found.append(InstitutionName(name=model.openalex_name, language=None, kind="openalex"))
    if model.openalex_name_zh:
        found.append(
            InstitutionName(name=model.openalex_name_zh, language="zh", kind="openalex_zh")
        )
    return found


@strawberry.type(description="Works published in a year.")
class WorksInYear:
    year: int
    works: int


@strawberry.type(description="A university, institute, company, hospital or other organisation.")
class Institution:
    id: strawberry.ID
    name: str
    name_zh: str | None
    names: list[InstitutionName]
    ror_id: str | None
    openalex_id: str | None
    type: str | None
    types: list[str]
    status: str | None
    established: int | None
    website: str | None
    country_code: str | None
    city: str | None
    location: InstitutionLocation
    works_count: int | None
    cited_by_count: int | None
    h_index: int | None

    @classmethod
    def from_model(cls, model: InstitutionModel) -> Institution:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            name_zh=model.name_zh,
            names=_names(model),
            ror_id=model.ror_id,
            openalex_id=model.openalex_id,
            type=model.type,
            types=list(model.types),
            status=model.status.value if model.status else None,
            established=model.established,
            website=model.website,
            country_code=model.country_code,
            city=model.city,
            location=InstitutionLocation(
                city=model.city,
                geonames_city_id=model.geonames_city_id,
                subdivision=model.subdivision_name,
                country_code=model.country_code,
                country_name=model.country_name,
                latitude=model.latitude,
                longitude=model.longitude,
            ),
            works_count=model.works_count,
            cited_by_count=model.cited_by_count,
            h_index=model.h_index,
        )

    async def _related(
        self, info: Info, batch: Batch[str, Sequence[InstitutionModel]]
    ) -> list[Institution]:
        found = await info.context.loader(batch).load(str(self.id))
        return [Institution.from_model(m) for m in found]

    @strawberry.field(
        description="The institutions this one is directly part of (ROR `parent` "
        "relationships, OpenAlex associated institutions with relationship `parent`), by name."
    )
    async def parents(self, info: Info) -> list[Institution]:
        return await self._related(info, parents)

    @strawberry.field(
        description="Every institution this one is part of: OpenAlex `lineage` and the "
        "parents followed up, by name."
    )
    async def lineage(self, info: Info) -> list[Institution]:
        return await self._related(info, lineage)

    @strawberry.field(
        description="The institutions directly part of this one (the reverse of `parents`), "
        "by name."
    )
    async def children(self, info: Info) -> list[Institution]:
        return await self._related(info, children)

    @strawberry.field(
        description="People affiliated with it (Author records and authorships), most works "
        "there first (ties: id)."
    )
    async def scientists(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> InstitutionScientistConnection:
        from api.types.scientist import Scientist

        return await owner_connection(
            info,
            scientist_pages,
            str(self.id),
            first,
            after,
            InstitutionScientistConnection,
            lambda a, cursor: InstitutionScientistEdge(
                node=Scientist.from_model(a.scientist),
                cursor=cursor,
                works=a.works,
                start_year=a.start_year,
                end_year=a.end_year,
            ),
        )

    @strawberry.field(description="Teams based here (derived), most works first.")
    async def teams(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[LazyTeam]:
        from api.types.team import Team

        return await owner_connection(
            info,
            team_pages,
            str(self.id),
            first,
            after,
            Connection,
            lambda t, cursor: Edge(node=Team.from_model(t), cursor=cursor),
        )

    @strawberry.field(
        description="Works that list it among their authorships' institutions, per "
        "publication year, oldest first (years without works left out)."
    )
    async def works_by_year(self, info: Info) -> list[WorksInYear]:
        found = await info.context.loader(works_by_year).load(str(self.id))
        return [WorksInYear(year=y.year, works=y.works) for y in found]

    @strawberry.field(
        description="The topics of the works that list it among their authorships' "
        "institutions, most works first."
    )
    async def top_topics(self, info: Info, first: int | None = 10) -> list[InstitutionTopic]:
        from api.types.topic import Topic

        _, limit = page_window(first, None)
        page = await info.context.loader(top_topics).load(PageKey(str(self.id), 0, limit))
        return [
            InstitutionTopic(topic=Topic.from_model(t.topic), works=t.works) for t in page.items
        ]

    @strawberry.field(
        description="Institutions sharing works with this one (both among a work's "
        "authorships' institutions), most joint works first (ties: id); as cooperationPartners."
    )
    async def partners(
        self,
        info: Info,
        filter: LazyCooperationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> LazyPartners:
        from api.types.cooperation import partner_connection

        return await partner_connection(info, str(self.id), filter, first, after)
