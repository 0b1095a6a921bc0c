"""topicHeat: how hot a topic, subfield, field or chain segment is, and where it is going;
hotTopics: the topics ranked by heat, in an industry's chain or everywhere."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, InvalidRange, NotFound
from api.ids import IdKind, not_found, resolve_id, resolve_optional
from api.types.connection import page_window
from api.types.heat import HotKind, HotTopicConnection, RegionHeat, TopicHeat
from graph.queries.heat import (
    HotKey,
    HotPage,
    RegionHeatInputs,
    RegionHotKey,
    RegionKey,
    heat_of,
    heats,
    hot_topics,
    region_heat_inputs,
    region_works,
)
from ingest.derived.heat import compute_heat, ranked_topics, region_part
from schema.labels import Label

TopicHeatResult = Annotated[
    TopicHeat | NotFound | InvalidId | InvalidRange, strawberry.union("TopicHeatResult")
]
HotTopicsResult = Annotated[
    HotTopicConnection | NotFound | InvalidId | InvalidRange, strawberry.union("HotTopicsResult")
]


@strawberry.type
class HeatQuery:
    @strawberry.field(
        description="Works, citations and share per year, growth, acceleration, a 3-year "
        "forecast with an 80% interval and the heat score of a topic (T10001), subfield "
        "(subfields/1702), field (fields/17) or chain segment (<industry>/<segment>); with "
        "`region` (a country CN, a city cn/suzhou or a district), also `inRegion`: the "
        "region's works about it per year, its share of them, growth and forecast."
    )
    async def topic_heat(
        self,
        info: Info,
        id: strawberry.ID,
        region: strawberry.ID | None = None,
        from_year: int | None = None,
        to_year: int | None = None,
    ) -> TopicHeatResult:
        if from_year is not None and to_year is not None and from_year > to_year:
            return InvalidRange(argument="fromYear", message="fromYear is after toYear")
        region_id = await resolve_optional(info, IdKind.REGION, region)
        if isinstance(region_id, NotFound | InvalidId):
            return region_id
        raw = str(id)
        resolved = await resolve_id(info, IdKind.TAXON, raw)
        if isinstance(resolved, InvalidId):
            resolved = await resolve_id(info, IdKind.SEGMENT, raw)
        if not isinstance(resolved, str):
            return resolved
        found = await info.context.loader(heats).load(resolved)
        if found is None:
            return not_found(IdKind.TAXON, raw)
        heat = TopicHeat.from_model(found, from_year, to_year)
        if region_id is not None:
            got = await info.context.loader(region_works).load(RegionKey(found.id, region_id))
            years = [y.year for y in found.years]
            part = region_part(got.works, got.topics, years, [y.works for y in found.years])
            heat.in_region = RegionHeat.from_part(region_id, part, from_year, to_year)
        return heat

    @strawberry.field(
        description="Topics ranked by heat: with `kind`, those of that kind by its score; "
        "without, all scored topics by the emerging score. `industry` keeps the topics its "
        "segments need. With `region`, the heat is computed over the works of the region's "
        "institutions alone (same window; shares of the region's works; percentiles among the "
        "region's topics): what is hot or emerging there."
    )
    async def hot_topics(
        self,
        info: Info,
        industry: strawberry.ID | None = None,
        region: strawberry.ID | None = None,
        kind: HotKind | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> HotTopicsResult:
        offset, limit = page_window(first, after)
        region_id = await resolve_optional(info, IdKind.REGION, region)
        if isinstance(region_id, NotFound | InvalidId):
            return region_id
        industry_id = await resolve_optional(info, IdKind.INDUSTRY, industry)
        if isinstance(industry_id, NotFound | InvalidId):
            return industry_id
        if region_id is not None:
            inputs = await info.context.loader(region_heat_inputs).load(
                RegionHotKey(region_id, industry_id)
            )
            return HotTopicConnection.from_model(
                region_hot_page(inputs, kind.value if kind else None, offset, limit), offset
            )
        key = HotKey(industry_id, kind.value if kind else None, offset, limit)
        page = await info.context.loader(hot_topics).load(key)
        return HotTopicConnection.from_model(page, offset)


def region_hot_page(inputs: RegionHeatInputs, kind: str | None, offset: int, limit: int) -> HotPage:
    """A page of the topics ranked by their heat over the region's works alone (the derived
    step's computation, at query time, with the same window)."""
    rows = compute_heat(
        inputs.works, inputs.first_years, inputs.taxonomy, inputs.segments, end=inputs.end
    )[Label.TOPIC]
    ranked = ranked_topics(rows, kind, inputs.industry_topics)
    items = (
        heat_of(
            {
                "id": r["id"],
                "label": Label.TOPIC.value,
                "name": inputs.names.get(r["id"], r["id"]),
                "heat": r["props"],
            }
        )
        for r in ranked[offset : offset + limit]
    )
    return HotPage(len(ranked), tuple(h for h in items if h is not None))
