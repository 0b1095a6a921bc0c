"""Where works appear (OpenAlex "sources": journals, repositories, conferences, book series) and
who funds them.

A work names a source or funder with a few values (name, ISSNs, type, publisher); the entity's
own OpenAlex record fills in the rest: who hosts it, where, whether it is open access, its
homepage and citation statistics.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from schema.base import Count, CountryCode, DomainModel, NonEmptyStr, RorId, TopicId
from schema.ids import OpenAlexKind, openalex_id

SourceId = Annotated[str, AfterValidator(lambda v: openalex_id(v, OpenAlexKind.SOURCE))]
FunderId = Annotated[str, AfterValidator(lambda v: openalex_id(v, OpenAlexKind.FUNDER))]
PublisherId = Annotated[str, AfterValidator(lambda v: openalex_id(v, OpenAlexKind.PUBLISHER))]
InstitutionId = Annotated[str, AfterValidator(lambda v: openalex_id(v, OpenAlexKind.INSTITUTION))]


class PublicationSource(DomainModel):
    """A journal, repository, conference or book series (label `Source`)."""

    id: SourceId = Field(description="The OpenAlex source id (S…).")
    name: NonEmptyStr
    issn_l: str | None = None
    issns: tuple[str, ...] = ()
    type: str | None = None
    publisher: str | None = Field(
        default=None, description="The name of the publisher or institution hosting it."
    )
    works_count: Count | None = None
    cited_by_count: Count | None = None
    # from the source's own record
    publisher_id: PublisherId | None = Field(
        default=None, description="The OpenAlex publisher (P…) hosting it, if a publisher."
    )
    host_institution_id: InstitutionId | None = Field(
        default=None, description="The OpenAlex institution (I…) hosting it (repositories)."
    )
    alternative_names: tuple[NonEmptyStr, ...] = ()
    abbreviated_title: str | None = None
    country_code: CountryCode | None = None
    homepage_url: str | None = None
    is_oa: bool | None = Field(default=None, description="Fully open access.")
    is_in_doaj: bool | None = None
    is_core: bool | None = Field(default=None, description="In CWTS's list of core sources.")
    is_indexed_in_scopus: bool | None = None
    apc_usd: Count | None = Field(default=None, description="Article processing charge, USD.")
    h_index: Count | None = None
    i10_index: Count | None = None
    two_year_mean_citedness: float | None = None
    topic_ids: tuple[TopicId, ...] = Field(default=(), description="Its top topics, first first.")


class Funder(DomainModel):
    id: FunderId = Field(description="The OpenAlex funder id (F…).")
    name: NonEmptyStr
    ror_id: RorId | None = None
    country_code: str | None = None
    works_count: Count | None = None
    grants_count: Count | None = None
    # from the funder's own record
    alternative_names: tuple[NonEmptyStr, ...] = ()
    description: str | None = None
    homepage_url: str | None = None
    image_url: str | None = None
    cited_by_count: Count | None = None
    h_index: Count | None = None
    i10_index: Count | None = None
    two_year_mean_citedness: float | None = None
    crossref_id: str | None = Field(
        default=None, description="Crossref Funder Registry id (its DOI is 10.13039/<id>)."
    )
    wikidata_id: str | None = None
    institution_id: InstitutionId | None = Field(
        default=None, description="The same organisation as an OpenAlex institution (I…)."
    )
