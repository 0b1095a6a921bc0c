"""Places: countries, the cities in them and the districts in those cities.

A country is keyed by its ISO 3166-1 alpha-2 code (`CN`); a city or district by a lower-case
slug path that extends its parent's (`cn/suzhou` in `CN`, `cn/suzhou/kunshan` in `cn/suzhou`),
so the hierarchy can be read off the id and a place is one node however often it is imported.

A city or district also lists the GeoNames cities it covers (`geonames_ids`): registries place
institutions in GeoNames cities (ROR's `geonames/1886760` is Suzhou), and these ids are what
joins those cities to the profile's places.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from schema import ids
from schema.base import CuratedModel, NonEmptyStr, RorId
from schema.industry import Slug

GeonamesId = Annotated[int, Field(ge=1, strict=True)]

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CITY = re.compile(rf"^[a-z]{{2}}/{ids.SLUG}$")
_DISTRICT = re.compile(rf"^[a-z]{{2}}/{ids.SLUG}/{ids.SLUG}$")


class RegionKind(StrEnum):
    COUNTRY = "country"
    CITY = "city"
    DISTRICT = "district"


_ID_FORMS: dict[RegionKind, tuple[re.Pattern[str], str]] = {
    RegionKind.COUNTRY: (_COUNTRY, "an upper-case ISO 3166-1 alpha-2 code, e.g. CN"),
    RegionKind.CITY: (_CITY, "<country>/<city-slug> in lower case, e.g. cn/suzhou"),
    RegionKind.DISTRICT: (
        _DISTRICT,
        "<country>/<city-slug>/<district-slug> in lower case, e.g. cn/suzhou/kunshan",
    ),
}


def region_id(value: str, kind: RegionKind) -> str:
    """The id of a region of `kind`, checked for its form; else an error naming the value."""
    pattern, expected = _ID_FORMS[kind]
    text = value.strip()
    if not pattern.match(text):
        raise ids.InvalidIdError(f"{value!r} is not a {kind.value} id (expected {expected})")
    return text


def geonames_city_id(geonames_id: int) -> str:
    """The key of the City node of a GeoNames city, as the ROR loader writes it."""
    return f"geonames/{geonames_id}"


def parent_region_id(region: str, kind: RegionKind) -> str | None:
    """The id a region of `kind` must name as parent: its own id less the last segment."""
    if kind is RegionKind.COUNTRY:
        return None
    parent = region.rsplit("/", 1)[0]
    return parent.upper() if kind is RegionKind.CITY else parent


class Region(CuratedModel):
    id: NonEmptyStr = Field(description="CN for a country; cn/suzhou, cn/suzhou/kunshan below.")
    kind: RegionKind
    name_en: NonEmptyStr
    name_zh: NonEmptyStr | None = None
    parent_id: NonEmptyStr | None = Field(
        default=None, description="Required for cities and districts; none for countries."
    )
    aliases: tuple[NonEmptyStr, ...] = Field(
        default=(), description="Other names people use, e.g. 苏州高新区 for 虎丘区, SIP."
    )
    industry_ids: tuple[Slug, ...] = Field(
        default=(), description="Industries the place focuses on (cities and districts only)."
    )
    # Parks as two aligned lists, not as nested objects, because node properties hold scalars
    # and lists of scalars only: park i is (parks_en[i], parks_zh[i]).
    parks_en: tuple[NonEmptyStr, ...] = Field(
        default=(), description="Industrial parks in the place, English names."
    )
    parks_zh: tuple[NonEmptyStr, ...] = Field(
        default=(), description="The same parks' Chinese names, in the same order."
    )
    geonames_ids: tuple[GeonamesId, ...] = Field(
        default=(),
        description="GeoNames cities (as registries such as ROR place institutions) that lie "
        "in the place (cities and districts only): each becomes (:City {id: 'geonames/<id>'})"
        "-[:PART_OF]->(this place).",
    )
    institutions: tuple[RorId, ...] = Field(
        default=(),
        description="ROR ids of the institutions in the place (cities and districts only), as "
        "public sources place them: each becomes (:Institution)-[:LOCATED_IN {source: "
        "'talentmap'}]->(this place), for institutions ROR places in no finer city.",
    )
    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)

    @model_validator(mode="after")
    def _id_fits_kind_and_parent(self) -> Region:
        region_id(self.id, self.kind)
        expected_parent = parent_region_id(self.id, self.kind)
        if expected_parent is None:
            if self.parent_id is not None:
                raise ValueError(f"country {self.id!r} cannot have a parent ({self.parent_id!r})")
            if self.industry_ids:
                raise ValueError(
                    f"country {self.id!r} cannot have industry_ids; give them to its cities "
                    "or districts"
                )
            if self.parks_en or self.parks_zh:
                raise ValueError(
                    f"country {self.id!r} cannot have parks; give them to its cities or districts"
                )
            if self.institutions:
                raise ValueError(
                    f"country {self.id!r} cannot have institutions; give them to its cities or "
                    "districts"
                )
            if self.geonames_ids:
                raise ValueError(
                    f"country {self.id!r} cannot have geonames_ids; give them to its cities or "
                    "districts"
                )
        elif self.parent_id is None:
            raise ValueError(f"{self.kind.value} {self.id!r} needs a parent_id")
        elif self.parent_id != expected_parent:
            raise ValueError(
                f"{self.kind.value} {self.id!r} has parent_id {self.parent_id!r}, expected "
                f"{expected_parent!r} (its id less the last segment)"
            )
        if len(self.parks_en) != len(self.parks_zh):
            raise ValueError(
                f"{self.kind.value} {self.id!r} has {len(self.parks_en)} English and "
                f"{len(self.parks_zh)} Chinese park names; each park needs both, in the same order"
            )
        if len(set(self.institutions)) != len(self.institutions):
            raise ValueError(f"{self.kind.value} {self.id!r} lists an institution twice")
        if len(set(self.geonames_ids)) != len(self.geonames_ids):
            raise ValueError(f"{self.kind.value} {self.id!r} lists a GeoNames id twice")
        return self
