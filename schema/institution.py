"""An institution: a university, institute, company or other organisation, one node per real
organisation (OpenAlex institutions and ROR records join on the ROR id).

Two registries describe the same organisation, and each owns part of the node:

- ROR (the Research Organization Registry) owns the registry facts: names with their types and
  languages, types, status, place, links and external ids (`authority = 'ror'`).
- An OpenAlex Institution record owns its own view (`openalex_*`), its statistics, its lineage
  and its associated institutions, and fills the registry facts only while no ROR record has
  been loaded for the node (`authority = 'openalex'`).

Neo4j properties cannot hold maps, so multilingual names are parallel lists: `labels[i]` is in
the language `label_languages[i]` ("" when ROR gives none); the same for aliases, acronyms,
yearly counts, lineage and associated institutions.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from schema.base import (
    Count,
    CountryCode,
    DomainModel,
    InstitutionOpenAlexId,
    NonEmptyStr,
    RorId,
    Year,
)
from schema.ids import InvalidIdError, openalex_id, ror_id

# ROR's `established` goes back before 1000 (a few medieval foundations).
EstablishedYear = Annotated[int, Field(ge=0, le=2100)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
# An entry of a parallel list of ROR ids where some entries are unknown: the id, or "".
OptionalRorId = Annotated[str, Field(pattern=r"^(|0[a-hj-km-np-tv-z0-9]{6}\d{2})$")]


def institution_key(*, ror: str | None, openalex: str | None) -> str:
    """Our key: the ROR id when known (it names the real organisation), else the OpenAlex id."""
    if ror:
        return ror_id(ror)
    if openalex:
        return openalex_id(openalex)
    raise InvalidIdError("an institution needs a ROR id or an OpenAlex id")


def is_chinese(language: str) -> bool:
    """`zh`, `zh-hans`, `zh-CN`, ...: the language tags of Chinese names."""
    return language.lower() == "zh" or language.lower().startswith("zh-")


class Authority(StrEnum):
    """Which registry owns a node's registry facts (ROR wins over OpenAlex)."""

    ROR = "ror"
    OPENALEX = "openalex"


class InstitutionStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    WITHDRAWN = "withdrawn"


