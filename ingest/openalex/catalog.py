"""OpenAlex's catalog entities (API / snapshot JSON, one object per line) into domain models:
sources (journals, repositories, conferences, book series), funders, and the topic taxonomy
(topics, subfields, fields, domains); and the job source for each.

Each record owns its node (newest record wins; see graph.newest): a Source or
Funder node with everything a recruiter uses (host, country, open access, homepage, citation
statistics; a funder's other names, description, ROR id), a taxonomy node with its
description, other names, links and counts, and its PART_OF edge to the level above. The
levels above a record (a topic's subfield, field and domain) are created from the record's
own view of them when missing, so files load in any order.

Publishers and concepts are not part of the graph model (no label for them: publisher names
and ids are kept on Source nodes, and OpenAlex replaced concepts by topics). Their records are
read and checked (a JSON object with an id of the right kind) and nothing is stored.

Records drift between API versions (2023-2026: sources lost `publisher` for
`host_organization`, `summary_stats` grew and shrank, nulls everywhere); everything here
tolerates that and keeps what is there. A record that is not JSON, has no id of the file's
entity, or no name, raises `RecordError`, and the runner quarantines it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from graph.unit_of_work import Writer
from graph.write.catalog import write_funders, write_sources
from graph.write.topic import write_taxonomy_records
from ingest.errors import RecordError
from ingest.jobs import RawRecord, Source
from ingest.readers import json_object, jsonl_records, record_id
from ingest.values import count as _count
from ingest.values import mapping as _mapping
from ingest.values import number as _number
from ingest.values import ror as _ror
from ingest.values import short_error as _short
from ingest.values import strings as _strings
from ingest.values import text as _text
from ingest.values import timestamp as _timestamp
from schema.ids import InvalidIdError, OpenAlexKind, openalex_id
from schema.topic import Domain, Field, Subfield, TaxonomyLevel, Topic, taxonomy_id_of
from schema.venue import Funder, PublicationSource

Level = Domain | Field | Subfield


@dataclass(frozen=True)
class TaxonomyRecord:
    """One taxonomy record: its node, and its minimal views of the levels above it (parents
    first), created only where missing."""

    node: Domain | Field | Subfield | Topic
    above: tuple[Level, ...] = ()


# --- ids and values --------------------------------------------------------------------------


def _record_id(record: dict[str, Any], kind: OpenAlexKind) -> tuple[str, str]:
    """(raw id, short id) of an entity record, or RecordError."""
    return record_id(record, lambda x: openalex_id(x, kind))


def _name(record: dict[str, Any], what: str, key: str, *others: str) -> str:
    """The display name (else the first other name); a record without any is unusable."""
    name = _text(record.get("display_name")) or next(iter(others), None)
    if name is None:
        raise RecordError(f"{what} {key}: no display_name")
    return name


def _openalex(value: Any, *kinds: OpenAlexKind) -> tuple[OpenAlexKind, str] | None:
    """(kind, short id) of an OpenAlex id of one of `kinds`, or None: a malformed reference
    loses the reference, not the record."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        short = openalex_id(value)
    except InvalidIdError:
        return None
    kind = OpenAlexKind(short[0])
    return (kind, short) if kind in kinds else None


def _country(value: Any) -> str | None:
    code = _text(value)
    return code.upper() if code and re.fullmatch(r"[A-Za-z]{2}", code) else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _wikidata(value: Any) -> str | None:
    """`Q864928` from a Wikidata URL (or the bare id)."""
    text = _text(value)
    return text.rstrip("/").rsplit("/", 1)[-1] if text else None


def _updated(record: dict[str, Any]) -> datetime | None:
    return _timestamp(record.get("updated_date")) or _timestamp(record.get("updated"))


# --- sources and funders ---------------------------------------------------------------------


def parse_source(record: dict[str, Any]) -> PublicationSource:
    """Map one OpenAlex Source object to the domain model."""
    raw_id, key = _record_id(record, OpenAlexKind.SOURCE)
    titles = _strings(record.get("alternate_titles"))
    name = _name(record, "source", key, *titles)
    stats = _mapping(record.get("summary_stats"))
    host = _openalex(
        record.get("host_organization"), OpenAlexKind.PUBLISHER, OpenAlexKind.INSTITUTION
    ) or _openalex(record.get("publisher_id"), OpenAlexKind.PUBLISHER)
    topics = (_openalex(_mapping(t).get("id"), OpenAlexKind.TOPIC) for t in _list(record, "topics"))
    try:
        return PublicationSource(
            id=key,
            name=name,
            issn_l=_text(record.get("issn_l")),
            issns=_strings(record.get("issn")),
            type=_text(record.get("type")),
            # `publisher` (a name) until 2023, `host_organization_name` since
            publisher=_text(record.get("host_organization_name")) or _text(record.get("publisher")),
            publisher_id=host[1] if host and host[0] is OpenAlexKind.PUBLISHER else None,
            host_institution_id=host[1] if host and host[0] is OpenAlexKind.INSTITUTION else None,
            works_count=_count(record.get("works_count"), stats.get("works_count")),
            cited_by_count=_count(record.get("cited_by_count"), stats.get("cited_by_count")),
            alternative_names=tuple(t for t in titles if t != name),
            abbreviated_title=_text(record.get("abbreviated_title")),
            country_code=_country(record.get("country_code")),
            homepage_url=_text(record.get("homepage_url")),
            is_oa=_flag(record.get("is_oa")),
            is_in_doaj=_flag(record.get("is_in_doaj")),
            is_core=_flag(record.get("is_core")),
            is_indexed_in_scopus=_flag(record.get("is_indexed_in_scopus")),
            apc_usd=_count(record.get("apc_usd")),
            h_index=_count(stats.get("h_index")),
            i10_index=_count(stats.get("i10_index")),
            two_year_mean_citedness=_number(stats.get("2yr_mean_citedness")),
            topic_ids=tuple(dict.fromkeys(t[1] for t in topics if t)),
            source_id=raw_id,
            updated_at=_updated(record),
        )
    except (InvalidIdError, ValidationError) as e:
        raise RecordError(f"source {key}: {_short(e)}") from e


