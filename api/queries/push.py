"""District recommendations (靶向推送) and the push lists districts were sent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import NotFound
from api.types.connection import edge_connection, page_window
from api.types.push import (
    PushList,
    PushListConnection,
    PushListEdge,
    Recommendation,
    RecommendationConnection,
    RecommendationEdge,
)
from api.types.watch import EntityKind
from graph.queries.recommend import SegmentNames, district_segments, recommendations
from graph.read.push import district_push_lists, push_lists_by_id
from schema import watch as model

RecommendationsResult = Annotated[
    RecommendationConnection | NotFound, strawberry.union("RecommendationsResult")
]
PushListResult = Annotated[PushList | NotFound, strawberry.union("PushListResult")]


async def check_district(
    info: Info, district: str, segment: str | None
) -> list[SegmentNames] | NotFound:
    """The focus segments asked for (all of the district's, or `segment` among them)."""
    segments = await info.context.reader(district_segments, district)
    if segments is None:
        return NotFound(id=strawberry.ID(district), message=f"no district has the id {district!r}")
    if segment is not None:
        segments = [s for s in segments if s[0] == segment]
        if not segments:
            return NotFound(
                id=strawberry.ID(segment),
                message=f"{segment!r} is not a segment of the focus industries of {district}",
            )
    return segments


@strawberry.type
class PushQuery:
    @strawberry.field(
        description="Candidates outside the district for its focus segments (or `segment`), "
        "best first: talent-chain evidence x reach (cooperation with the district's "
        "institutions, introduction path) x mobility, with reasons; people in an open case "
        "are left out."
    )
    async def recommendations(
        self,
        info: Info,
        district: strawberry.ID,
        segment: strawberry.ID | None = None,
        kind: EntityKind | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> RecommendationsResult:
        offset, limit = page_window(first, after)
        checked = await check_district(
            info, str(district), None if segment is None else str(segment)
        )
        if isinstance(checked, NotFound):
            return checked
        kinds = tuple(model.EntityKind) if kind is None else (model.EntityKind(kind),)
        ranked = await info.context.reader(
            recommendations,
            str(district),
            None if segment is None else str(segment),
            kinds,
            datetime.now(UTC).year,
        )
        return edge_connection(
            RecommendationConnection,
            ranked[offset : offset + limit],
            len(ranked),
            offset,
            lambda r, cursor: RecommendationEdge(node=Recommendation.from_model(r), cursor=cursor),
        )

    @strawberry.field(description="The push lists a district was sent, newest first.")
    async def push_lists(
        self,
        info: Info,
        district: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> PushListConnection:
        offset, limit = page_window(first, after)
        total, page = await info.context.reader(district_push_lists, str(district), offset, limit)
        return edge_connection(
            PushListConnection,
            page,
            total,
            offset,
            lambda p, cursor: PushListEdge(node=PushList.from_model(p), cursor=cursor),
        )

    @strawberry.field(description="A push list by id (push-…).")
    async def push_list(self, info: Info, id: strawberry.ID) -> PushListResult:
        found = await info.context.loader(push_lists_by_id).load(str(id))
        if found is None:
            return NotFound(id=id, message=f"no push list has the id {str(id)!r}")
        return PushList.from_model(found)
