"""ROR registry dumps (https://ror.org, CC0) into domain models.

ROR publishes its registry as one JSON array of organisation records, in a `.zip` that holds
the array as `.json` (and, while both schemas were published, the same records twice: schema
v1 as `…-ror-data.json` and v2 as `…-ror-data_schema_v2.json`). This reads `.json`,
`.json.gz` and `.zip` files, and each record is detected as v1 or v2 on its own:

- v2: `names[{value, types, lang}]`, `locations[].geonames_details`, `external_ids[{type, all,
  preferred}]`, `links[{type, value}]`, `admin.last_modified.date`.
- v1: `name`, `labels[{label, iso639}]`, `aliases`, `acronyms`, `addresses[].geonames_city`,
  `country`, `external_ids{GRID: {preferred, all}}`, `links[]`, `wikipedia_url`; no dates.

Names map as ROR's own v1-to-v2 conversion does: a v1 `name` is the display name and a label.
A record that cannot be used (not an object, no valid ROR id, neither shape, no name) raises
`RecordError`; a single unusable relationship or location inside a good record is left out.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.unit_of_work import Writer
from graph.write.institution import write_ror_batch
from ingest.errors import InvalidInputError, RecordError
from ingest.jobs import RawRecord, Source
from ingest.readers import json_object, record_id
from ingest.values import day as _date
from ingest.values import mapping as _mapping
from ingest.values import short_error as _short
from schema.ids import ror_id
from schema.institution import (
    Authority,
    Institution,
    InstitutionLocation,
    InstitutionRelation,
    RorRelationKind,
)

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\r\n"


@dataclass(frozen=True)
class RorRecord:
    """One organisation with the relationships and places its record lists."""

    institution: Institution
    relations: tuple[InstitutionRelation, ...]
    locations: tuple[InstitutionLocation, ...]


# --- reading -----------------------------------------------------------------------------------


def read_dump(path: Path) -> Iterator[RawRecord]:
    """The records of a ROR dump (`.json`, `.json.gz` or `.zip`), numbered from 1 in file
    order, each with its exact JSON text. In a zip, only the schema v2 file is read when
    there is one (older zips hold every record in both schemas); else every `.json` in it,
    numbered on across members."""
    if path.suffix.lower() == ".zip":
        yield from _zip_records(path)
        return
    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            text = handle.read()
    else:
        text = path.read_text(encoding="utf-8")
    yield from json_values(path, text)


def _zip_records(path: Path) -> Iterator[RawRecord]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        raise InvalidInputError(f"{path}: not a zip file ({e})") from e
    with archive:
        members = sorted(
            info.filename
            for info in archive.infolist()
            if not info.is_dir() and info.filename.lower().endswith(".json")
        )
        v2 = [name for name in members if "schema_v2" in name.lower()]
        chosen = v2 or members
        if not chosen:
            raise InvalidInputError(f"{path}: the zip holds no .json file")
        offset = 0
        for name in chosen:
            text = archive.read(name).decode("utf-8")
            last = 0
            for record in json_values(path, text, where=name):
                last = record.position
                yield RawRecord(path, offset + record.position, record.text)
            offset += last


def json_values(path: Path, text: str, where: str | None = None) -> Iterator[RawRecord]:
    """The items of a JSON array (or of a stream of JSON values, e.g. JSON lines), each with
    its exact text, numbered from 1. Text that is not JSON at all stops the file with
    `InvalidInputError`: past a syntax error no item boundary can be trusted."""
    label = f"{path}" + (f" ({where})" if where else "")
    index = _skip(text, 0)
    in_array = index < len(text) and text[index] == "["
    if in_array:
        index = _skip(text, index + 1)
    number = 0
    while index < len(text):
        if in_array and text[index] == "]":
            if _skip(text, index + 1) != len(text):
                raise InvalidInputError(f"{label}: text after the end of the JSON array")
            return
        try:
            _, end = _DECODER.raw_decode(text, index)
        except json.JSONDecodeError as e:
            raise InvalidInputError(
                f"{label}: not valid JSON at item {number + 1} "
                f"(line {e.lineno}, column {e.colno}: {e.msg})"
            ) from e
        number += 1
        yield RawRecord(path, number, text[index:end])
        index = _skip(text, end)
        if in_array:
            if index < len(text) and text[index] == ",":
                index = _skip(text, index + 1)
            elif index >= len(text) or text[index] != "]":
                raise InvalidInputError(f"{label}: expected ',' or ']' after item {number}")
    if in_array:
        raise InvalidInputError(f"{label}: the JSON array is not closed (truncated file?)")


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


# --- parsing -----------------------------------------------------------------------------------


def parse_record(raw: RawRecord) -> RorRecord:
    return parse_ror(json_object(raw))


def parse_ror(record: dict[str, Any]) -> RorRecord:
    """Map one ROR record, schema v1 or v2 (detected from its keys), to domain models."""
    _, key = record_id(record, ror_id)
    if isinstance(record.get("names"), list):
        fields, relations, locations = _v2(key, record)
    elif isinstance(record.get("name"), str):
        fields, relations, locations = _v1(key, record)
    else:
        raise RecordError(
            f"ROR record {key}: neither schema v2 ('names' list) nor v1 ('name' string)"
        )
    # The first place is the institution's own; without one, v1's `country` still says where.
    fallback = {k: fields.pop(k, None) for k in ("country_code", "country_name")}
    geo = _geo(locations[0]) if locations else fallback
    types = [t.strip().lower() for t in record.get("types") or [] if isinstance(t, str)]
    try:
        institution = Institution(
            id=key,
            ror_id=key,
            authority=Authority.ROR,
            source="ror",
            source_id=f"https://ror.org/{key}",
            type=_main_type(types),
            types=tuple(dict.fromkeys(t for t in types if t)),
            status=(record.get("status") or "").strip().lower() or None,
            established=record.get("established"),
            **geo,
            **fields,
        )
    except ValidationError as e:
        raise RecordError(f"ROR record {key}: {_short(e)}") from e
    return RorRecord(institution, tuple(relations), tuple(locations))


def _geo(location: InstitutionLocation) -> dict[str, Any]:
    return {
        "country_code": location.country_code,
        "country_name": location.country_name,
        "city": location.city,
        "geonames_city_id": location.geonames_id,
        "subdivision_name": location.subdivision_name,
        "subdivision_code": location.subdivision_code,
        "latitude": location.latitude,
        "longitude": location.longitude,
    }


def _main_type(types: list[str]) -> str | None:
    """The first type that says what the organisation is: `funder` is a role most of them
    also have (a university that funds research is still a university)."""
    kinds = [t for t in types if t and t != "funder"]
    return kinds[0] if kinds else (types[0] if types else None)


def _v2(
    key: str, record: dict[str, Any]
) -> tuple[dict[str, Any], list[InstitutionRelation], list[InstitutionLocation]]:
    names: dict[str, list[tuple[str, str]]] = {"label": [], "alias": [], "acronym": []}
    display: tuple[str, str] | None = None
    for entry in record["names"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            continue
        value = entry["value"].strip()
        if not value:
            continue
        language = _text(entry.get("lang"))
        entry_types = entry.get("types") or []
        if "ror_display" in entry_types and display is None:
            display = (value, language)
        for kind, found in names.items():
            if kind in entry_types:
                found.append((value, language))
    if display is None:
        # Every v2 record has a ror_display name; fall back to its first label if one does not.
        display = names["label"][0] if names["label"] else None
    if display is None:
        raise RecordError(f"ROR record {key}: no ror_display name")
    admin = _mapping(record.get("admin"))
    links = [x for x in record.get("links") or [] if isinstance(x, dict)]
    websites = [x["value"] for x in links if x.get("type") == "website" and x.get("value")]
    wikipedia = [x["value"] for x in links if x.get("type") == "wikipedia" and x.get("value")]
    external: dict[str, list[str]] = {}
    for item in record.get("external_ids") or []:
        if isinstance(item, dict) and isinstance(item.get("type"), str):
            external[item["type"].lower()] = _preferred_first(
                item.get("preferred"), item.get("all")
            )
    fields: dict[str, Any] = {
        "name": display[0],
        "ror_name": display[0],
        "ror_name_language": display[1] or None,
        **_parallel("label", names["label"]),
        **_parallel("alias", names["alias"]),
        **_parallel("acronym", names["acronym"]),
        "website": websites[0] if websites else None,
        "links": tuple(dict.fromkeys(websites)),
        "wikipedia_url": wikipedia[0] if wikipedia else None,
        "domains": tuple(d for d in record.get("domains") or [] if isinstance(d, str) and d),
        "grid_ids": tuple(external.get("grid", ())),
        "isni_ids": tuple(external.get("isni", ())),
        "wikidata_ids": tuple(external.get("wikidata", ())),
        "fundref_ids": tuple(external.get("fundref", ())),
        "ror_updated_at": _date(_dig(admin, "last_modified", "date")),
        "ror_created": _date(_dig(admin, "created", "date")),
        "ror_schema": "2",
    }
    updated = fields["ror_updated_at"]
    if updated is not None:
        fields["updated_at"] = datetime(updated.year, updated.month, updated.day, tzinfo=UTC)
    locations: list[InstitutionLocation] = []
    for item in record.get("locations") or []:
        if not isinstance(item, dict) or not isinstance(item.get("geonames_details"), dict):
            continue
        details = item["geonames_details"]
        location = _location(
            key,
            geonames_id=item.get("geonames_id"),
            city=details.get("name"),
            country_code=details.get("country_code"),
            country_name=details.get("country_name"),
            subdivision_name=details.get("country_subdivision_name"),
            subdivision_code=details.get("country_subdivision_code"),
            latitude=details.get("lat"),
            longitude=details.get("lng"),
        )
        if location is not None:
            locations.append(location)
    return fields, _relations(key, record.get("relationships")), locations


def _v1(
    key: str, record: dict[str, Any]
) -> tuple[dict[str, Any], list[InstitutionRelation], list[InstitutionLocation]]:
    name = record["name"].strip()
    if not name:
        raise RecordError(f"ROR record {key}: empty name")
    labels = [(name, "")]
    for item in record.get("labels") or []:
        if isinstance(item, dict) and isinstance(item.get("label"), str) and item["label"].strip():
            labels.append((item["label"].strip(), _text(item.get("iso639"))))
    aliases = [(a.strip(), "") for a in record.get("aliases") or [] if isinstance(a, str)]
    acronyms = [(a.strip(), "") for a in record.get("acronyms") or [] if isinstance(a, str)]
    external: dict[str, list[str]] = {}
    raw_external = record.get("external_ids")
    for kind, item in raw_external.items() if isinstance(raw_external, dict) else ():
        if isinstance(item, dict):
            external[kind.lower()] = _preferred_first(item.get("preferred"), item.get("all"))
    links = [x.strip() for x in record.get("links") or [] if isinstance(x, str) and x.strip()]
    country = _mapping(record.get("country"))
    fields: dict[str, Any] = {
        "name": name,
        "ror_name": name,
        "ror_name_language": None,
        **_parallel("label", [x for x in labels if x[0]]),
        **_parallel("alias", [x for x in aliases if x[0]]),
        **_parallel("acronym", [x for x in acronyms if x[0]]),
        "website": links[0] if links else None,
        "links": tuple(dict.fromkeys(links)),
        "wikipedia_url": (record.get("wikipedia_url") or "").strip() or None,
        "grid_ids": tuple(external.get("grid", ())),
        "isni_ids": tuple(external.get("isni", ())),
        "wikidata_ids": tuple(external.get("wikidata", ())),
        "fundref_ids": tuple(external.get("fundref", ())),
        "ror_schema": "1",
        # used only when the record has no address
        "country_code": country.get("country_code") or None,
        "country_name": country.get("country_name") or None,
    }
    locations: list[InstitutionLocation] = []
    for address in record.get("addresses") or []:
        if not isinstance(address, dict):
            continue
        city = _mapping(address.get("geonames_city"))
        admin1 = _mapping(city.get("geonames_admin1"))
        code = admin1.get("code")
        location = _location(
            key,
            geonames_id=city.get("id"),
            city=city.get("city") or address.get("city"),
            country_code=country.get("country_code"),
            country_name=country.get("country_name"),
            subdivision_name=admin1.get("name") or address.get("state"),
            # v1 writes "JP.40"; v2 writes the part after the country, "40"
            subdivision_code=code.split(".", 1)[-1] if isinstance(code, str) else None,
            latitude=address.get("lat"),
            longitude=address.get("lng"),
        )
        if location is not None:
            locations.append(location)
    return fields, _relations(key, record.get("relationships")), locations


def _parallel(kind: str, names: list[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    unique = list(dict.fromkeys(names))
    plural = {"label": "labels", "alias": "aliases", "acronym": "acronyms"}[kind]
    return {
        plural: tuple(value for value, _ in unique),
        f"{kind}_languages": tuple(language for _, language in unique),
    }


def _relations(key: str, raw: Any) -> list[InstitutionRelation]:
    relations: dict[tuple[str, str], InstitutionRelation] = {}
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        try:
            relation = InstitutionRelation(
                institution_id=key,
                kind=RorRelationKind(str(item.get("type") or "").strip().lower()),
                related_id=str(item.get("id") or ""),
                label=item.get("label") if isinstance(item.get("label"), str) else None,
            )
        except (ValueError, ValidationError):
            continue  # an unknown type, a bad id or the record itself: nothing to link
        relations.setdefault((relation.kind, relation.related_id), relation)
    return list(relations.values())


def _location(key: str, **values: Any) -> InstitutionLocation | None:
    if values["geonames_id"] in (None, ""):
        return None
    try:
        return InstitutionLocation(institution_id=key, **values)
    except ValidationError:
        return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _preferred_first(preferred: Any, every: Any) -> list[str]:
    values = every if isinstance(every, list) else [every]
    ordered = [preferred, *values]
    return list(dict.fromkeys(str(v).strip() for v in ordered if isinstance(v, str) and v.strip()))


def _dig(mapping: dict[str, Any], *path: str) -> Any:
    value: Any = mapping
    for step in path:
        value = value.get(step) if isinstance(value, dict) else None
    return value


# --- writing -----------------------------------------------------------------------------------


def write_ror(writer: Writer, batch: list[RorRecord]) -> None:
    writer(
        write_ror_batch,
        institutions=[r.institution for r in batch],
        relations=[x for r in batch for x in r.relations],
        locations=[x for r in batch for x in r.locations],
    )


ROR = Source(name="ror", read=read_dump, parse=parse_record, write=write_ror)
