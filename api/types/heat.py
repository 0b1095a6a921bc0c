"""Technology heat: a node's yearly works, citations and share, growth, acceleration, the
forecast with its interval, and the heat score with its components."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.types.connection import PageInfo, edge_page_info, encode_cursor
from graph.queries import heat as model
from ingest.derived.heat import EMERGING_WEIGHTS, HOT_WEIGHTS, RegionPart


@strawberry.enum(description="EMERGING: growing, accelerating, still small; HOT: growing and big.")
class HotKind(Enum):
    EMERGING = "EMERGING"
    HOT = "HOT"


@strawberry.type(description="One year of a node's output.")
class HeatYear:
    year: int
    works: int = strawberry.field(description="Loaded works about it published that year.")
    citations: int = strawberry.field(description="Citations its works received that year.")
    share: float = strawberry.field(description="Its works over all loaded works that year.")


@strawberry.type(description="A forecast year: the expected works and the 80% interval.")
class HeatForecast:
    year: int
    works: float
    low: float
    high: float


@strawberry.type(description="One component of the heat score.")
class HeatComponent:
    name: str
    value: float | None = strawberry.field(description="The raw value (null when undefined).")
    percentile: float = strawberry.field(
        description="Share of the same level's active nodes below it (0..1)."
    )
    weight: float = strawberry.field(description="Its weight in the score of this kind.")
    contribution: float = strawberry.field(description="weight * percentile.")


@strawberry.type(
    description="The heat score: the score of its kind (EMERGING or HOT; the emerging score "
    "when neither), both scores, and the components; the contributions add up to `score`."
)
class HeatScore:
    score: float
    kind: HotKind | None
    emerging: float
    hot: float
    components: list[HeatComponent]


@strawberry.type(description="One year of a region's output about a node.")
class RegionHeatYear:
    year: int
    works: int = strawberry.field(
        description="Works about it with an institution of the region, published that year."
    )
    citations: int = strawberry.field(description="Citations those works received that year.")
    share: float = strawberry.field(
        description="The region's works over all loaded works about it that year."
    )


@strawberry.type(
    description="A region's part of a node's heat, over the same years: what the region's "
    "institutions publish about it, their share, growth, acceleration and forecast."
)
class RegionHeat:
    region_id: strawberry.ID
    years: list[RegionHeatYear]
    growth: float | None = strawberry.field(
        description="Annual growth of the region's last 3 years' works over the 3 years before."
    )
    acceleration: float | None
    forecast: list[HeatForecast]

    @classmethod
    def from_part(
        cls,
        region: str,
        part: RegionPart,
        from_year: int | None = None,
        to_year: int | None = None,
    ) -> RegionHeat:
        return cls(
            region_id=strawberry.ID(region),
            years=[
                RegionHeatYear(year=y, works=w, citations=c, share=s)
                for y, w, c, s in zip(
                    part.years, part.works, part.citations, part.share, strict=True
                )
                if (from_year is None or y >= from_year) and (to_year is None or y <= to_year)
            ],
            growth=part.growth,
            acceleration=part.acceleration,
            forecast=[
                HeatForecast(
                    year=f.year, works=round(f.value, 3), low=round(f.low, 3), high=round(f.high, 3)
                )
                for f in part.forecast
            ],
        )


@strawberry.type(description="The heat of a topic, subfield, field or chain segment.")
class TopicHeat:
    id: strawberry.ID
    kind: str = strawberry.field(description="Topic, Subfield, Field or ChainSegment.")
    name: str
    years: list[HeatYear]
    growth: float | None = strawberry.field(
        description="Annual growth of the last 3 years' works over the 3 years before (null when "
        "there were none before)."
    )
    acceleration: float | None = strawberry.field(
        description="The 3-year CAGR minus the one ending a year earlier."
    )
    forecast: list[HeatForecast]
    source: str = strawberry.field(
        description="Where the counts come from: graph (the loaded works), or openalex (works "
        "and shares from the world's works per year, fetched by `talentmap ingest "
        "openalex-counts`; citations too where it fetched them with --citations)."
    )
    heat_score: HeatScore
    in_region: RegionHeat | None = strawberry.field(
        default=None, description="The region's part, when the query names a region."
    )

    @classmethod
    def from_model(
        cls, m: model.Heat, from_year: int | None = None, to_year: int | None = None
    ) -> TopicHeat:
        kind = HotKind(m.kind) if m.kind else None
        weights = HOT_WEIGHTS if m.kind == "HOT" else EMERGING_WEIGHTS
        components = [
            HeatComponent(
                name=c.name,
                value=c.value,
                percentile=c.percentile,
                weight=weights.get(c.name, 0.0),
                contribution=round(weights.get(c.name, 0.0) * c.percentile, 6),
            )
            for c in m.components
        ]
        return cls(
            id=strawberry.ID(m.id),
            kind=m.label,
            name=m.name,
            years=[
                HeatYear(year=y.year, works=y.works, citations=y.citations, share=y.share)
                for y in m.years
                if (from_year is None or y.year >= from_year)
                and (to_year is None or y.year <= to_year)
            ],
            growth=m.growth,
            acceleration=m.acceleration,
            forecast=[
                HeatForecast(year=f.year, works=f.works, low=f.low, high=f.high) for f in m.forecast
            ],
            source=m.source,
            heat_score=HeatScore(
                score=m.score, kind=kind, emerging=m.emerging, hot=m.hot, components=components
            ),
        )


@strawberry.type
class HotTopicEdge:
    node: TopicHeat
    cursor: str


@strawberry.type(description="Topics ranked by the score of the kind asked, highest first.")
class HotTopicConnection:
    total_count: int
    edges: list[HotTopicEdge]
    page_info: PageInfo

    @classmethod
    def from_model(cls, page: model.HotPage, offset: int) -> HotTopicConnection:
        cursors = [encode_cursor(offset + i) for i in range(len(page.items))]
        return cls(
            total_count=page.total,
            edges=[
                HotTopicEdge(node=TopicHeat.from_model(h), cursor=c)
                for h, c in zip(page.items, cursors, strict=True)
            ],
            page_info=edge_page_info(cursors, offset, page.total),
        )
