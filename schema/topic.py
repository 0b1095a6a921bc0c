"""The OpenAlex topic hierarchy: domain > field > subfield > topic.

Topics are keyed by their OpenAlex id (`T10699`); the three taxonomy levels by their short
OpenAlex path (`subfields/3207`, `fields/32`, `domains/2`), checked for the right level. Works
and the CSV taxonomy name the levels; a level's own OpenAlex record adds the rest (description,
other names, Wikidata and Wikipedia, counts), the same fields on each level.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import pydantic
from pydantic import AfterValidator

from schema import ids
from schema.base import Count, DomainModel, NonEmptyStr, TopicId


class TaxonomyLevel(StrEnum):
    """A level of the OpenAlex taxonomy, valued as the id's path segment."""

    DOMAIN = "domains"
    FIELD = "fields"
    SUBFIELD = "subfields"


def taxonomy_id_of(value: str, level: TaxonomyLevel) -> str:
    """`subfields/3207` from `subfields/3207` or its URL; an id of another level is an error.

    >>> taxonomy_id_of("fields/17", TaxonomyLevel.SUBFIELD)
    Traceback (most recent call last):
    ...
    schema.ids.InvalidIdError: 'fields/17' is not a subfield id (expected subfields/<digits>)
    """
    canonical = ids.taxonomy_id(value)
    if canonical.split("/", 1)[0] != level.value:
        raise ids.InvalidIdError(
            f"{value!r} is not a {level.name.lower()} id (expected {level.value}/<digits>)"
        )
    return canonical


def _level(level: TaxonomyLevel) -> AfterValidator:
    return AfterValidator(lambda value: taxonomy_id_of(value, level))


DomainId = Annotated[str, _level(TaxonomyLevel.DOMAIN)]
FieldId = Annotated[str, _level(TaxonomyLevel.FIELD)]
SubfieldId = Annotated[str, _level(TaxonomyLevel.SUBFIELD)]


class Taxon(DomainModel):
    """What a domain, a field and a subfield each have; `id` is narrowed by each level."""

    id: str
    name: NonEmptyStr
    description: str | None = None
    alternative_names: tuple[NonEmptyStr, ...] = pydantic.Field(
        default=(), description="Other names (OpenAlex display_name_alternatives)."
    )
    wikidata_id: str | None = None
    wikipedia_url: str | None = None
    works_count: Count | None = None
    cited_by_count: Count | None = None


class Domain(Taxon):
    """The top level, e.g. domains/2 "Social Sciences"."""

    id: DomainId = pydantic.Field(description="OpenAlex domain id, e.g. domains/2.")


class Field(Taxon):
    """A field within a domain, e.g. fields/32 "Psychology" in domains/2."""

    id: FieldId = pydantic.Field(description="OpenAlex field id, e.g. fields/32.")
    domain_id: DomainId | None = None


class Subfield(Taxon):
    """A subfield within a field, e.g. subfields/3207 "Social Psychology" in fields/32."""

    id: SubfieldId = pydantic.Field(description="OpenAlex subfield id, e.g. subfields/3207.")
    field_id: FieldId | None = None


class Topic(DomainModel):
    """A topic within a subfield, e.g. T10699 "Primate Behavior and Ecology"."""

    id: TopicId = pydantic.Field(description="OpenAlex topic id (T…), e.g. T10699.")
    name: NonEmptyStr
    description: str | None = None
    keywords: tuple[NonEmptyStr, ...] = ()
    alternative_names: tuple[NonEmptyStr, ...] = pydantic.Field(
        default=(), description="Earlier OpenAlex names (most topics were renamed in 2025)."
    )
    wikipedia_url: str | None = None
    subfield_id: SubfieldId | None = None
    works_count: Count | None = None
    cited_by_count: Count | None = None
