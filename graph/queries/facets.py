"""Facets: how many scientists or works have each value of one or two dimensions.

What a dimension's values are, per subject (a subject without a value of a dimension is in no
bucket of it, but still counts in `total`; a subject with several values counts once in each,
so bucket counts may add up to more than `total`):

- COUNTRY: a work's are the countries of its authorships' institutions (BY_INSTITUTION); a
  scientist's, the countries of their latest institutions (AFFILIATED_WITH with the largest
  `end_year`; all of them when none has years: the talent chain's "in the region" rule).
- INSTITUTION_TYPE: the types (lower case) of the same institutions.
- FIELD: the OpenAlex field of a work's primary topic; a scientist's, the fields of the primary
  topics of their works.
- YEAR: a work's publication year; a scientist's, the years they published works in.

Works are those with a record (citation stubs are not). Two dimensions count each distinct
pair of values. A filter on a dimension keeps the subjects with a matching value and, in the
buckets, only the matching values (works from 2020 to 2022 by year: three buckets at most).

A request for facets scans every subject: one query per request, no per-row work in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from graph.reader import Tx, fetch
from schema.labels import Label, Rel


class FacetSubject(StrEnum):
    SCIENTISTS = "scientists"
    WORKS = "works"


class Dimension(StrEnum):
    COUNTRY = "country"
    FIELD = "field"
    YEAR = "year"
    INSTITUTION_TYPE = "institution_type"


MAX_DIMENSIONS = 2

_FIELD_OF_PRIMARY = (
    f"-[:{Rel.ABOUT} {{primary: true}}]->(:{Label.TOPIC})-[:{Rel.PART_OF}]->(:{Label.SUBFIELD})"
    f"-[:{Rel.PART_OF}]->(f:{Label.FIELD})"
)
_WORK_INSTITUTIONS = f"MATCH (x)-[:{Rel.BY_INSTITUTION}]->(i:{Label.INSTITUTION})"
# A scientist's latest institutions; `latest` is their largest AFFILIATED_WITH end_year.
_LATEST_INSTITUTIONS = (
    f"MATCH (x)-[a:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION}) "
    "WHERE (latest IS NULL OR a.end_year = latest) AND"
)
_LATEST = f"""CALL (x) {{
  OPTIONAL MATCH (x)-[a:{Rel.AFFILIATED_WITH}]->(:{Label.INSTITUTION})
  RETURN max(a.end_year) AS latest
}}"""

# Cypher list of a subject `x`'s values of each dimension.
VALUES: dict[FacetSubject, dict[Dimension, str]] = {
    FacetSubject.WORKS: {
        Dimension.COUNTRY: f"COLLECT {{ {_WORK_INSTITUTIONS} WHERE i.country_code IS NOT NULL "
        "RETURN DISTINCT i.country_code }",
        Dimension.INSTITUTION_TYPE: f"COLLECT {{ {_WORK_INSTITUTIONS} WHERE i.type IS NOT NULL "
        "RETURN DISTINCT toLower(i.type) }",
        Dimension.FIELD: f"COLLECT {{ MATCH (x){_FIELD_OF_PRIMARY} RETURN DISTINCT f.id }}",
        Dimension.YEAR: "[y IN [x.publication_year] WHERE y IS NOT NULL]",
    },
    FacetSubject.SCIENTISTS: {
        Dimension.COUNTRY: f"COLLECT {{ {_LATEST_INSTITUTIONS} i.country_code IS NOT NULL "
        "RETURN DISTINCT i.country_code }",
        Dimension.INSTITUTION_TYPE: f"COLLECT {{ {_LATEST_INSTITUTIONS} i.type IS NOT NULL "
        "RETURN DISTINCT toLower(i.type) }",
        Dimension.FIELD: f"COLLECT {{ MATCH (x)-[:{Rel.AUTHORED}]->(:{Label.WORK})"
        f"{_FIELD_OF_PRIMARY} RETURN DISTINCT f.id }}",
        Dimension.YEAR: f"COLLECT {{ MATCH (x)-[:{Rel.AUTHORED}]->(w:{Label.WORK}) "
        "WHERE w.publication_year IS NOT NULL RETURN DISTINCT w.publication_year }",
    },
}
_SUBJECTS = {
    FacetSubject.WORKS: f"MATCH (x:{Label.WORK}) WHERE x.stub IS NULL",
    FacetSubject.SCIENTISTS: f"MATCH (x:{Label.SCIENTIST})",
}
# A value `v` of a dimension matches the filter (parameters of the query).
_MATCHES = {
    Dimension.COUNTRY: "v = $country",
    Dimension.FIELD: "v = $field",
    Dimension.INSTITUTION_TYPE: "v = $institution_type",
    Dimension.YEAR: "($from_year IS NULL OR v >= $from_year) "
    "AND ($to_year IS NULL OR v <= $to_year)",
}
# Labels of the values shown: a field's name, a country's name.
LABELS = f"""
UNWIND $fields AS fid
OPTIONAL MATCH (f:{Label.FIELD} {{id: fid}})
RETURN 'field' AS dimension, fid AS value, f.name AS label
UNION ALL
UNWIND $countries AS code
OPTIONAL MATCH (c:{Label.COUNTRY} {{id: code}})
RETURN 'country' AS dimension, code AS value, coalesce(c.name_en, head(COLLECT {{
  MATCH (i:{Label.INSTITUTION} {{country_code: code}}) WHERE i.country_name IS NOT NULL
  RETURN i.country_name LIMIT 1 }})) AS label
