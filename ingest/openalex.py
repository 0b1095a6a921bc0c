"""OpenAlex Work records (API / snapshot JSON, one object per line) into domain models.

Records drift between API versions (missing keys, `null`s, truncated author lists); everything
here tolerates that and keeps what is there. What cannot be used at all (a line that is not
JSON, a record without a valid id) raises `RecordError` naming the problem, and the caller
quarantines the line.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from ingest.errors import RecordError
from ingest.names import pinyin_forms
from schema.ids import InvalidIdError, OpenAlexKind, openalex_id, ror_id
from schema.institution import Institution, institution_key
from schema.scientist import Scientist
from schema.work import Authorship, Work


@dataclass(frozen=True)
class WorkRecord:
    """One work with the people and institutions its authorships name."""

    work: Work
    authorships: tuple[Authorship, ...]
    scientists: tuple[Scientist, ...]
    institutions: tuple[Institution, ...]
    skipped_authorships: int = 0


@dataclass
class Line:
    path: Path
    number: int
    text: str


@dataclass
class ParseStats:
    records: int = 0
    skipped_authorships: int = 0
    errors: list[tuple[Line, str]] = field(default_factory=list)


def open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_lines(path: Path) -> Iterator[Line]:
    """Non-blank lines of a `.jsonl` or `.jsonl.gz` file, numbered from 1."""
    with open_text(path) as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield Line(path, number, text)


def parse_line(line: Line) -> WorkRecord:
    try:
        record = json.loads(line.text)
    except json.JSONDecodeError as e:
        raise RecordError(f"not valid JSON ({e.msg} at column {e.colno})") from e
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, found {type(record).__name__}")
    return parse_work(record)


def parse_work(record: dict[str, Any]) -> WorkRecord:
    """Map one OpenAlex Work object to domain models."""
    raw_id = record.get("id")
    if not isinstance(raw_id, str):
        raise RecordError("the record has no string 'id'")
    try:
        work_id = openalex_id(raw_id, OpenAlexKind.WORK)
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
            source_id=raw_id,
            updated_at=_timestamp(record.get("updated_date")),
        )
    except (InvalidIdError, ValidationError) as e:
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
    return WorkRecord(
        work=work,
        authorships=tuple(authorships.values()),
        scientists=tuple(scientists.values()),
        institutions=tuple(institutions.values()),
        skipped_authorships=skipped,
    )


def _merge(first: Authorship, second: Authorship) -> Authorship:
    return first.model_copy(
        update={
            "is_corresponding": first.is_corresponding or second.is_corresponding,
            "raw_affiliation": tuple(dict.fromkeys(first.raw_affiliation + second.raw_affiliation)),
            "institution_ids": tuple(dict.fromkeys(first.institution_ids + second.institution_ids)),
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
    authorship = Authorship(
        scientist_id=author_id,
        work_id=work_id,
        position=position,
        author_position=raw.get("author_position") or None,
        is_corresponding=bool(raw.get("is_corresponding")),
        raw_author_name=raw.get("raw_author_name"),
        raw_affiliation=tuple(s for s in raw_affiliations or () if isinstance(s, str)),
        institution_ids=tuple(inst.id for inst in institutions),
    )
    return authorship, scientist, institutions


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


def _ror(value: Any) -> str | None:
    """The ROR id, repairing the doubled prefix some records carry
    ("https://ror.org/https://ror.org/01ppj9r51"); None when there is no usable one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return ror_id(value.rsplit("/", 1)[-1])
    except InvalidIdError:
        return None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _short(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
        )
    return str(error)
