"""OpenAlex Institution records (API / snapshot JSON, one object per line) into domain models.

An institution with a ROR id is the same node as its ROR record (key: the ROR id). The record
owns its own view (`openalex_*`), statistics, yearly counts, lineage and associated
institutions; its registry facts (name, type, place, acronyms, alternative names, ids) are
written only while no ROR record is loaded for the node (see graph.write.institution).

Records drift between API versions (2023-2026: `summary_stats` grew and shrank, `type_id`,
`topics` and `is_super_system` came); everything here tolerates that. A record without a valid
institution id or a display name raises `RecordError`, and the runner quarantines it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from graph.unit_of_work import Writer
from graph.write.institution import write_openalex_batch
from ingest.errors import RecordError
from ingest.jobs import RawRecord, Source
from ingest.readers import json_object, jsonl_records, record_id
from ingest.values import day as _date
from ingest.values import mapping as _mapping
from ingest.values import ror as _ror
from ingest.values import short_error as _short
from ingest.values import strings as _strings
from ingest.values import text as _text
from ingest.values import timestamp as _timestamp
from schema.ids import InvalidIdError, OpenAlexKind, openalex_id
from schema.institution import Authority, Institution, institution_key

# Chinese display names, Simplified first: the users read Simplified Chinese.
_CHINESE = ("zh-cn", "zh-hans", "zh", "zh-sg", "zh-my", "zh-hant", "zh-tw", "zh-hk", "zh-mo")


def parse_line(record: RawRecord) -> Institution:
    return parse_institution(json_object(record))


def parse_institution(record: dict[str, Any]) -> Institution:
    """Map one OpenAlex Institution object to the domain model."""
    raw_id, oa_id = record_id(record, lambda x: openalex_id(x, OpenAlexKind.INSTITUTION))
    name = record.get("display_name")
    if not isinstance(name, str) or not name.strip():
        raise RecordError(f"institution {oa_id}: no display_name")
    ids = _mapping(record.get("ids"))
    ror = _ror(record.get("ror")) or _ror(ids.get("ror"))
    geo = _mapping(record.get("geo"))
    stats = _mapping(record.get("summary_stats"))
    years = sorted(
        (
            c
            for c in record.get("counts_by_year") or []
            if isinstance(c, dict) and isinstance(c.get("year"), int)
        ),
        key=lambda c: c.get("year") or 0,
    )
    lineage, lineage_ror = _lineage(oa_id, ror, record)
    associated = _associated(oa_id, ror, record.get("associated_institutions"))
    acronyms = _strings(record.get("display_name_acronyms"))
    aliases = _strings(record.get("display_name_alternatives"))
    homepage = _text(record.get("homepage_url"))
    wikidata = _text(ids.get("wikidata"))
    raw_type = _text(record.get("type"))
    try:
        return Institution(
            id=institution_key(ror=ror, openalex=oa_id),
            ror_id=ror,
            authority=Authority.OPENALEX,
            source="openalex",
            source_id=raw_id,
            updated_at=_timestamp(record.get("updated_date")),
            # the registry facts as OpenAlex has them
            name=name,
            type=raw_type,
            types=(raw_type,) if raw_type else (),
            acronyms=acronyms,
            acronym_languages=("",) * len(acronyms),
            aliases=aliases,
            alias_languages=("",) * len(aliases),
            website=homepage,
            links=(homepage,) if homepage else (),
            wikipedia_url=_text(ids.get("wikipedia")),
            country_code=_text(record.get("country_code")) or _text(geo.get("country_code")),
            country_name=_text(geo.get("country")),
            city=_text(geo.get("city")),
            geonames_city_id=_int(geo.get("geonames_city_id")),
            subdivision_name=_text(geo.get("region")),
            latitude=geo.get("latitude"),
            longitude=geo.get("longitude"),
            grid_ids=(g,) if (g := _text(ids.get("grid"))) else (),
            wikidata_ids=(wikidata.rstrip("/").rsplit("/", 1)[-1],) if wikidata else (),
            # the record's own
            openalex_id=oa_id,
            openalex_name=name,
            openalex_name_zh=_chinese(record.get("international")),
            openalex_updated_at=_timestamp(record.get("updated_date")),
            openalex_created=_date(record.get("created_date")),
            works_count=record.get("works_count"),
            cited_by_count=record.get("cited_by_count"),
            h_index=stats.get("h_index"),
            i10_index=stats.get("i10_index"),
            two_year_mean_citedness=stats.get("2yr_mean_citedness"),
            count_years=tuple(c.get("year") for c in years),
            works_counts=tuple(c.get("works_count") or 0 for c in years),
            cited_by_counts=tuple(c.get("cited_by_count") or 0 for c in years),
            lineage_openalex_ids=lineage,
            lineage_ror_ids=lineage_ror,
            associated_openalex_ids=tuple(a[0] for a in associated),
            associated_ror_ids=tuple(a[1] for a in associated),
            associated_relationships=tuple(a[2] for a in associated),
            image_url=_text(record.get("image_url")),
            mag_id=_text(ids.get("mag")),
        )
    except (InvalidIdError, ValidationError) as e:
        raise RecordError(f"institution {oa_id}: {_short(e)}") from e


def _lineage(
    oa_id: str, ror: str | None, record: dict[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The institutions this one is part of (OpenAlex lists only their OpenAlex ids, itself
    included), with the ROR id of each where the record's associated institutions give it."""
    ror_of: dict[str, str] = {}
    for item in record.get("associated_institutions") or []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            try:
                known = _ror(item.get("ror"))
                if known:
                    ror_of[openalex_id(item["id"], OpenAlexKind.INSTITUTION)] = known
            except InvalidIdError:
                continue
    parents: dict[str, str] = {}
    for raw in record.get("lineage") or []:
        if not isinstance(raw, str):
            continue
        try:
            parent = openalex_id(raw, OpenAlexKind.INSTITUTION)
        except InvalidIdError:
            continue
        if parent != oa_id and (ror is None or ror_of.get(parent) != ror):
            parents.setdefault(parent, ror_of.get(parent, ""))
    return tuple(parents), tuple(parents.values())


def _associated(oa_id: str, ror: str | None, raw: Any) -> list[tuple[str, str, str]]:
    """(OpenAlex id, ROR id or "", relationship) of each associated institution."""
    found: dict[tuple[str, str], tuple[str, str, str]] = {}
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        try:
            other = openalex_id(item["id"], OpenAlexKind.INSTITUTION)
        except InvalidIdError:
            continue
        other_ror = _ror(item.get("ror")) or ""
        relationship = _text(item.get("relationship")) or "related"
        if other == oa_id or (ror is not None and other_ror == ror):
            continue
        found.setdefault((other, relationship), (other, other_ror, relationship.lower()))
    return list(found.values())


def _chinese(international: Any) -> str | None:
    names = _mapping(_mapping(international).get("display_name"))
    lowered = {str(k).lower(): v for k, v in names.items()}
    for tag in _CHINESE:
        value = lowered.get(tag)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def write_openalex_institutions(writer: Writer, batch: list[Institution]) -> None:
    writer(write_openalex_batch, institutions=batch)


OPENALEX_INSTITUTIONS = Source(
    name="openalex-institutions",
    read=jsonl_records,
    parse=parse_line,
    write=write_openalex_institutions,
)
