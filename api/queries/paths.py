"""introductionPaths: who could introduce us to a scientist, an institution or a region."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, InvalidRange, NotFound
from api.ids import IdKind, parse_id, resolve_id
from api.types.paths import IntroductionPaths
from graph.queries.paths import MAX_HOPS, PathKey, TargetKind, introduction_paths
from schema import ids

MAX_FIRST = 20

IntroductionPathsResult = Annotated[
    IntroductionPaths | NotFound | InvalidId | InvalidRange,
    strawberry.union("IntroductionPathsResult"),
]

# `to` is read as the first kind whose form it has.
_TARGETS = (
    (IdKind.SCIENTIST, TargetKind.SCIENTIST),
    (IdKind.INSTITUTION, TargetKind.INSTITUTION),
    (IdKind.REGION, TargetKind.REGION),
)


async def _target(info: Info, raw: str) -> tuple[TargetKind, str] | NotFound | InvalidId:
    for id_kind, target_kind in _TARGETS:
        try:
            parse_id(id_kind, raw)
        except ids.InvalidIdError:
            continue
        found = await resolve_id(info, id_kind, raw)
        return found if not isinstance(found, str) else (target_kind, found)
    return InvalidId(
        id=strawberry.ID(raw),
        message=f"{raw!r} is not a scientist id (OpenAlex A… or ORCID), an institution id "
        "(ROR or OpenAlex I…) or a region id (CN, cn/suzhou, cn/suzhou/kunshan)",
    )


@strawberry.type
class PathsQuery:
    @strawberry.field(
        description="The shortest co-author paths from the scientist `from` to `to`: a "
        "scientist, an institution (anyone affiliated with it) or a region (anyone affiliated "
        "with an institution in it). Among the shortest, strong ties first (the weakest hop's "
        f"shared works, then the total). maxHops 1 to {MAX_HOPS}; first 1 to {MAX_FIRST}."
    )
    async def introduction_paths(
        self,
        info: Info,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        max_hops: int | None = 3,
        first: int | None = 5,
    ) -> IntroductionPathsResult:
        max_hops = 3 if max_hops is None else max_hops
        first = 5 if first is None else first
        if not 1 <= max_hops <= MAX_HOPS:
            return InvalidRange(
                argument="maxHops",
                message=f"maxHops must be between 1 and {MAX_HOPS}, got {max_hops}",
            )
        if not 1 <= first <= MAX_FIRST:
            return InvalidRange(
                argument="first", message=f"first must be between 1 and {MAX_FIRST}, got {first}"
            )
        source = await resolve_id(info, IdKind.SCIENTIST, str(from_))
        if not isinstance(source, str):
            return source
        target = await _target(info, str(to))
        if not isinstance(target, tuple):
            return target
        kind, target_id = target
        key = PathKey(source, kind, target_id, max_hops, first)
        search = await info.context.loader(introduction_paths).load(key)
        return IntroductionPaths.from_search(search, kind.value, target_id)
