"""An institution: a university, institute, company or other organisation, one node per real
organisation (OpenAlex institutions and ROR records join on the ROR id)."""

from __future__ import annotations

from pydantic import Field, computed_field, model_validator

from schema.base import (
    Count,
    CountryCode,
    DomainModel,
    InstitutionOpenAlexId,
    NonEmptyStr,
    RorId,
)
from schema.ids import InvalidIdError, openalex_id, ror_id


def institution_key(*, ror: str | None, openalex: str | None) -> str:
    """Our key: the ROR id when known (it names the real organisation), else the OpenAlex id."""
    if ror:
        return ror_id(ror)
    if openalex:
        return openalex_id(openalex)
    raise InvalidIdError("an institution needs a ROR id or an OpenAlex id")


class Institution(DomainModel):
    id: NonEmptyStr = Field(description="ROR id when known, else the OpenAlex id (I…).")
    name: NonEmptyStr
    acronyms: tuple[NonEmptyStr, ...] = ()
    aliases: tuple[NonEmptyStr, ...] = ()
    labels: tuple[NonEmptyStr, ...] = Field(default=(), description="Names in other languages.")
    ror_id: RorId | None = None
    openalex_id: InstitutionOpenAlexId | None = None
    type: str | None = None
    country_code: CountryCode | None = None
    city: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    works_count: Count | None = None
    cited_by_count: Count | None = None

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def names(self) -> tuple[str, ...]:
        """Every name, acronym, alias and label in one list, for the full-text index."""
        return tuple(dict.fromkeys((self.name, *self.labels, *self.aliases, *self.acronyms)))

    @model_validator(mode="after")
    def _key_matches_ids(self) -> Institution:
        expected = institution_key(ror=self.ror_id, openalex=self.openalex_id)
        if self.id != expected:
            raise ValueError(f"institution id {self.id!r} should be {expected!r}")
        return self
