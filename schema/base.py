"""The shared base of every domain model: frozen, strict about unknown fields, with provenance."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from schema import ids

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Year = Annotated[int, Field(ge=1000, le=2100)]
Count = Annotated[int, Field(ge=0)]


def _country_code(value: str) -> str:
    # Not StringConstraints(to_upper=True, pattern=...): pydantic checks the pattern before
    # upper-casing, so "cn" would be rejected instead of becoming "CN".
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. CN)")
    return code


CountryCode = Annotated[str, AfterValidator(_country_code)]
Orcid = Annotated[str, AfterValidator(ids.orcid)]
RorId = Annotated[str, AfterValidator(ids.ror_id)]


def _openalex(kind: ids.OpenAlexKind) -> Any:
    return AfterValidator(lambda value: ids.openalex_id(value, kind))


AuthorId = Annotated[str, _openalex(ids.OpenAlexKind.AUTHOR)]
WorkId = Annotated[str, _openalex(ids.OpenAlexKind.WORK)]
InstitutionOpenAlexId = Annotated[str, _openalex(ids.OpenAlexKind.INSTITUTION)]
TopicId = Annotated[str, _openalex(ids.OpenAlexKind.TOPIC)]
TaxonomyId = Annotated[str, AfterValidator(ids.taxonomy_id)]


class DomainModel(BaseModel):
    """Every node model: immutable, unknown fields rejected, provenance carried along."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    source: NonEmptyStr = "openalex"
    source_id: str | None = None
    updated_at: datetime | None = None

    def properties(self) -> dict[str, Any]:
        """The node's properties as Neo4j stores them: JSON-safe scalars and lists."""
        return self.model_dump(mode="json")


class CuratedModel(DomainModel):
    """A node this project curates and ships (industry chains, region profiles), not OpenAlex."""

    source: NonEmptyStr = "talentmap"
