"""Where works appear (OpenAlex "sources": journals, repositories, conferences, book series) and
who funds them."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from schema.base import Count, DomainModel, NonEmptyStr, RorId
from schema.ids import OpenAlexKind, openalex_id

SourceId = Annotated[str, AfterValidator(lambda v: openalex_id(v, OpenAlexKind.SOURCE))]
FunderId = Annotated[str, AfterValidator(lambda v: openalex_id(v, OpenAlexKind.FUNDER))]


class PublicationSource(DomainModel):
    """A journal, repository, conference or book series (label `Source`)."""

    id: SourceId = Field(description="The OpenAlex source id (S…).")
    name: NonEmptyStr
    issn_l: str | None = None
    issns: tuple[str, ...] = ()
    type: str | None = None
    publisher: str | None = None
    works_count: Count | None = None
    cited_by_count: Count | None = None


class Funder(DomainModel):
    id: FunderId = Field(description="The OpenAlex funder id (F…).")
    name: NonEmptyStr
    ror_id: RorId | None = None
    country_code: str | None = None
    works_count: Count | None = None
    grants_count: Count | None = None