class Institution(DomainModel):
    id: NonEmptyStr = Field(description="ROR id when known, else the OpenAlex id (I…).")
    name: NonEmptyStr = Field(description="The ROR display name; else OpenAlex's display name.")
    authority: Authority | None = Field(
        default=None, description="The registry whose record owns the registry facts."
    )
    # Registry facts (ROR's; OpenAlex's while no ROR record is loaded).
    type: str | None = Field(default=None, description="The main type, e.g. education.")
    types: tuple[NonEmptyStr, ...] = ()
    status: InstitutionStatus | None = None
    established: EstablishedYear | None = None
    labels: tuple[NonEmptyStr, ...] = Field(
        default=(), description="ROR labels: the official names, in their languages."
    )
    label_languages: tuple[str, ...] = ()
    aliases: tuple[NonEmptyStr, ...] = ()
    alias_languages: tuple[str, ...] = ()
    acronyms: tuple[NonEmptyStr, ...] = ()
    acronym_languages: tuple[str, ...] = ()
    website: str | None = None
    links: tuple[NonEmptyStr, ...] = ()
    wikipedia_url: str | None = None
    domains: tuple[NonEmptyStr, ...] = ()
    country_code: CountryCode | None = None
    country_name: str | None = None
    city: str | None = None
    geonames_city_id: int | None = Field(default=None, ge=1)
    subdivision_name: str | None = None
    subdivision_code: str | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    grid_ids: tuple[NonEmptyStr, ...] = Field(default=(), description="Preferred id first.")
    isni_ids: tuple[NonEmptyStr, ...] = ()
    wikidata_ids: tuple[NonEmptyStr, ...] = ()
    fundref_ids: tuple[NonEmptyStr, ...] = ()
    # The ROR record itself.
    ror_id: RorId | None = None
    ror_name: str | None = Field(default=None, description="ROR's display name (ror_display).")
    ror_name_language: str | None = None
    ror_updated_at: date | None = Field(
        default=None, description="admin.last_modified.date (schema v2; none in v1)."
    )
    ror_created: date | None = None
    ror_schema: str | None = Field(default=None, description="The dump's schema: 1 or 2.")
    # The OpenAlex Institution record.
    openalex_id: InstitutionOpenAlexId | None = None
    openalex_name: str | None = None
    openalex_name_zh: str | None = Field(
        default=None, description="OpenAlex's Chinese display name (international.display_name)."
    )
    openalex_updated_at: datetime | None = None
    openalex_created: date | None = None
    works_count: Count | None = None
    cited_by_count: Count | None = None
    h_index: Count | None = None
    i10_index: Count | None = None
    two_year_mean_citedness: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    count_years: tuple[Year, ...] = ()
    works_counts: tuple[Count, ...] = ()
    cited_by_counts: tuple[Count, ...] = ()
    lineage_openalex_ids: tuple[InstitutionOpenAlexId, ...] = Field(
        default=(), description="Institutions this one is part of (itself left out)."
    )
    lineage_ror_ids: tuple[OptionalRorId, ...] = Field(
        default=(), description="Their ROR ids where the record names them, else ''."
    )
    associated_openalex_ids: tuple[InstitutionOpenAlexId, ...] = ()
    associated_ror_ids: tuple[OptionalRorId, ...] = ()
    associated_relationships: tuple[NonEmptyStr, ...] = Field(
        default=(), description="OpenAlex's relationship to each: parent, child, related, ..."
    )
    image_url: str | None = None
    mag_id: str | None = None

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def names(self) -> tuple[str, ...]:
        """Every name, label, alias and acronym in one list, for the full-text index.
        (graph.write.institution computes the same list in Cypher.)"""
        every = (
            self.name,
            *self.labels,
            *self.aliases,
            *self.acronyms,
            self.openalex_name,
            self.openalex_name_zh,
        )
        return tuple(dict.fromkeys(name for name in every if name))

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def name_zh(self) -> str | None:
        """The first Chinese ROR label, else OpenAlex's Chinese display name."""
        for label, language in zip(self.labels, self.label_languages, strict=True):
            if is_chinese(language):
                return label
        return self.openalex_name_zh

    @model_validator(mode="after")
    def _key_matches_ids(self) -> Institution:
        expected = institution_key(ror=self.ror_id, openalex=self.openalex_id)
        if self.id != expected:
            raise ValueError(f"institution id {self.id!r} should be {expected!r}")
        return self

    @model_validator(mode="after")
    def _parallel_lists_match(self) -> Institution:
        groups = (
            ("labels", "label_languages"),
            ("aliases", "alias_languages"),
            ("acronyms", "acronym_languages"),
            ("count_years", "works_counts", "cited_by_counts"),
            ("lineage_openalex_ids", "lineage_ror_ids"),
            ("associated_openalex_ids", "associated_ror_ids", "associated_relationships"),
        )
        for group in groups:
            sizes = {name: len(getattr(self, name)) for name in group}
            if len(set(sizes.values())) > 1:
                raise ValueError(f"parallel lists differ in length: {sizes}")
        return self


class RorRelationKind(StrEnum):
    """ROR's relationship types, seen from the record that lists them."""

    PARENT = "parent"
    CHILD = "child"
    RELATED = "related"
    SUCCESSOR = "successor"
    PREDECESSOR = "predecessor"


class InstitutionRelation(BaseModel):
    """One relationship a ROR record lists: `institution_id` says `related_id` is its `kind`."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    institution_id: RorId
    kind: RorRelationKind
    related_id: RorId
    label: str | None = Field(default=None, description="The other's name, as the record gives.")

    @model_validator(mode="after")
    def _not_itself(self) -> InstitutionRelation:
        if self.institution_id == self.related_id:
            raise ValueError(f"{self.institution_id} cannot be its own {self.kind.value}")
        return self


class InstitutionLocation(BaseModel):
    """Where a ROR record places an institution: a GeoNames city in a country."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    institution_id: RorId
    geonames_id: int = Field(ge=1, description="The GeoNames id of the city.")
    city: NonEmptyStr | None = None
    country_code: CountryCode | None = None
    country_name: NonEmptyStr | None = None
    subdivision_name: NonEmptyStr | None = None
    subdivision_code: NonEmptyStr | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def city_id(self) -> str:
        """The City node's key: `geonames/<id>`."""
        return f"geonames/{self.geonames_id}"
