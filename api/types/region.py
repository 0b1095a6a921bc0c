"""A place for a front-end to draw: its names, parks, focus industries (with their chain
segments), the places in it and its institutions (paged)."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.types.connection import Connection, Edge, owner_connection
from api.types.industry import ChainSegment, Industry
from api.types.institution import Institution
from graph.queries.region import places_in, region_institutions
from graph.read.industry import industries_by_id, segments
from schema.region import Region as RegionModel
from schema.region import RegionKind

strawberry.enum(RegionKind, description="A country, a city or a district of a city.")


@strawberry.type(description="An industrial park in a place, in both languages.")
class Park:
    name_en: str
    name_zh: str


@strawberry.type(description="A country, a city or a district (a county-level city too).")
class Region:
    id: strawberry.ID
    kind: RegionKind
    name_en: str
    name_zh: str | None
    names: list[str] = strawberry.field(description="English and Chinese names, then aliases.")
    aliases: list[str]
    parent_id: strawberry.ID | None
    latitude: float | None
    longitude: float | None
    parks: list[Park]
    industry_ids: list[strawberry.ID] = strawberry.field(
        description="The industries the place focuses on (also those not loaded)."
    )

    @classmethod
    def from_model(cls, model: RegionModel) -> Region:
        names = [model.name_en] + ([model.name_zh] if model.name_zh else [])
        return cls(
            id=strawberry.ID(model.id),
            kind=model.kind,
            name_en=model.name_en,
            name_zh=model.name_zh,
            names=names + list(model.aliases),
            aliases=list(model.aliases),
            parent_id=strawberry.ID(model.parent_id) if model.parent_id else None,
            latitude=model.latitude,
            longitude=model.longitude,
            parks=[
                Park(name_en=en, name_zh=zh)
                for en, zh in zip(model.parks_en, model.parks_zh, strict=True)
            ],
            industry_ids=[strawberry.ID(i) for i in model.industry_ids],
        )

    @strawberry.field(
        description="The places directly in it: a country's cities, a city's districts (by id)."
    )
    async def districts(self, info: Info) -> list[Region]:
        found = await info.context.loader(places_in).load(str(self.id))
        return [Region.from_model(m) for m in found]

    @strawberry.field(description="The industries it focuses on (those in the graph), by id.")
    async def industries(self, info: Info) -> list[Industry]:
        found = await info.context.loader(industries_by_id).load_many(
            [str(i) for i in self.industry_ids]
        )
        return [Industry.from_model(m) for m in found if m is not None]

    @strawberry.field(
        description="The chain segments of its focus industries: industry by industry (by "
        "id), each chain in chain order."
    )
    async def segments(self, info: Info) -> list[ChainSegment]:
        ids = sorted(str(i) for i in self.industry_ids)
        found = await info.context.loader(segments).load_many(ids)
        return [ChainSegment.from_model(s) for chain in found for s in chain]

    @strawberry.field(
        description="The institutions in it (those the profile places in it or its "
        "districts, those ROR places in a GeoNames city it covers, and for a country those of "
        "its country code), most works first (ties: id)."
    )
    async def institutions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Institution]:
        return await owner_connection(
            info,
            region_institutions,
            str(self.id),
            first,
            after,
            Connection,
            lambda model, cursor: Edge(node=Institution.from_model(model), cursor=cursor),
        )