def parse_funder(record: dict[str, Any]) -> Funder:
    """Map one OpenAlex Funder object to the domain model."""
    raw_id, key = _record_id(record, OpenAlexKind.FUNDER)
    titles = _strings(record.get("alternate_titles"))
    name = _name(record, "funder", key, *titles)
    stats = _mapping(record.get("summary_stats"))
    ids = _mapping(record.get("ids"))
    institutions = (
        _openalex(role.get("id"), OpenAlexKind.INSTITUTION)
        for role in map(_mapping, _list(record, "roles"))
        if role.get("role") == "institution"
    )
    crossref = ids.get("crossref")
    try:
        return Funder(
            id=key,
            name=name,
            ror_id=_ror(ids.get("ror")) or _ror(record.get("ror")),
            country_code=_country(record.get("country_code")),
            works_count=_count(record.get("works_count"), stats.get("works_count")),
            grants_count=_count(record.get("grants_count"), record.get("awards_count")),
            alternative_names=tuple(t for t in titles if t != name),
            description=_text(record.get("description")),
            homepage_url=_text(record.get("homepage_url")),
            image_url=_text(record.get("image_url")),
            cited_by_count=_count(record.get("cited_by_count"), stats.get("cited_by_count")),
            h_index=_count(stats.get("h_index")),
            i10_index=_count(stats.get("i10_index")),
            two_year_mean_citedness=_number(stats.get("2yr_mean_citedness")),
            crossref_id=str(crossref) if isinstance(crossref, int) else _text(crossref),
            wikidata_id=_wikidata(ids.get("wikidata")),
            institution_id=next((i[1] for i in institutions if i), None),
            source_id=raw_id,
            updated_at=_updated(record),
        )
    except (InvalidIdError, ValidationError) as e:
        raise RecordError(f"funder {key}: {_short(e)}") from e


