"""A work: a paper, book, dataset or other output, as OpenAlex records it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from schema.base import Count, DomainModel, NonEmptyStr, WorkId, Year


def _doi(value: str) -> str:
    doi = value.strip().lower().removeprefix("https://doi.org/").removeprefix("doi:")
    if not doi.startswith("10.") or "/" not in doi:
        raise ValueError(f"{value!r} is not a DOI (expected 10.<prefix>/<suffix>)")
    return doi


Doi = Annotated[str, AfterValidator(_doi)]


class Work(DomainModel):
    id: WorkId = Field(description="Our key; the OpenAlex work id (W…).")
    title: str | None = None
    doi: Doi | None = None
    type: str | None = None
    language: str | None = None
    publication_year: Year | None = None
    publication_date: date | None = None
    cited_by_count: Count = 0
    openalex_id: WorkId | None = None
    abstract: str | None = None
    keywords: tuple[NonEmptyStr, ...] = ()
    referenced_works: tuple[WorkId, ...] = Field(
        default=(), description="Works this one cites (CITES links those in the graph)."
    )
    # counts_by_year as two parallel lists: Neo4j properties cannot hold maps.
    citation_years: tuple[Year, ...] = ()
    citation_counts: tuple[Count, ...] = ()
    is_retracted: bool | None = None
    fwci: float | None = None
    # OpenAlex's citation_normalized_percentile.value: the share of works of the same
    # subfield, year and type cited less (0..1); the evaluation's citation_percentile.
    citation_percentile: float | None = None
    authors_count: Count = Field(default=0, description="Authorships listed on the record.")


class Authorship(BaseModel):
    """A scientist's place on a work: the AUTHORED relationship's evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scientist_id: str
    work_id: str
    position: Count = Field(description="0-based order in the author list.")
    author_position: NonEmptyStr | None = Field(
        default=None, description="OpenAlex's first / middle / last."
    )
    is_corresponding: bool = False
    raw_author_name: str | None = None
    raw_affiliation: tuple[str, ...] = ()
    institution_ids: tuple[str, ...] = ()
    # The raw strings the record links to no institution: what the affiliation matcher reads
    # (ingest/matching/authorships.py).
    unlinked_affiliation: tuple[str, ...] = ()


class WorkTopic(BaseModel):
    """A work's topic with OpenAlex's score: the ABOUT relationship."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic_id: str
    score: float = Field(ge=0, le=1)
    primary: bool = False


class Funding(BaseModel):
    """A funder of a work with the award ids: the FUNDED_BY relationship."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    funder_id: str
    award_ids: tuple[str, ...] = ()
