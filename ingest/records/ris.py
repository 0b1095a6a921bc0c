"""RIS files (what Web of Science, Scopus and CNKI export), read with rispy: one record from
its `TY  -` line to its `ER  -` line. The fields read: AU/A1 (authors in order), TI/T1, PY/Y1,
DO, T2/JO/JF (the venue), AB, UR (an OpenAlex work URL, if any) and AD (addresses). Most
exports give AD per paper, not per author; an AD in Web of Science's C1 form (`[Author;
Author] Address`) says who is where and is used as such, any other is the paper's and
inferred.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import rispy

from ingest.errors import RecordError
from ingest.jobs import RawRecord, Source
from ingest.records import values
from ingest.records.model import (
    InstitutionName,
    PaperRecord,
    paper_record,
    per_author_institutions,
)
from ingest.records.wos import addresses, placed_authors

FORMAT = "ris"
_TAG = re.compile(r"^([A-Z][A-Z0-9])  -")
_LIST_TAGS = [*rispy.LIST_TYPE_TAGS, "AD"]


def read_file(path: Path) -> Iterator[RawRecord]:
    """Each record's lines, from its TY line (its position) to its ER line; text outside
    records (a byte-order mark, blank lines) is skipped, and a record without its ER line at
    the end of the file is still read (parse names what is wrong with it)."""
    lines: list[str] = []
    start = 0
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            tag = _TAG.match(line)
            if tag and tag.group(1) == "TY":
                if lines:
                    yield RawRecord(path, start, "".join(lines))
                lines, start = [], number
            if start:
                lines.append(line)
            if tag and tag.group(1) == "ER" and lines:
                yield RawRecord(path, start, "".join(lines))
                lines, start = [], 0
    if lines:
        yield RawRecord(path, start, "".join(lines))


def _entry(text: str) -> dict[str, Any]:
    if not re.search(r"^ER  -", text, re.MULTILINE):
        raise RecordError("the record has no ER line (its end)")
    try:
        entries = rispy.loads(text, list_tags=_LIST_TAGS)
    except (OSError, ValueError, KeyError) as e:
        raise RecordError(f"not a RIS record ({e})") from e
    if len(entries) != 1:
        raise RecordError(f"expected one RIS record, read {len(entries)}")
    entry: dict[str, Any] = entries[0]
    return entry


def _openalex(urls: Any) -> str | None:
    for url in values.names(urls):
        if "openalex.org/W" in url:
            return values.work_id(url)
    return None


def parse(raw: RawRecord) -> PaperRecord:
    entry = _entry(raw.text)
    authors = values.names(entry.get("authors")) or values.names(entry.get("first_authors"))
    if not authors:
        raise RecordError("the record names no authors (AU, A1)")
    found = [a for text in values.names(entry.get("author_address")) for a in addresses(text)]
    per_author = placed_authors(authors, (), found)
    if per_author is not None:
        institutions = per_author_institutions(authors, per_author)
    else:
        institutions = tuple(InstitutionName(a) for a in dict.fromkeys(a for _, a in found))
    title = values.text(entry.get("title") or entry.get("primary_title"))
    year = values.year_of(entry.get("year") or entry.get("publication_year"))
    doi = values.doi(entry.get("doi"))
    work_id = _openalex(entry.get("urls"))
    venue = (
        entry.get("secondary_title") or entry.get("journal_name") or entry.get("alternate_title3")
    )
    return paper_record(
        raw,
        FORMAT,
        title=title,
        year=year,
        doi=doi,
        openalex_id=work_id,
        cited_by_count=0,
        authors=authors,
        institutions=institutions,
        venue=values.text(venue),
        author_institutions=per_author,
        abstract=values.text(entry.get("abstract")),
    )


def source(write: Any) -> Source[PaperRecord]:
    """The job over RIS files, writing through `write`."""
    return Source(name=f"records-{FORMAT}", read=read_file, parse=parse, write=write)
