"""Cooperation between institutions: a pair's joint works, an institution's or a region's
partners. A work is joint for two institutions when both are among its authorships'
institutions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.types.connection import (
    Connection,
    PageInfo,
    build_connection,
    edge_connection,
    page_window,
)
from api.types.institution import Institution, InstitutionTopic
from graph.queries import cooperation
from graph.queries.cooperation import PairKey, PairPageKey, PartnerPageKey, Years
from graph.read.institution import institutions_by_id

if TYPE_CHECKING:
    from api.types.scientist import Scientist
    from api.types.work import Work

LazyScientist = Annotated["Scientist", strawberry.lazy("api.types.scientist")]
LazyWork = Annotated["Work", strawberry.lazy("api.types.work")]

DEFAULT_TOPICS = 5


@strawberry.input(description="Which partners count, and the years of the works that count.")
class CooperationFilter:
    countries: list[str] | None = strawberry.field(
        default=None, description="ISO country codes of the partner (any of them)."
    )
    types: list[str] | None = strawberry.field(
        default=None, description="Institution types of the partner, e.g. education, company."
    )
    from_year: int | None = strawberry.field(default=None, description="Works from this year.")
    to_year: int | None = strawberry.field(default=None, description="Works up to this year.")


@strawberry.type(description="Joint works published in a year.")
class YearCount:
    year: int
    count: int


async def _pair_topics(info: Info, pair: PairKey, first: int | None) -> list[InstitutionTopic]:
    from api.types.topic import Topic

    _, limit = page_window(first, None)
    page = await info.context.loader(cooperation.pair_topics).load(PairPageKey(pair, 0, limit))
    return [InstitutionTopic(topic=Topic.from_model(t.topic), works=t.works) for t in page.items]


@strawberry.type(
    description="Two people behind a cooperation: one whose authorship names institution a, "
    "one whose authorship names b, on the same joint works."
)
class ScientistPair:
    at_a: LazyScientist
    at_b: LazyScientist
    shared_works_count: int
    shared_works: list[LazyWork] = strawberry.field(description="Newest first.")


@strawberry.type(description="Two institutions' joint works in a year window.")
class InstitutionCooperation:
    a: Institution
    b: Institution
    from_year: int | None
    to_year: int | None
    joint_works_count: int
    by_year: list[YearCount] = strawberry.field(
        description="Oldest year first; works without a year count in the total only."
    )

    def key(self) -> PairKey:
        return PairKey(str(self.a.id), str(self.b.id), Years(self.from_year, self.to_year))

    @strawberry.field(description="Topics of the joint works, most works first (ties: id).")
    async def top_topics(self, info: Info, first: int | None = 10) -> list[InstitutionTopic]:
        return await _pair_topics(info, self.key(), first)

    @strawberry.field(
        description="The person pairs behind the joint works, most shared works first "
        "(ties: the ids of the person at a, then at b)."
    )
    async def pairs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ScientistPair]:
        from api.types.scientist import Scientist
        from api.types.work import Work

        offset, limit = page_window(first, after)
        page = await info.context.loader(cooperation.person_pairs).load(
            PairPageKey(self.key(), offset, limit)
        )
        nodes = [
            ScientistPair(
                at_a=Scientist.from_model(p.at_a),
                at_b=Scientist.from_model(p.at_b),
                shared_works_count=len(p.works),
                shared_works=[Work.from_model(w) for w in p.works],
            )
            for p in page.items
        ]
        return build_connection(nodes, page.total, offset)

    @strawberry.field(description="The joint works, newest first (ties: id).")
    async def works(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[LazyWork]:
        from api.types.work import Work

        offset, limit = page_window(first, after)
        page = await info.context.loader(cooperation.pair_works).load(
            PairPageKey(self.key(), offset, limit)
        )
        return build_connection([Work.from_model(w) for w in page.items], page.total, offset)


@strawberry.type(description="A partner institution and the works it shares with the owner.")
class PartnerEdge:
    node: Institution
    cursor: str
    joint_works_count: int
    owner_id: strawberry.Private[str]
    years: strawberry.Private[Years]

    @strawberry.field(description="Topics of the joint works, most works first (ties: id).")
    async def top_topics(
        self, info: Info, first: int | None = DEFAULT_TOPICS
    ) -> list[InstitutionTopic]:
        pair = PairKey(self.owner_id, str(self.node.id), self.years)
        return await _pair_topics(info, pair, first)


@strawberry.type(description="Partner institutions, most joint works first (ties: id).")
class PartnerConnection:
    total_count: int
    edges: list[PartnerEdge]
    page_info: PageInfo


async def partner_connection(
    info: Info,
    institution_id: str,
    filters: CooperationFilter | None,
    first: int | None,
    after: str | None,
) -> PartnerConnection:
    """The partners of an institution: the one code behind `cooperationPartners` and
    `Institution.partners`."""
    key = _partner_key(institution_id, filters, first, after)
    page = await info.context.loader(cooperation.partners).load(key)
    return edge_connection(
        PartnerConnection,
        page.items,
        page.total,
        key.offset,
        lambda p, cursor: PartnerEdge(
            node=Institution.from_model(p.institution),
            cursor=cursor,
            joint_works_count=p.works,
            owner_id=institution_id,
            years=key.years,
        ),
    )


@strawberry.type(description="A home institution (in the region) a partner shares works with.")
class HomeInstitution:
    institution_id: strawberry.ID
    joint_works_count: int

    @strawberry.field
    async def institution(self, info: Info) -> Institution | None:
        found = await info.context.loader(institutions_by_id).load(str(self.institution_id))
        return None if found is None else Institution.from_model(found)


@strawberry.type(description="An institution outside the region that works with its institutions.")
class RegionPartnerEdge:
    node: Institution
    cursor: str
    joint_works_count: int = strawberry.field(
        description="Works it shares with any of the region's institutions."
    )
    home_institutions: list[HomeInstitution] = strawberry.field(
        description="The region's institutions it shares works with, most first (ties: id)."
    )


@strawberry.type(
    description="The world's institutions working with a region's institutions, most joint "
    "works first (ties: id)."
)
class RegionCooperation:
    region_id: strawberry.ID
    total_count: int
    edges: list[RegionPartnerEdge]
    page_info: PageInfo


async def region_cooperation(
    info: Info,
    region_id: str,
    filters: CooperationFilter | None,
    first: int | None,
    after: str | None,
) -> RegionCooperation:
    key = _partner_key(region_id, filters, first, after)
    page = await info.context.loader(cooperation.region_partners).load(key)
    return edge_connection(
        RegionCooperation,
        page.items,
        page.total,
        key.offset,
        lambda p, cursor: RegionPartnerEdge(
            node=Institution.from_model(p.institution),
            cursor=cursor,
            joint_works_count=p.works,
            home_institutions=[
                HomeInstitution(
                    institution_id=strawberry.ID(h.institution_id), joint_works_count=h.works
                )
                for h in p.homes
            ],
        ),
        region_id=strawberry.ID(region_id),
    )


def _partner_key(
    owner: str, filters: CooperationFilter | None, first: int | None, after: str | None
) -> PartnerPageKey:
    """The page of `owner`'s partners that the filter, `first` and `after` ask for."""
    offset, limit = page_window(first, after)
    return PartnerPageKey(owner, _years(filters), _partner_filter(filters), offset, limit)


def _years(filters: CooperationFilter | None) -> Years:
    return Years() if filters is None else Years(filters.from_year, filters.to_year)


def _partner_filter(filters: CooperationFilter | None) -> cooperation.PartnerFilter:
    if filters is None:
        return cooperation.PartnerFilter()
    return cooperation.PartnerFilter(
        countries=tuple(filters.countries) if filters.countries is not None else None,
        types=tuple(filters.types) if filters.types is not None else None,
    )
