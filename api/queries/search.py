"""Talent search: scientists and institutions by name (full text, hanzi and pinyin) and filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, InvalidRange, NotFound
from api.ids import IdKind, country_code, resolve_id, resolve_optional
from api.types.connection import page_window
from api.types.search import (
    InstitutionFilter,
    InstitutionSearchConnection,
    InstitutionSort,
    IntRange,
    ScientistFilter,
    ScientistSearchConnection,
    ScientistSort,
)
from graph.queries.search import (
    InstitutionOrder,
    InstitutionSearch,
    ScientistCriteria,
    ScientistOrder,
    ScientistSearch,
    SearchPage,
    lucene_query,
    search_institutions,
    search_scientists,
)
from schema.institution import Institution as InstitutionModel
from schema.scientist import Scientist as ScientistModel

SearchScientistsResult = Annotated[
    ScientistSearchConnection | InvalidId | NotFound | InvalidRange,
    strawberry.union("SearchScientistsResult"),
]
SearchInstitutionsResult = Annotated[
    InstitutionSearchConnection | InvalidId | NotFound | InvalidRange,
    strawberry.union("SearchInstitutionsResult"),
]
# RECENT_OUTPUT counts works of the current year and the years before it, this many in all.
RECENT_YEARS = 5
Failed = InvalidId | NotFound | InvalidRange


def _range(name: str, value: IntRange | None) -> tuple[int | None, int | None] | InvalidRange:
    if value is None:
        return None, None
    for bound in (value.min, value.max):
        if bound is not None and bound < 0:
            return InvalidRange(argument=name, message=f"{name} bounds must not be negative")
    if value.min is not None and value.max is not None and value.min > value.max:
        return InvalidRange(argument=name, message=f"{name}.min is greater than {name}.max")
    return value.min, value.max


async def _ids(
    info: Info, kind: IdKind, raw: list[strawberry.ID] | None
) -> tuple[str, ...] | InvalidId | NotFound | None:
    if raw is None:
        return None
    found: list[str] = []
    for value in raw:
        own = await resolve_id(info, kind, str(value))
        if not isinstance(own, str):
            return own
        found.append(own)
    return tuple(found)


async def _criteria(info: Info, f: ScientistFilter | None) -> ScientistCriteria | Failed:
    if f is None:
        return ScientistCriteria()
    taxa = await _ids(info, IdKind.TAXON, f.topics)
    industry = await resolve_optional(info, IdKind.INDUSTRY, f.industry)
    segment = await resolve_optional(info, IdKind.SEGMENT, f.segment)
    institution = await resolve_optional(info, IdKind.INSTITUTION, f.institution)
    country = country_code(f.country)
    h_index = _range("hIndex", f.h_index)
    works = _range("works", f.works)
    for value in (taxa, industry, segment, institution, country, h_index, works):
        if isinstance(value, InvalidId | NotFound | InvalidRange):
            return value
    if f.active_since is not None and not 0 <= f.active_since <= 2100:
        return InvalidRange(argument="activeSince", message="activeSince must be a year")
    assert isinstance(h_index, tuple) and isinstance(works, tuple)
    return ScientistCriteria(
        taxa=taxa if isinstance(taxa, tuple) else None,
        industry=industry if isinstance(industry, str) else None,
        segment=segment if isinstance(segment, str) else None,
        country=country if isinstance(country, str) else None,
        city=f.city.strip() if f.city and f.city.strip() else None,
        institution=institution if isinstance(institution, str) else None,
        h_min=h_index[0],
        h_max=h_index[1],
        works_min=works[0],
        works_max=works[1],
        active_since=f.active_since,
        tier=f.tier.value if f.tier else None,
    )


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Scientists whose names (alternative names, hanzi and pinyin included) "
        "contain every word of `query`, filtered; without a query, every scientist matching the "
        "filter. Default order: RELEVANCE with a query, else CITATIONS; ties by id."
    )
    async def search_scientists(
        self,
        info: Info,
        query: str | None = None,
        filter: ScientistFilter | None = None,
        sort: ScientistSort | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> SearchScientistsResult:
        offset, limit = page_window(first, after)
        criteria = await _criteria(info, filter)
        if not isinstance(criteria, ScientistCriteria):
            return criteria
        lucene = lucene_query(query, pinyin=True) if query and query.strip() else None
        if sort is not None:
            order = ScientistOrder(sort.value)
        else:
            order = ScientistOrder.RELEVANCE if lucene else ScientistOrder.CITATIONS
        if query and query.strip() and lucene is None:
            return ScientistSearchConnection.from_page(_EMPTY_SCIENTISTS, offset)
        key = ScientistSearch(
            lucene=lucene,
            criteria=criteria,
            order=order,
            recent_since=datetime.now(UTC).year - RECENT_YEARS + 1,
            offset=offset,
            limit=limit,
        )
        page = await info.context.loader(search_scientists).load(key)
        return ScientistSearchConnection.from_page(page, offset)

    @strawberry.field(
        description="Institutions whose names, labels (every language), acronyms or aliases "
        "contain every word of `query`, filtered. Default order: RELEVANCE with a query, else "
        "WORKS; ties by id."
    )
    async def search_institutions(
        self,
        info: Info,
        query: str | None = None,
        filter: InstitutionFilter | None = None,
        sort: InstitutionSort | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> SearchInstitutionsResult:
        offset, limit = page_window(first, after)
        f = filter or InstitutionFilter()
        taxa = await _ids(info, IdKind.TAXON, f.topics)
        region = await resolve_optional(info, IdKind.REGION, f.region)
        country = country_code(f.country)
        for value in (taxa, region, country):
            if isinstance(value, InvalidId | NotFound):
                return value
        lucene = lucene_query(query) if query and query.strip() else None
        if sort is not None:
            order = InstitutionOrder(sort.value)
        else:
            order = InstitutionOrder.RELEVANCE if lucene else InstitutionOrder.WORKS
        if query and query.strip() and lucene is None:
            return InstitutionSearchConnection.from_page(_EMPTY_INSTITUTIONS, offset)
        key = InstitutionSearch(
            lucene=lucene,
            order=order,
            offset=offset,
            limit=limit,
            country=country if isinstance(country, str) else None,
            city=f.city.strip() if f.city and f.city.strip() else None,
            type=f.type.strip() if f.type and f.type.strip() else None,
            region=region if isinstance(region, str) else None,
            taxa=taxa if isinstance(taxa, tuple) else None,
        )
        page = await info.context.loader(search_institutions).load(key)
        return InstitutionSearchConnection.from_page(page, offset)


_EMPTY_SCIENTISTS = SearchPage[ScientistModel](total=0, hits=[])
_EMPTY_INSTITUTIONS = SearchPage[InstitutionModel](total=0, hits=[])
