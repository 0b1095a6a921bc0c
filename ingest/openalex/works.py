"""OpenAlex Work records (API / snapshot JSON, one object per line) into domain models.

Records drift between API versions (missing keys, `null`s, truncated author lists); everything
here tolerates that and keeps what is there. What cannot be used at all (a line that is not
JSON, a record without a valid id) raises `RecordError` naming the problem, and the caller
quarantines the line.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ingest.errors import RecordError
from ingest.jobs import RawRecord
from ingest.readers import json_object
from ingest.values import ror as _ror
from ingest.values import short_error as _short
from ingest.values import timestamp as _timestamp
from schema.ids import InvalidIdError, OpenAlexKind, openalex_id
from schema.institution import Institution, institution_key
from schema.names import pinyin_forms
from schema.scientist import Scientist
from schema.topic import Domain, Field, Subfield, Topic
from schema.venue import Funder, PublicationSource
from schema.work import Authorship, Funding, Work, WorkTopic


@dataclass(frozen=True)
class WorkRecord:
    """One work with everything its record names: people, institutions, topics (with their
    subfield, field and domain), the source it appeared in, and its funders."""

    work: Work
    authorships: tuple[Authorship, ...]
    scientists: tuple[Scientist, ...]
    institutions: tuple[Institution, ...]
    skipped_authorships: int = 0
    topics: tuple[WorkTopic, ...] = ()
    taxonomy: tuple[Topic | Subfield | Field | Domain, ...] = ()
    source: PublicationSource | None = None
    funding: tuple[Funding, ...] = ()
    funders: tuple[Funder, ...] = ()
    # The record's text and this mapping's code, hashed: the same record read again by the
    # same code has the same digest, and the load skips it (see write_works).
    digest: str = ""


def _mapping_version() -> bytes:
    """The code that turns a work record into models: a change to it changes every digest,
    so records loaded before the change are written again."""
    root = Path(__file__).resolve().parents[2]
    files = [Path(__file__), root / "ingest" / "values.py"]
    files += sorted(p for p in (root / "schema").glob("*.py") if p.name != "settings.py")
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).digest()


_MAPPING_VERSION = _mapping_version()


def parse_line(record: RawRecord) -> WorkRecord:
    digest = hashlib.sha256(_MAPPING_VERSION + record.text.strip().encode()).hexdigest()[:32]
    return replace(parse_work(json_object(record)), digest=digest)


def parse_work(record: dict[str, Any]) -> WorkRecord:
    """Map one OpenAlex Work object to domain models."""
    raw_id = record.get("id")
    if not isinstance(raw_id, str):
        raise RecordError("the record has no string 'id'")
    try:
        work_id = openalex_id(raw_id, OpenAlexKind.WORK)
        counts = [c for c in record.get("counts_by_year") or [] if isinstance(c, dict)]
        work = Work(
            id=work_id,
            openalex_id=work_id,
            title=record.get("display_name") or record.get("title"),
            doi=record.get("doi") or None,
            type=record.get("type"),
            language=record.get("language"),
            publication_year=record.get("publication_year"),
            publication_date=record.get("publication_date"),
            cited_by_count=record.get("cited_by_count") or 0,
            abstract=_abstract(record),
            keywords=tuple(
                k["display_name"]
                for k in record.get("keywords") or []
                if isinstance(k, dict) and k.get("display_name")
            ),
            referenced_works=tuple(_ids(record.get("referenced_works"), OpenAlexKind.WORK)),
            citation_years=tuple(c["year"] for c in counts),
            citation_counts=tuple(c.get("cited_by_count") or 0 for c in counts),
            is_retracted=record.get("is_retracted"),
            fwci=record.get("fwci"),
            citation_percentile=_citation_percentile(record),
            authors_count=len(record.get("authorships") or []),
            source_id=raw_id,
            updated_at=_timestamp(record.get("updated_date")),
        )
    except (InvalidIdError, ValidationError, KeyError, TypeError) as e:
        raise RecordError(f"work {raw_id}: {_short(e)}") from e

    authorships: dict[str, Authorship] = {}
    scientists: dict[str, Scientist] = {}
    institutions: dict[str, Institution] = {}
    skipped = 0
    for position, raw in enumerate(record.get("authorships") or []):
        try:
            authorship, scientist, insts = _authorship(work_id, position, raw, work.updated_at)
        except (InvalidIdError, ValidationError, RecordError):
            # An authorship without a usable author (OpenAlex has some with author: null) is
            # dropped; the work and its other authors are kept.
            skipped += 1
            continue
        earlier = authorships.get(authorship.scientist_id)
        # A person listed twice on one work (it happens in OpenAlex) is one authorship: the
        # first position, with the affiliations and institutions of both entries.
        authorships[authorship.scientist_id] = (
            authorship if earlier is None else _merge(earlier, authorship)
        )
        scientists.setdefault(scientist.id, scientist)
        for inst in insts:
            institutions.setdefault(inst.id, inst)
    topics, taxonomy = _topics(record, work.updated_at)
    funding, funders = _funding(record, work.updated_at)
    return WorkRecord(
        work=work,
        authorships=tuple(authorships.values()),
        scientists=tuple(scientists.values()),
        institutions=tuple(institutions.values()),
        skipped_authorships=skipped,
        topics=topics,
        taxonomy=taxonomy,
        source=_publication_source(record, work.updated_at),
        funding=funding,
        funders=funders,
    )


def _ids(values: Any, kind: OpenAlexKind) -> list[str]:
    """The valid ids of a list, in order, without repeats (bad entries are dropped)."""
    out: dict[str, None] = {}
    for value in values or []:
        if isinstance(value, str):
            try:
                out[openalex_id(value, kind)] = None
            except InvalidIdError:
                continue
    return list(out)


def _citation_percentile(record: dict[str, Any]) -> float | None:
    """`citation_normalized_percentile.value` (0..1), when the record has one."""
    found = record.get("citation_normalized_percentile")
    value = found.get("value") if isinstance(found, dict) else None
    return float(value) if isinstance(value, int | float) and 0 <= value <= 1 else None


def _abstract(record: dict[str, Any]) -> str | None:
    """The abstract as text: newer records carry `abstract`, older ones only the inverted
    index (word -> positions), which is turned back into text."""
    text = record.get("abstract")
    if isinstance(text, str) and text.strip():
        return text
    inverted = record.get("abstract_inverted_index")
    if isinstance(inverted, dict) and isinstance(inverted.get("InvertedIndex"), dict):
        # The MAG-era shape of the first snapshots: {"IndexLength": N, "InvertedIndex": {...}}.
        inverted = inverted["InvertedIndex"]
    if not isinstance(inverted, dict) or not inverted:
        return None
    words: dict[int, str] = {}
    for word, positions in inverted.items():
        for position in positions if isinstance(positions, list) else []:
            if isinstance(position, int):
                words[position] = word
    return " ".join(words[i] for i in sorted(words)) or None


def _topics(
    record: dict[str, Any], updated_at: datetime | None
) -> tuple[tuple[WorkTopic, ...], tuple[Topic | Subfield | Field | Domain, ...]]:
    primary = (record.get("primary_topic") or {}).get("id")
    topics: dict[str, WorkTopic] = {}
    nodes: dict[str, Topic | Subfield | Field | Domain] = {}
    for raw in record.get("topics") or []:
        try:
            domain = Domain(
                id=raw["domain"]["id"], name=raw["domain"]["display_name"], updated_at=updated_at
            )
            field = Field(
                id=raw["field"]["id"],
                name=raw["field"]["display_name"],
                domain_id=domain.id,
                updated_at=updated_at,
            )
            subfield = Subfield(
                id=raw["subfield"]["id"],
                name=raw["subfield"]["display_name"],
                field_id=field.id,
                updated_at=updated_at,
            )
            topic = Topic(
                id=raw["id"],
                name=raw["display_name"],
                subfield_id=subfield.id,
                updated_at=updated_at,
            )
            link = WorkTopic(
                topic_id=topic.id, score=raw.get("score") or 0, primary=raw["id"] == primary
            )
        except (KeyError, TypeError, ValidationError, InvalidIdError):
            continue  # an incomplete topic entry (older API versions) is left out
        topics.setdefault(topic.id, link)
        for node in (topic, subfield, field, domain):
            nodes.setdefault(node.id, node)
    return tuple(topics.values()), tuple(nodes.values())


def _publication_source(
    record: dict[str, Any], updated_at: datetime | None
) -> PublicationSource | None:
    raw = (record.get("primary_location") or {}).get("source")
    if not isinstance(raw, dict) or not raw.get("id"):
        raw = _host_venue(record.get("host_venue"))
    if not isinstance(raw, dict) or not raw.get("id") or not raw.get("display_name"):
        return None
    try:
        return PublicationSource(
            id=raw["id"],
            name=raw["display_name"],
            issn_l=raw.get("issn_l"),
            issns=tuple(raw.get("issn") or ()),
            type=raw.get("type"),
            publisher=raw.get("host_organization_name"),
            source_id=raw["id"],
            updated_at=updated_at,
        )
    except (ValidationError, InvalidIdError):
        return None


def _host_venue(venue: Any) -> dict[str, Any] | None:
    """A 2021-2022 record's `host_venue` as today's `primary_location.source`: venues became
    sources in 2023 under the same number (V1983995261 is S1983995261), and `publisher` became
    `host_organization_name`."""
    if not isinstance(venue, dict) or not isinstance(venue.get("id"), str):
        return None
    venue_id = re.sub(r"(^|/)V(\d+)$", r"\1S\2", venue["id"].strip())
    return {
        "id": venue_id,
        "display_name": venue.get("display_name"),
        "issn_l": venue.get("issn_l"),
        "issn": venue.get("issn"),
        "type": "journal" if venue.get("type") == "publisher" else venue.get("type"),
        "host_organization_name": venue.get("publisher"),
    }


def _funding(
    record: dict[str, Any], updated_at: datetime | None
) -> tuple[tuple[Funding, ...], tuple[Funder, ...]]:
    """Funders from `grants` (to 2025), `awards` (2025 on) or `funders`, with award ids."""
    awards: dict[str, list[str]] = {}
    funders: dict[str, Funder] = {}
    entries = [*(record.get("grants") or []), *(record.get("awards") or [])]
    listed = [
        (f.get("id"), f.get("display_name"), f.get("ror")) for f in record.get("funders") or []
    ]
    for entry in entries:
        if isinstance(entry, dict):
            funder = entry.get("funder") or entry.get("funder_id")
            name = entry.get("funder_display_name")
            listed.append((funder, name, None))
            award = entry.get("award_id") or entry.get("funder_award_id")
            if isinstance(funder, str) and isinstance(award, str) and award.strip():
                with contextlib.suppress(InvalidIdError):
                    awards.setdefault(openalex_id(funder, OpenAlexKind.FUNDER), []).append(award)
    for raw_id, name, ror in listed:
        if not isinstance(raw_id, str) or not name:
            continue
        try:
            funder = Funder(
                id=raw_id, name=name, ror_id=_ror(ror), source_id=raw_id, updated_at=updated_at
            )
        except (ValidationError, InvalidIdError):
            continue
        funders.setdefault(funder.id, funder)
    funding = tuple(
        Funding(funder_id=fid, award_ids=tuple(dict.fromkeys(awards.get(fid, []))))
        for fid in funders
    )
    return funding, tuple(funders.values())


def _merge(first: Authorship, second: Authorship) -> Authorship:
    return first.model_copy(
        update={
            "is_corresponding": first.is_corresponding or second.is_corresponding,
            "raw_affiliation": tuple(dict.fromkeys(first.raw_affiliation + second.raw_affiliation)),
            "institution_ids": tuple(dict.fromkeys(first.institution_ids + second.institution_ids)),
            "unlinked_affiliation": tuple(
                dict.fromkeys(first.unlinked_affiliation + second.unlinked_affiliation)
            ),
        }
    )


def _authorship(
    work_id: str, position: int, raw: Any, updated_at: datetime | None
) -> tuple[Authorship, Scientist, list[Institution]]:
    if not isinstance(raw, dict):
        raise RecordError("authorship is not an object")
    author = raw.get("author") or {}
    raw_author_id = author.get("id")
    name = author.get("display_name") or raw.get("raw_author_name")
    if not isinstance(raw_author_id, str) or not name:
        raise RecordError("authorship without author id or name")
    author_id = openalex_id(raw_author_id, OpenAlexKind.AUTHOR)
    scientist = Scientist(
        id=author_id,
        openalex_id=author_id,
        name=name,
        # One order is enough for the bag-of-words index; more values would lower the score.
        name_pinyin=pinyin_forms(name)[:1],
        orcid=author.get("orcid") or None,
        source_id=raw_author_id,
        updated_at=updated_at,
    )
    institutions = [
        inst
        for inst in (_institution(i, updated_at) for i in raw.get("institutions") or [])
        if inst
    ]
    raw_affiliations = raw.get("raw_affiliation_strings")
    if raw_affiliations is None and raw.get("raw_affiliation_string"):
        raw_affiliations = [raw["raw_affiliation_string"]]  # the 2022-era single-string key
    strings = tuple(s for s in raw_affiliations or () if isinstance(s, str))
    authorship = Authorship(
        scientist_id=author_id,
        work_id=work_id,
        position=position,
        author_position=raw.get("author_position") or None,
        is_corresponding=bool(raw.get("is_corresponding")),
        raw_author_name=raw.get("raw_author_name"),
        raw_affiliation=strings,
        institution_ids=tuple(inst.id for inst in institutions),
        unlinked_affiliation=_unlinked(
            strings, raw.get("affiliations"), {i.openalex_id for i in institutions if i.openalex_id}
        ),
    )
    return authorship, scientist, institutions


def _unlinked(strings: tuple[str, ...], affiliations: Any, loaded: set[str]) -> tuple[str, ...]:
    """The raw strings the record links to none of the authorship's institutions (`loaded`,
    their OpenAlex ids). Records since 2023 say it per string (`affiliations:
    [{raw_affiliation_string, institution_ids}]`), so an authorship can have both kinds (and a
    string can name an institution id its authorship does not list, which links it to
    nothing here); older ones only say which institutions the authorship has, so their strings
    are unlinked when it has none."""
    if not isinstance(affiliations, list) or not affiliations:
        return () if loaded else strings
    unlinked = []
    for entry in affiliations:
        text = entry.get("raw_affiliation_string") if isinstance(entry, dict) else None
        if not isinstance(text, str) or not text.strip():
            continue
        if loaded.isdisjoint(_ids(entry.get("institution_ids"), OpenAlexKind.INSTITUTION)):
            unlinked.append(text)
    return tuple(dict.fromkeys(unlinked))


def _institution(raw: Any, updated_at: datetime | None) -> Institution | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        return None
    name = raw.get("display_name")
    if not name:
        return None
    try:
        oa_id = openalex_id(raw["id"], OpenAlexKind.INSTITUTION)
        ror = _ror(raw.get("ror"))
        return Institution(
            id=institution_key(ror=ror, openalex=oa_id),
            name=name,
            ror_id=ror,
            openalex_id=oa_id,
            type=raw.get("type"),
            country_code=raw.get("country_code") or None,
            source_id=raw["id"],
            updated_at=updated_at,
        )
    except (InvalidIdError, ValidationError):
        return None
