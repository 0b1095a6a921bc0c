"""The talentMap answer: drawable institutions, most talent first, as a cursor connection whose
edges carry the talent count and whether the institution is in the home region."""

from __future__ import annotations

import strawberry

from api.types.connection import PageInfo, encode_cursor
from api.types.institution import Institution
from graph.queries.map import RegionPlaces
from graph.queries.map import TalentMap as TalentMapModel
from schema.region import Region


@strawberry.type(description="An institution on the map and the talent it holds.")
class MapPointEdge:
    node: Institution
    cursor: str
    talent: int = strawberry.field(
        description="Scientists whose latest affiliation is this institution (with an industry "
        "or segment: those ranked in it)."
    )
    in_region: bool | None = strawberry.field(
        description="Whether it is in the region; null without a region."
    )


@strawberry.type(
    description="Institutions with coordinates, most talent first (ties: id), for a map."
)
class TalentMap:
    region_id: strawberry.ID | None
    total_count: int = strawberry.field(description="Drawable institutions with any talent.")
    talent_count: int = strawberry.field(description="The talent of all of them, summed.")
    edges: list[MapPointEdge]
    page_info: PageInfo

    @classmethod
    def from_model(cls, model: TalentMapModel, offset: int, region_id: str | None) -> TalentMap:
        edges = [
            MapPointEdge(
                node=Institution.from_model(point.institution),
                cursor=encode_cursor(offset + i),
                talent=point.talent,
                in_region=point.in_region,
            )
            for i, point in enumerate(model.points)
        ]
        return cls(
            region_id=strawberry.ID(region_id) if region_id is not None else None,
            total_count=model.total,
            talent_count=model.talent,
            edges=edges,
            page_info=PageInfo(
                has_next_page=offset + len(edges) < model.total,
                has_previous_page=offset > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


@strawberry.type(description="A city or district of a region profile, where the map draws it.")
class Place:
    id: strawberry.ID
    name_en: str
    name_zh: str | None
    latitude: float | None = strawberry.field(description="Its centre (the profile's), if given.")
    longitude: float | None
    institutions_count: int = strawberry.field(
        description="Institutions in it (as talentMap's inRegion tells them)."
    )

    @classmethod
    def from_model(cls, model: Region, institutions: int) -> Place:
        return cls(
            id=strawberry.ID(model.id),
            name_en=model.name_en,
            name_zh=model.name_zh,
            latitude=model.latitude,
            longitude=model.longitude,
            institutions_count=institutions,
        )


@strawberry.type(description="A home region's city and its districts, for the map.")
class RegionMap:
    city: Place
    districts: list[Place]

    @classmethod
    def from_model(cls, model: RegionPlaces) -> RegionMap:
        total = sum(d.institutions for d in model.districts)
        return cls(
            city=Place.from_model(model.city, total),
            districts=[Place.from_model(d.district, d.institutions) for d in model.districts],
        )
