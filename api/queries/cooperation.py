"""Cooperation between institutions: a pair's joint works, an institution's partners, and the
world's institutions working with a region's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import strawberry

from api.context import Info
from api.errors import InvalidId, InvalidRange, NotFound
from api.ids import IdKind, not_found, resolve_id
from api.types.cooperation import (
    CooperationFilter,
    InstitutionCooperation,
    PartnerConnection,
    RegionCooperation,
    YearCount,
    partner_connection,
)
from api.types.cooperation import (
    region_cooperation as region_connection,
)
from api.types.institution import Institution
from graph.queries.cooperation import PairKey, Years, joint
from graph.read.institution import institutions_by_id

C = TypeVar("C")  # a connection of partners

InstitutionCooperationResult = Annotated[
    InstitutionCooperation | NotFound | InvalidId | InvalidRange,
    strawberry.union("InstitutionCooperationResult"),
]
CooperationPartnersResult = Annotated[
    PartnerConnection | NotFound | InvalidId | InvalidRange,
    strawberry.union("CooperationPartnersResult"),
]
RegionCooperationResult = Annotated[
    RegionCooperation | NotFound | InvalidId | InvalidRange,
    strawberry.union("RegionCooperationResult"),
]


def _check_years(from_year: int | None, to_year: int | None) -> InvalidRange | None:
    if from_year is not None and to_year is not None and from_year > to_year:
        return InvalidRange(
            argument="fromYear",
            message=f"fromYear ({from_year}) is after toYear ({to_year})",
        )
    return None


def _filter_years(filters: CooperationFilter | None) -> InvalidRange | None:
    return None if filters is None else _check_years(filters.from_year, filters.to_year)


async def _partners(
    info: Info,
    kind: IdKind,
    raw: strawberry.ID,
    filters: CooperationFilter | None,
    first: int | None,
    after: str | None,
    connection: Callable[
        [Info, str, CooperationFilter | None, int | None, str | None], Awaitable[C]
    ],
) -> C | NotFound | InvalidId | InvalidRange:
    """The partners of the institution or region (`kind`) that `raw` names: checks the
    filter's years and the id, then reads the page through `connection`."""
    reversed_years = _filter_years(filters)
    if reversed_years is not None:
        return reversed_years
    found = await resolve_id(info, kind, str(raw))
    if not isinstance(found, str):
        return found
    return await connection(info, found, filters, first, after)


@strawberry.type
class CooperationQuery:
    @strawberry.field(
        description="The joint works of institutions a and b (a work counts when both are "
        "among its authorships' institutions), in the inclusive year window if given: the "
        "count, by year, their topics, the person pairs behind them and the works."
    )
    async def institution_cooperation(
        self,
        info: Info,
        a: strawberry.ID,
        b: strawberry.ID,
        from_year: int | None = None,
        to_year: int | None = None,
    ) -> InstitutionCooperationResult:
        reversed_years = _check_years(from_year, to_year)
        if reversed_years is not None:
            return reversed_years
        # Both lookups in one tick, so the lookup DataLoader makes one query of them.
        found = await asyncio.gather(
            resolve_id(info, IdKind.INSTITUTION, str(a)),
            resolve_id(info, IdKind.INSTITUTION, str(b)),
        )
        ids: list[str] = []
        for result in found:
            if not isinstance(result, str):
                return result
            ids.append(result)
        key = PairKey(ids[0], ids[1], Years(from_year, to_year))
        models, counts = await asyncio.gather(
            info.context.loader(institutions_by_id).load_many(ids),
            info.context.loader(joint).load(key),
        )
        model_a, model_b = models
        if model_a is None or model_b is None:
            raw = a if model_a is None else b
            return not_found(IdKind.INSTITUTION, raw)
        return InstitutionCooperation(
            a=Institution.from_model(model_a),
            b=Institution.from_model(model_b),
            from_year=from_year,
            to_year=to_year,
            joint_works_count=counts.works,
            by_year=[YearCount(year=y.year, count=y.count) for y in counts.by_year],
        )

    @strawberry.field(
        description="The institutions sharing works with `institution`, most joint works "
        "first (ties: id), each with the count and the top topics of the joint works."
    )
    async def cooperation_partners(
        self,
        info: Info,
        institution: strawberry.ID,
        filter: CooperationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> CooperationPartnersResult:
        return await _partners(
            info, IdKind.INSTITUTION, institution, filter, first, after, partner_connection
        )

    @strawberry.field(
        description="The institutions outside `region` (a country CN, a city cn/suzhou or a "
        "district cn/suzhou/kunshan) that share works with the institutions in it, most "
        "joint works first (ties: id), each with the region's institutions it works with."
    )
    async def region_cooperation(
        self,
        info: Info,
        region: strawberry.ID,
        filter: CooperationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> RegionCooperationResult:
        return await _partners(info, IdKind.REGION, region, filter, first, after, region_connection)
