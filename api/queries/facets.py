"""facets: counts of scientists or works by one or two dimensions (graph/queries/facets.py
says what each dimension means for each subject)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, InvalidRange, NotFound
from api.ids import IdKind, country_code, resolve_optional
from api.types.connection import Connection, build_connection, page_window
from graph.queries.facets import MAX_DIMENSIONS, Dimension, FacetKey, facets
from graph.queries.facets import FacetSubject as Subject


@strawberry.enum(description="What facets count.")
class FacetSubject(Enum):
    SCIENTISTS = Subject.SCIENTISTS.value
    WORKS = Subject.WORKS.value


@strawberry.enum(
    description="A dimension of facets. A work's COUNTRY and INSTITUTION_TYPE are those of its "
    "authorships' institutions, its FIELD the OpenAlex field of its primary topic, its YEAR its "
    "publication year. A scientist's COUNTRY and INSTITUTION_TYPE are those of their latest "
    "institutions (affiliations with the largest end year), FIELD the fields of their works' "
    "primary topics, YEAR the years they published in. A subject with several values counts "
    "once in each; one without a value is in no bucket."
)
class FacetDimension(Enum):
    COUNTRY = Dimension.COUNTRY.value
    FIELD = Dimension.FIELD.value
    YEAR = Dimension.YEAR.value
    INSTITUTION_TYPE = Dimension.INSTITUTION_TYPE.value


@strawberry.input(
    description="Keeps the subjects with a matching value of each dimension given, and only "
    "the matching values in the buckets."
)
class FacetFilter:
    country: str | None = strawberry.field(default=None, description="ISO code, e.g. CN.")
    field: strawberry.ID | None = strawberry.field(
        default=None, description="An OpenAlex field id, e.g. fields/17."
    )
    institution_type: str | None = strawberry.field(
        default=None, description="e.g. education, company, facility (case-insensitive)."
    )
    from_year: int | None = None
    to_year: int | None = None


@strawberry.type(description="One value of one dimension.")
class FacetKeyValue:
    dimension: FacetDimension
    value: str = strawberry.field(
        description="ISO country code, field id (fields/17), year, or institution type."
    )
    label: str = strawberry.field(description="The country's or field's name; else the value.")


@strawberry.type(description="How many subjects have this combination of values.")
class FacetBucket:
    keys: list[FacetKeyValue] = strawberry.field(description="One per dimension, in `by` order.")
    count: int


@strawberry.type(description="Facet counts; buckets most subjects first, then by value.")
class Facets:
    subject: FacetSubject
    by: list[FacetDimension]
    total: int = strawberry.field(description="Subjects that match the filter.")
    buckets: Connection[FacetBucket]


FacetsResult = Annotated[
    Facets | InvalidRange | InvalidId | NotFound, strawberry.union("FacetsResult")
]
_YEARS = (0, 2100)


async def _key(
    info: Info,
    subject: FacetSubject,
    by: list[FacetDimension],
    f: FacetFilter,
    offset: int,
    limit: int,
) -> FacetKey | InvalidRange | InvalidId | NotFound:
    dims = tuple(Dimension(d.value) for d in by)
    if not 1 <= len(dims) <= MAX_DIMENSIONS:
        return InvalidRange(
            argument="by", message=f"by takes 1 to {MAX_DIMENSIONS} dimensions, got {len(dims)}"
        )
    if len(set(dims)) != len(dims):
        return InvalidRange(argument="by", message="by names a dimension twice")
    for name, year in (("fromYear", f.from_year), ("toYear", f.to_year)):
        if year is not None and not _YEARS[0] <= year <= _YEARS[1]:
            return InvalidRange(argument=name, message=f"{name} must be a year, got {year}")
    if f.from_year is not None and f.to_year is not None and f.from_year > f.to_year:
        return InvalidRange(argument="fromYear", message="fromYear is after toYear")
    country = country_code(f.country)
    if isinstance(country, InvalidId):
        return country
    field = await resolve_optional(info, IdKind.TAXON, f.field)
    if not isinstance(field, str | None):
        return field
    if field is not None and not field.startswith("fields/"):
        return InvalidId(id=strawberry.ID(str(f.field)), message=f"{f.field!r} is not a field")
    kind = f.institution_type.strip().lower() if f.institution_type else None
    return FacetKey(
        subject=Subject(subject.value),
        by=dims,
        offset=offset,
        limit=limit,
        country=country,
        field=field,
        institution_type=kind or None,
        from_year=f.from_year,
        to_year=f.to_year,
    )


@strawberry.type
class FacetsQuery:
    @strawberry.field(
        description="Counts of scientists or works grouped by one or two dimensions (see "
        "FacetDimension), filtered. `buckets` pages through the value combinations, most "
        "subjects first; `total` counts the subjects matching the filter. More than two or "
        "repeated dimensions, or a reversed year range, give InvalidRange."
    )
    async def facets(
        self,
        info: Info,
        subject: FacetSubject,
        by: list[FacetDimension],
        filter: FacetFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> FacetsResult:
        offset, limit = page_window(first, after)
        key = await _key(info, subject, by, filter or FacetFilter(), offset, limit)
        if not isinstance(key, FacetKey):
            return key
        found = await info.context.loader(facets).load(key)
        buckets = [
            FacetBucket(
                keys=[
                    FacetKeyValue(
                        dimension=FacetDimension(k.dimension.value), value=k.value, label=k.label
                    )
                    for k in b.keys
                ],
                count=b.count,
            )
            for b in found.buckets
        ]
        return Facets(
            subject=subject,
            by=list(by),
            total=found.total,
            buckets=build_connection(buckets, found.bucket_count, offset),
        )
