"""A home-region profile (`data/regions/<city>.yaml`: a country, a city, its districts, their
industrial parks and focus industries) validated into Region models, and the job that makes
the graph match it.

The whole file is checked before anything is written; every problem is listed with file, line
and entry (`InvalidInputError`). The bundled file's header comment describes the format; the
format fits any city.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from graph.unit_of_work import Writer
from graph.write.region import RegionSync, set_region_targets, sync_region
from ingest.reference.yamlfile import Loc, Problems, entry_id, read_yaml
from schema.case import Target
from schema.region import Region, RegionKind

DEFAULT_REGION_PATH = Path(__file__).resolve().parents[2] / "data" / "regions" / "suzhou.yaml"

_TOP_KEYS = ("country", "city", "districts", "targets")
# Set by the loader from where an entry sits, so the file cannot contradict them.
_DERIVED = {
    "kind": "it follows from where the entry sits (country, city or districts)",
    "parent_id": "it follows from the id of the entry it sits under",
    "parks_en": "it follows from the name_en of each park under parks",
    "parks_zh": "it follows from the name_zh of each park under parks",
}
_PARK_KEYS = ("name_en", "name_zh")


@dataclass(frozen=True)
class RegionProfile:
    country: Region
    city: Region
    districts: tuple[Region, ...]
    # The city's goals (section 一(三) of the guidance for Suzhou), which targetsProgress reads.
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class RegionReport(RegionSync):
    """What loading the profile at `path` (of `country` and `city`) did to the graph."""

    path: Path
    country: str
    city: str

    @property
    def unknown_industry_ids(self) -> list[str]:
        return sorted({m.industry_id for m in self.missing_industries})


def read_region(path: Path) -> RegionProfile:
    """The profile of `path`, validated; all problems at once as `InvalidInputError`."""
    document = read_yaml(path)
    problems = Problems(document)
    data = document.data
    country = city = None
    districts: list[Region] = []
    complete = False
    if problems.mapping(data, ()):
        unknown = sorted(str(key) for key in data if key not in _TOP_KEYS)
        if unknown:
            problems.add(
                (), f"unknown key(s) {', '.join(unknown)}; expected {', '.join(_TOP_KEYS)}"
            )
        country = _place(problems, data.get("country"), ("country",), RegionKind.COUNTRY, None)
        parent = country.id if country else entry_id(data.get("country"))
        city = _place(problems, data.get("city"), ("city",), RegionKind.CITY, parent)
        entries = data.get("districts")
        complete = country is not None and city is not None
        if problems.sequence(entries, ("districts",)):
            parent = city.id if city else entry_id(data.get("city"))
            seen: dict[str, int] = {}
            for index, entry in enumerate(entries):
                loc = ("districts", index)
                district = _place(problems, entry, loc, RegionKind.DISTRICT, parent)
                if district is None:
                    complete = False
                    continue
                if district.id in seen:
                    line = document.line(("districts", seen[district.id]))
                    problems.add(
                        loc, f"id {district.id} is already used (line {line})", entry=district.id
                    )
                seen.setdefault(district.id, index)
                districts.append(district)
        else:
            complete = False
        _geonames_once(problems, document.data, city, districts)
        targets = _targets(problems, data.get("targets"))
    problems.raise_if_any()
    # Every way to an incomplete profile records a problem, raised just above.
    assert complete and country is not None and city is not None
    return RegionProfile(country, city, tuple(districts), targets)


def _targets(problems: Problems, entries: Any) -> tuple[Target, ...]:
    """The optional `targets:` list, each entry checked; ids unique."""
    if entries is None or not problems.sequence(entries, ("targets",)):
        return ()
    found: list[Target] = []
    for index, entry in enumerate(entries):
        try:
            target = TypeAdapter(Target).validate_python(entry)
        except ValidationError as e:
            problems.add_validation(("targets", index), e, entry=entry_id(entry))
            continue
        if any(t.id == target.id for t in found):
            problems.add(("targets", index), f"id {target.id} is already used", entry=target.id)
        found.append(target)
    return tuple(found)


def _geonames_once(
    problems: Problems, data: Any, city: Region | None, districts: list[Region]
) -> None:
    """A GeoNames city lies in one place of the profile: a second listing is a problem."""
    first: dict[int, str] = {}
    entries = data.get("districts")
    if not isinstance(entries, list):
        entries = []
    places: list[tuple[Loc, Region]] = [(("city",), city)] if city else []
    by_id = {district.id: district for district in districts}
    for index, entry in enumerate(entries):
        district = by_id.get(entry_id(entry) or "")
        if district is not None:
            places.append((("districts", index), district))
    for loc, place in places:
        for position, geonames_id in enumerate(place.geonames_ids):
            if geonames_id in first and first[geonames_id] != place.id:
                problems.add(
                    loc,
                    f"GeoNames id {geonames_id} is already listed by {first[geonames_id]}; "
                    "a GeoNames city lies in one place",
                    entry=place.id,
                    line_of=(*loc, "geonames_ids", position),
                )
            first.setdefault(geonames_id, place.id)


def _place(
    problems: Problems,
    entry: Any,
    loc: Loc,
    kind: RegionKind,
    parent_id: str | None,
) -> Region | None:
    name = entry_id(entry)
    if not problems.mapping(entry, loc, entry=name):
        return None
    fields = {str(key): value for key, value in entry.items()}
    derived = problems.given(fields, loc, _DERIVED, entry=name)
    parks = _parks(problems, fields.pop("parks", None), (*loc, "parks"), name)
    if derived or parks is None:
        return None
    if kind is not RegionKind.COUNTRY:
        fields["parent_id"] = parent_id
    try:
        return Region(**fields, kind=kind, parks_en=parks[0], parks_zh=parks[1])
    except ValidationError as e:
        problems.add_validation(loc, e, entry=name)
        return None


def _parks(
    problems: Problems, raw: Any, loc: Loc, name: str | None
) -> tuple[list[Any], list[Any]] | None:
    """(English names, Chinese names) of a `parks` list of {name_en, name_zh}; None on a
    problem."""
    if raw is None:
        return [], []
    if not problems.sequence(raw, loc, entry=name):
        return None
    english: list[Any] = []
    chinese: list[Any] = []
    ok = True
    for index, park in enumerate(raw):
        if not problems.mapping(park, (*loc, index), entry=name):
            ok = False
            continue
        keys = {str(key) for key in park}
        if keys != set(_PARK_KEYS):
            problems.add(
                (*loc, index),
                f"a park needs exactly name_en and name_zh, found {', '.join(sorted(keys))}",
                entry=name,
            )
            ok = False
            continue
        english.append(park["name_en"])
        chinese.append(park["name_zh"])
    return (english, chinese) if ok else None


def load_region(writer: Writer, path: Path = DEFAULT_REGION_PATH) -> RegionReport:
    """Make the graph hold the profile of `path`: its country, city and districts, LOCATED_IN
    and FOCUSES_ON edges, and PART_OF from the GeoNames cities each lists (the City nodes ROR
    places institutions in, created when absent); the city's curated districts and PART_OF
    links no longer listed are deleted.

    Validates the whole file first (nothing is written on a problem). Industry ids without an
    Industry node (load the industries first) are returned in the report. Idempotent.
    """
    profile = read_region(path)
    result = writer(sync_region, profile.country, profile.city, list(profile.districts))
    writer(set_region_targets, profile.city.id, list(profile.targets))
    return RegionReport(**vars(result), path=path, country=profile.country.id, city=profile.city.id)
