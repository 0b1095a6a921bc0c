"""OpenAlex Author records (API / snapshot JSON, one object per line) into domain models.

An Author record describes one person in full: names, ORCID, statistics, last known
institutions, top topics, and every institution the person's works name with the years. It owns
the scientist node (see graph.write.scientist); the institutions it lists are only
created when missing, with the record's minimal view of them.

Records drift between API versions (2023-2025: `last_known_institution` became
`last_known_institutions`, `summary_stats` grew and shrank, `topics` came, `orcid` is often
null); everything here tolerates that and keeps what is there. A record without a valid author
id, or without any name, raises `RecordError`, and the runner quarantines it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from graph.unit_of_work import Writer
from graph.write.scientist import write_authors_batch
from ingest.errors import RecordError
from ingest.jobs import RawRecord, Source
from ingest.openalex.works import _institution
from ingest.readers import json_object, jsonl_records, record_id
from ingest.values import count as _count
from ingest.values import mapping as _mapping
from ingest.values import number as _number
from ingest.values import ror as _ror
from ingest.values import short_error as _short
from ingest.values import strings as _strings
from ingest.values import text as _text
from ingest.values import timestamp as _timestamp
from schema import ids
from schema.ids import InvalidIdError, OpenAlexKind, openalex_id
from schema.institution import Institution, institution_key
from schema.names import pinyin_forms
from schema.scientist import AuthorAffiliation, AuthorRecord, Scientist, ScientistAuthority

__all__ = ["OPENALEX_AUTHORS", "AuthorRecord", "parse_author", "parse_line"]


def parse_line(record: RawRecord) -> AuthorRecord:
    return parse_author(json_object(record))


def parse_author(record: dict[str, Any]) -> AuthorRecord:
    """Map one OpenAlex Author object to the scientist and its affiliations."""
    raw_id, author_id = record_id(record, lambda x: openalex_id(x, OpenAlexKind.AUTHOR))
    alternatives = _strings(record.get("display_name_alternatives"))
    name = _text(record.get("display_name")) or next(iter(alternatives), None)
    if name is None:
        raise RecordError(f"author {author_id}: no display_name")
    stats = _mapping(record.get("summary_stats"))
    external = _mapping(record.get("ids"))
    pinyin = (form for n in (name, *alternatives) for form in pinyin_forms(n)[:1])
    try:
        scientist = Scientist(
            id=author_id,
            openalex_id=author_id,
            authority=ScientistAuthority.OPENALEX,
            name=name,
            alternative_names=tuple(n for n in alternatives if n != name),
            # One order per hanzi name, as for people seen in works (see ingest.openalex.works).
            name_pinyin=tuple(dict.fromkeys(pinyin)),
            orcid=_orcid(record.get("orcid")) or _orcid(external.get("orcid")),
            works_count=_count(record.get("works_count"), stats.get("works_count")),
            cited_by_count=_count(record.get("cited_by_count"), stats.get("cited_by_count")),
            h_index=_count(stats.get("h_index")),
            i10_index=_count(stats.get("i10_index")),
            two_year_mean_citedness=_number(stats.get("2yr_mean_citedness")),
            last_known_institution_ids=_last_known(record),
            topic_ids=_topic_ids(record.get("topics")),
            source="openalex",
            source_id=raw_id,
            updated_at=_timestamp(record.get("updated_date") or record.get("updated")),
        )
    except ValidationError as e:
        raise RecordError(f"author {author_id}: {_short(e)}") from e
    return AuthorRecord(scientist=scientist, affiliations=_affiliations(record.get("affiliations")))


def _affiliations(raw: Any) -> tuple[AuthorAffiliation, ...]:
    """One per institution key (two OpenAlex institutions may share a ROR id: their years
    merge), in the record's order."""
    years: dict[str, set[int]] = {}
    models: dict[str, Institution | None] = {}
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        institution = _mapping(item.get("institution"))
        key = _institution_key(institution)
        if key is None:
            continue
        years.setdefault(key, set()).update(
            y
            for y in item.get("years") or []
            if isinstance(y, int) and not isinstance(y, bool) and 1000 <= y <= 2100
        )
        # No updated_at on the minimal view: it only creates a missing node, and a dated view
        # from a work may then replace it (works keep the newest view of an institution).
        if models.get(key) is None:  # the first usable view
            models[key] = _institution(institution, None)
    return tuple(
        AuthorAffiliation(institution_id=key, years=tuple(sorted(found)), institution=models[key])
        for key, found in years.items()
    )


def _institution_key(raw: dict[str, Any]) -> str | None:
    """Our key for an institution the record names: its ROR id, else its OpenAlex id."""
    oa_id = raw.get("id")
    try:
        openalex = openalex_id(oa_id, OpenAlexKind.INSTITUTION) if isinstance(oa_id, str) else None
    except InvalidIdError:
        openalex = None
    ror = _ror(raw.get("ror"))
    if ror is None and openalex is None:
        return None
    return institution_key(ror=ror, openalex=openalex)


def _last_known(record: dict[str, Any]) -> tuple[str, ...]:
    """Keys of the last known institutions: a list since 2023, one object before."""
    listed = record.get("last_known_institutions")
    items = list(listed) if isinstance(listed, list) else []
    items.append(record.get("last_known_institution"))
    keys = (_institution_key(item) for item in items if isinstance(item, dict))
    return tuple(dict.fromkeys(key for key in keys if key))


def _topic_ids(raw: Any) -> tuple[str, ...]:
    """Topic ids in the record's order (most works first), without repeats."""
    found: dict[str, None] = {}
    for item in raw if isinstance(raw, list) else []:
        topic = item.get("id") if isinstance(item, dict) else None
        if isinstance(topic, str):
            try:
                found[openalex_id(topic, OpenAlexKind.TOPIC)] = None
            except InvalidIdError:
                continue
    return tuple(found)


def _orcid(value: Any) -> str | None:
    """The ORCID iD, or None: a malformed one loses the ORCID, not the person."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return ids.orcid(value)
    except InvalidIdError:
        return None


def write_authors(writer: Writer, batch: list[AuthorRecord]) -> None:
    writer(write_authors_batch, batch)


OPENALEX_AUTHORS = Source(
    name="openalex-authors", read=jsonl_records, parse=parse_line, write=write_authors
)