def _list(record: dict[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    return value if isinstance(value, list) else []


# --- the taxonomy ----------------------------------------------------------------------------


def parse_topic(record: dict[str, Any]) -> TaxonomyRecord:
    """Map one OpenAlex Topic object to its node and the levels above it."""
    raw_id, key = _record_id(record, OpenAlexKind.TOPIC)
    name = _name(record, "topic", key)
    updated_at = _updated(record)
    above = _above(record, (TaxonomyLevel.DOMAIN, TaxonomyLevel.FIELD, TaxonomyLevel.SUBFIELD))
    ids = _mapping(record.get("ids"))
    try:
        topic = Topic(
            id=key,
            name=name,
            description=_text(record.get("description")),
            keywords=_strings(record.get("keywords")),
            wikipedia_url=_text(ids.get("wikipedia")),
            subfield_id=_parent(above, Subfield),
            works_count=_count(record.get("works_count")),
            cited_by_count=_count(record.get("cited_by_count")),
            source_id=raw_id,
            updated_at=updated_at,
        )
    except (InvalidIdError, ValidationError) as e:
        raise RecordError(f"topic {key}: {_short(e)}") from e
    return TaxonomyRecord(topic, tuple(_stamped(n, updated_at) for n in above))


def parse_level(record: dict[str, Any], level: TaxonomyLevel) -> TaxonomyRecord:
    """Map one OpenAlex Domain, Field or Subfield object to its node and the levels above."""
    raw_id, key = record_id(record, lambda x: taxonomy_id_of(x, level))
    alternatives = _strings(record.get("display_name_alternatives"))
    name = _name(record, level.name.lower(), key, *alternatives)
    levels = list(TaxonomyLevel)  # top down: domains, fields, subfields
    above = _above(record, tuple(levels[: levels.index(level)]))
    ids = _mapping(record.get("ids"))
    updated_at = _updated(record)
    values: dict[str, Any] = {
        "id": key,
        "name": name,
        "description": _text(record.get("description")),
        "alternative_names": tuple(n for n in alternatives if n != name),
        "wikidata_id": _wikidata(ids.get("wikidata")),
        "wikipedia_url": _text(ids.get("wikipedia")),
        "works_count": _count(record.get("works_count")),
        "cited_by_count": _count(record.get("cited_by_count")),
        "source_id": raw_id,
        "updated_at": updated_at,
    }
    try:
        node: Level
        match level:
            case TaxonomyLevel.DOMAIN:
                node = Domain(**values)
            case TaxonomyLevel.FIELD:
                node = Field(**values, domain_id=_parent(above, Domain))
            case TaxonomyLevel.SUBFIELD:
                node = Subfield(**values, field_id=_parent(above, Field))
    except (InvalidIdError, ValidationError) as e:
        raise RecordError(f"{level.name.lower()} {key}: {_short(e)}") from e
    return TaxonomyRecord(node, tuple(_stamped(n, updated_at) for n in above))


def _above(record: dict[str, Any], levels: tuple[TaxonomyLevel, ...]) -> tuple[Level, ...]:
    """The record's views of the levels above it (`domain`, `field`, `subfield` objects), top
    down, each linked to the one before; a missing or malformed one is left out (and the
    levels below it are not linked to it)."""
    found: list[Level] = []
    parent: str | None = None
    for level in levels:
        raw = _mapping(record.get(level.value[:-1]))  # "domains" -> "domain"
        raw_id, name = raw.get("id"), _text(raw.get("display_name"))
        node: Level | None = None
        if isinstance(raw_id, str) and name:
            try:
                key = taxonomy_id_of(raw_id, level)
                source_id = f"https://openalex.org/{key}"
                match level:
                    case TaxonomyLevel.DOMAIN:
                        node = Domain(id=key, name=name, source_id=source_id)
                    case TaxonomyLevel.FIELD:
                        node = Field(id=key, name=name, domain_id=parent, source_id=source_id)
                    case TaxonomyLevel.SUBFIELD:
                        node = Subfield(id=key, name=name, field_id=parent, source_id=source_id)
            except (InvalidIdError, ValidationError):
                node = None
        parent = node.id if node else None
        if node is not None:
            found.append(node)
    return tuple(found)


def _parent(above: tuple[Level, ...], kind: type[Level]) -> str | None:
    return next((n.id for n in above if isinstance(n, kind)), None)


def _stamped(node: Level, updated_at: datetime | None) -> Level:
    """A view of a level as of the record that gives it (provenance, as works do)."""
    return node.model_copy(update={"updated_at": updated_at})


# --- job sources -----------------------------------------------------------------------------


def _level_parser(level: TaxonomyLevel) -> Callable[[RawRecord], TaxonomyRecord]:
    def parse(record: RawRecord) -> TaxonomyRecord:
        return parse_level(json_object(record), level)

    return parse


def _check_id(kind: OpenAlexKind) -> Callable[[RawRecord], str]:
    """For entities the graph does not model: the record must be a JSON object with an id of
    `kind`; the id is all that is kept (and nothing is written)."""

    def parse(record: RawRecord) -> str:
        return _record_id(json_object(record), kind)[1]

    return parse


def _write_sources(writer: Writer, batch: list[PublicationSource]) -> None:
    writer(write_sources, batch)


def _write_funders(writer: Writer, batch: list[Funder]) -> None:
    writer(write_funders, batch)


def _write_taxonomy(writer: Writer, batch: list[TaxonomyRecord]) -> None:
    writer(write_taxonomy_records, [(r.node, r.above) for r in batch])


def _not_modelled(writer: Writer, batch: list[str]) -> None:
    """Publishers and concepts have no place in the graph model: nothing to write."""


OPENALEX_SOURCES = Source(
    name="openalex-sources",
    read=jsonl_records,
    parse=lambda r: parse_source(json_object(r)),
    write=_write_sources,
)
OPENALEX_FUNDERS = Source(
    name="openalex-funders",
    read=jsonl_records,
    parse=lambda r: parse_funder(json_object(r)),
    write=_write_funders,
)
OPENALEX_TOPICS = Source(
    name="openalex-topics",
    read=jsonl_records,
    parse=lambda r: parse_topic(json_object(r)),
    write=_write_taxonomy,
)
OPENALEX_TAXONOMY_LEVELS = {
    level.value: Source(
        name=f"openalex-{level.value}",
        read=jsonl_records,
        parse=_level_parser(level),
        write=_write_taxonomy,
    )
    for level in TaxonomyLevel
}
# Read and checked, not stored: no Publisher or Concept node in the graph model.
NOT_MODELLED = {
    "publishers": Source(
        name="openalex-publishers",
        read=jsonl_records,
        parse=_check_id(OpenAlexKind.PUBLISHER),
        write=_not_modelled,
        stores=False,
    ),
    "concepts": Source(
        name="openalex-concepts",
        read=jsonl_records,
        parse=_check_id(OpenAlexKind.CONCEPT),
        write=_not_modelled,
        stores=False,
    ),
}
