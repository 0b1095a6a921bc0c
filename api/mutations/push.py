"""`push`: write the district's push lists (one per focus segment, or `segment`), dated and
versioned, through the audit path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from api.audit import actor, audited_write
from api.context import Info
from api.errors import NotFound
from api.queries.push import check_district
from api.types.push import Pushed, PushList
from graph.queries.recommend import recommendations
from graph.write.push import write_push_list
from schema import push as model
from schema.watch import EntityKind

PushResult = Annotated[Pushed | NotFound, strawberry.union("PushResult")]


@strawberry.type
class PushMutation:
    @strawberry.mutation(
        description="Send the district its current recommendations: a new version of its push "
        "list for each focus segment (or `segment`), entries new since the last one marked."
    )
    async def push(
        self, info: Info, district: strawberry.ID, segment: strawberry.ID | None = None
    ) -> PushResult:
        checked = await check_district(
            info, str(district), None if segment is None else str(segment)
        )
        if isinstance(checked, NotFound):
            return checked
        now = datetime.now(UTC)
        written: list[PushList] = []
        for segment_id, segment_name, segment_name_zh in checked:
            ranked = await info.context.reader(
                recommendations, str(district), segment_id, tuple(EntityKind), now.year
            )
            push_id = model.new_push_list_id()
            made: model.PushList = await audited_write(
                info,
                "push",
                push_id,
                write_push_list,
                summary=f"{district} {segment_id}",
                push_id=push_id,
                district=str(district),
                segment=segment_id,
                segment_name=segment_name,
                segment_name_zh=segment_name_zh,
                ranked=ranked,
                as_of=now.date(),
                pushed_at=now,
                pushed_by=actor(info).name,
            )
            written.append(PushList.from_model(made))
        return Pushed(push_lists=written)