"""


@dataclass(frozen=True)
class FacetKey:
    """Facets of `subject` by the dimensions `by` (1 or 2, distinct), filtered, the buckets
    from `offset` on, `limit` of them."""

    subject: FacetSubject
    by: tuple[Dimension, ...]
    offset: int
    limit: int
    country: str | None = None
    field: str | None = None
    institution_type: str | None = None
    from_year: int | None = None
    to_year: int | None = None

    def filtered(self) -> tuple[Dimension, ...]:
        """The dimensions the filter restricts."""
        checks = {
            Dimension.COUNTRY: self.country is not None,
            Dimension.FIELD: self.field is not None,
            Dimension.INSTITUTION_TYPE: self.institution_type is not None,
            Dimension.YEAR: self.from_year is not None or self.to_year is not None,
        }
        return tuple(d for d in Dimension if checks[d])


@dataclass(frozen=True)
class FacetValue:
    dimension: Dimension
    value: str
    label: str


@dataclass(frozen=True)
class Bucket:
    keys: tuple[FacetValue, ...]
    count: int


@dataclass(frozen=True)
class Facets:
    """`total` subjects match the filter; `bucket_count` buckets, of which `buckets` is the
    page asked for (most subjects first, then by value)."""

    total: int
    bucket_count: int
    buckets: list[Bucket]


@cache
def facets_query(
    subject: FacetSubject, by: tuple[Dimension, ...], filtered: tuple[Dimension, ...]
) -> str:
    """The query counting `subject` by `by`, `filtered` restricted by the filter parameters."""
    if not 1 <= len(by) <= MAX_DIMENSIONS or len(set(by)) != len(by):
        raise ValueError(f"facets take 1 to {MAX_DIMENSIONS} distinct dimensions, got {by}")
    dims = list(dict.fromkeys((*by, *filtered)))
    values = VALUES[subject]
    lists = ",\n     ".join(
        f"[v IN {values[d]} WHERE {_MATCHES[d] if d in filtered else 'true'}] AS d{n}"
        for n, d in enumerate(dims)
    )
    keep = " AND ".join(f"size(d{dims.index(d)}) > 0" for d in filtered) or "true"
    latest = (
        _LATEST
        if subject is FacetSubject.SCIENTISTS
        and {Dimension.COUNTRY, Dimension.INSTITUTION_TYPE} & set(dims)
        else "WITH x, null AS latest"
    )
    second = "d1" if len(by) == 2 else "[null]"
    return f"""
{_SUBJECTS[subject]}
{latest}
WITH x, {lists}
WHERE {keep}
WITH count(*) AS total, collect([d0, {second}]) AS rows
CALL (rows) {{
  UNWIND rows AS r
  UNWIND r[0] AS k0
  UNWIND r[1] AS k1
  WITH k0, k1, count(*) AS n
  ORDER BY n DESC, k0, k1
  RETURN collect({{keys: [k0, k1], count: n}}) AS buckets
}}
RETURN total, size(buckets) AS bucket_count, buckets[$offset..$offset + $limit] AS page
"""


async def facets(tx: Tx, keys: Sequence[FacetKey]) -> list[Facets]:
    """One query per key (each asks its own dimensions), one more for the labels of all."""
    found: list[tuple[FacetKey, dict[str, Any]]] = []
    for key in keys:
        query = facets_query(key.subject, key.by, key.filtered())
        rows = await fetch(
            tx,
            query,
            offset=key.offset,
            limit=key.limit,
            country=key.country,
            field=key.field,
            institution_type=key.institution_type.lower() if key.institution_type else None,
            from_year=key.from_year,
            to_year=key.to_year,
        )
        found.append((key, rows[0]))
    wanted: dict[Dimension, set[str]] = {Dimension.FIELD: set(), Dimension.COUNTRY: set()}
    for key, row in found:
        for bucket in row["page"]:
            for dimension, value in zip(key.by, bucket["keys"], strict=False):
                if dimension in wanted:
                    wanted[dimension].add(value)
    labels: dict[tuple[str, str], str | None] = {}
    if any(wanted.values()):
        rows = await fetch(
            tx,
            LABELS,
            fields=sorted(wanted[Dimension.FIELD]),
            countries=sorted(wanted[Dimension.COUNTRY]),
        )
        labels = {(r["dimension"], r["value"]): r["label"] for r in rows}
    result: list[Facets] = []
    for key, row in found:
        buckets = [
            Bucket(
                keys=tuple(
                    FacetValue(
                        dimension=dimension,
                        value=str(value),
                        label=labels.get((dimension.value, str(value))) or str(value),
                    )
                    for dimension, value in zip(key.by, bucket["keys"], strict=False)
                ),
                count=int(bucket["count"]),
            )
            for bucket in row["page"]
        ]
        result.append(Facets(int(row["total"]), int(row["bucket_count"]), buckets))
    return result
