"""talentFlows: a region's inflow and outflow of scientists by year, where they came from and
went to, the returnees, and the moves themselves (graph/queries/flows.py)."""

from __future__ import annotations

from collections import Counter
from enum import Enum

import strawberry

from api.context import Info
from api.types.connection import PageInfo, edge_connection, page_window
from api.types.institution import Institution
from api.types.scientist import Scientist
from graph.queries import flows as model
from graph.read.institution import institutions_by_id
from graph.read.scientist import scientists_by_id


@strawberry.enum(description="Into the region or out of it.")
class FlowDirection(Enum):
    IN = "in"
    OUT = "out"


@strawberry.type(description="Moves into and out of the region in one year.")
class FlowYear:
    year: int
    inflow: int
    outflow: int
    net: int = strawberry.field(description="inflow - outflow.")
    returnees: int = strawberry.field(description="Inflows that are returnees' (see Move).")


@strawberry.type(description="An institution outside the region and how many moves it had.")
class FlowPlace:
    institution_id: strawberry.ID
    name: str | None
    country_code: str | None
    moves: int

    @strawberry.field
    async def institution(self, info: Info) -> Institution | None:
        found = await info.context.loader(institutions_by_id).load(str(self.institution_id))
        return Institution.from_model(found) if found else None


@strawberry.type(description="A country outside or inside the region and how many moves.")
class FlowCountry:
    country_code: str | None
    moves: int


@strawberry.type(
    description="A change of a scientist's main institution (the one with the most evidence "
    "in a year: Author-record years and authorships), dated to the first year at the new one."
)
class Move:
    id: strawberry.ID
    year: int
    direction: FlowDirection
    scientist_id: strawberry.ID
    scientist_name: str | None
    from_institution_id: strawberry.ID
    from_name: str | None
    from_country_code: str | None
    to_institution_id: strawberry.ID
    to_name: str | None
    to_country_code: str | None
    abroad_years: int = strawberry.field(
        description="For an inflow: the years (first to last) of the unbroken run of main "
        "institutions outside the region's country just before the move; 0 for an outflow."
    )
    returnee: bool = strawberry.field(
        description="An inflow after at least `returneeYears` years abroad (history only)."
    )

    @strawberry.field
    async def scientist(self, info: Info) -> Scientist | None:
        found = await info.context.loader(scientists_by_id).load(str(self.scientist_id))
        return Scientist.from_model(found) if found else None

    @classmethod
    def from_model(cls, m: model.FlowMove) -> Move:
        return cls(
            id=strawberry.ID(m.id),
            year=m.year,
            direction=FlowDirection.IN if m.inflow else FlowDirection.OUT,
            scientist_id=strawberry.ID(m.scientist),
            scientist_name=m.name,
            from_institution_id=strawberry.ID(m.from_id),
            from_name=m.from_name,
            from_country_code=m.from_country,
            to_institution_id=strawberry.ID(m.to_id),
            to_name=m.to_name,
            to_country_code=m.to_country,
            abroad_years=m.abroad_years,
            returnee=m.returnee,
        )


@strawberry.type
class MoveEdge:
    node: Move
    cursor: str


@strawberry.type(description="Moves, newest first (then scientist id).")
class MoveConnection:
    total_count: int
    edges: list[MoveEdge]
    page_info: PageInfo


def _countries(places: list[model.Place]) -> list[FlowCountry]:
    counts: Counter[str | None] = Counter()
    for p in places:
        counts[p.country] += p.moves
    return [
        FlowCountry(country_code=c, moves=n)
        for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    ]


def _places(places: list[model.Place]) -> list[FlowPlace]:
    return [
        FlowPlace(
            institution_id=strawberry.ID(p.id), name=p.name, country_code=p.country, moves=p.moves
        )
        for p in places
    ]


@strawberry.type(
    description="A region's talent flows from affiliation histories: moves between an "
    "institution in the region and one outside it."
)
class TalentFlows:
    region_id: strawberry.ID
    country_code: str | None = strawberry.field(description="The region's country.")
    returnee_years: int
    by_year: list[FlowYear]
    origins: list[FlowPlace] = strawberry.field(
        description="Where the inflows came from, most moves first."
    )
    destinations: list[FlowPlace] = strawberry.field(
        description="Where the outflows went, most moves first."
    )
    origin_countries: list[FlowCountry]
    destination_countries: list[FlowCountry]
    inflow: int
    outflow: int
    returnees: int
    found: strawberry.Private[model.Flows]

    @strawberry.field(description="The moves, newest first.")
    def moves(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> MoveConnection:
        offset, limit = page_window(first, after)
        rows = self.found.moves[offset : offset + limit]
        return edge_connection(
            MoveConnection,
            rows,
            len(self.found.moves),
            offset,
            lambda m, cursor: MoveEdge(node=Move.from_model(m), cursor=cursor),
        )

    @classmethod
    def from_model(cls, key: model.FlowKey, m: model.Flows) -> TalentFlows:
        origins, destinations = m.places(inflow=True), m.places(inflow=False)
        return cls(
            region_id=strawberry.ID(key.region),
            country_code=m.country,
            returnee_years=key.returnee_years,
            by_year=[
                FlowYear(
                    year=y.year,
                    inflow=y.inflow,
                    outflow=y.outflow,
                    net=y.inflow - y.outflow,
                    returnees=y.returnees,
                )
                for y in m.by_year()
            ],
            origins=_places(origins),
            destinations=_places(destinations),
            origin_countries=_countries(origins),
            destination_countries=_countries(destinations),
            inflow=sum(1 for x in m.moves if x.inflow),
            outflow=sum(1 for x in m.moves if not x.inflow),
            returnees=sum(1 for x in m.moves if x.returnee),
            found=m,
        )
