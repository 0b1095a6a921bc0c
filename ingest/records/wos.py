"""Web of Science tab-delimited exports ("Tab-delimited file", UTF-8): a header line of field
tags, then one record per line. The fields read: AU/AF (authors, short and full, `; `
between them), TI, SO (the source title), PY, DI, UT (the accession number), TC (times cited),
AB, and C1, the addresses: `[Zhang, Wei; Li, Xiao] Soochow Univ, Suzhou 215006, Peoples R
China; [Li, Xiao] Duke Kunshan Univ, Kunshan, Peoples R China`. The bracketed names say which
author is at which address, so those placements are the record's own, not inferred; an
address without names (older records) is the paper's, and what it supports is inferred.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.errors import RecordError
from ingest.jobs import RawRecord, Source
from ingest.records import values
from ingest.records.model import (
    InstitutionName,
    PaperRecord,
    paper_record,
    per_author_institutions,
)

FORMAT = "wos"
# One address of C1 (or RIS AD): optional bracketed names, then the address up to the next
# `; [` or the end.
_ADDRESS = re.compile(r"\s*(?:\[(?P<names>[^\]]*)\])?\s*(?P<address>[^\[]*?)\s*(?:;\s*(?=\[)|$)")


def read_file(path: Path) -> Iterator[RawRecord]:
    """One record per line after the header, each as a JSON object of its fields (tag ->
    value) at its line number; a line with a different number of fields is kept as it is,
    for the quarantine to name."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = handle.readline().rstrip("\r\n").split("\t")
        if "TI" not in header or not ({"AU", "AF"} & set(header)):
            yield RawRecord(path, 1, "\t".join(header))
            return
        for number, line in enumerate(handle, start=2):
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            cells = text.split("\t")
            # Exports end each line with a tab: trailing empty cells are not fields.
            while len(cells) > len(header) and not cells[-1]:
                cells.pop()
            if len(cells) > len(header):
                yield RawRecord(path, number, text)
                continue
            yield RawRecord(path, number, json.dumps(dict(zip(header, cells, strict=False))))


def addresses(c1: str) -> list[tuple[tuple[str, ...], str]]:
    """C1 as (the bracketed author names, the address) pairs, in order."""
    if "[" not in c1:  # no names at all: addresses between semicolons
        return [((), a.strip()) for a in c1.split(";") if a.strip()]
    found = []
    for match in _ADDRESS.finditer(c1):
        address = match.group("address").strip().rstrip(";").strip()
        if address:
            found.append((values.names(match.group("names") or "", ";"), address))
    return found


def _fold(name: str) -> str:
    return re.sub(r"[\s.,]+", " ", name.casefold()).strip()


def placed_authors(
    authors: tuple[str, ...], short: tuple[str, ...], found: list[tuple[tuple[str, ...], str]]
) -> tuple[tuple[str, ...], ...] | None:
    """Each author's addresses, where every address names its authors (else None: the record
    does not say who is where). A bracketed name is found among the full names, else the
    short ones (the same position)."""
    if not found or any(not names for names, _ in found):
        return None
    index = {_fold(n): i for i, n in enumerate(authors)}
    index |= {_fold(n): i for i, n in enumerate(short) if _fold(n) not in index}
    per_author: list[list[str]] = [[] for _ in authors]
    for names, address in found:
        for name in names:
            i = index.get(_fold(name))
            if i is None:
                raise RecordError(f"C1 names {name!r}, who is not among the authors")
            if address not in per_author[i]:
                per_author[i].append(address)
    return tuple(tuple(a) for a in per_author)


def _fields(raw: RawRecord) -> dict[str, Any]:
    try:
        fields = json.loads(raw.text)
    except json.JSONDecodeError as e:
        raise RecordError(
            "not a record line (more fields than the header, or a header without TI and AU)"
        ) from e
    if not isinstance(fields, dict):
        raise RecordError("not a record line")
    return fields


def parse(raw: RawRecord) -> PaperRecord:
    fields = _fields(raw)
    short = values.names(fields.get("AU"), ";")
    authors = values.names(fields.get("AF"), ";") or short
    if not authors:
        raise RecordError("the record names no authors (AU, AF)")
    found = addresses(fields.get("C1") or "")
    per_author = placed_authors(authors, short, found)
    if per_author is not None:
        institutions = per_author_institutions(authors, per_author)
    else:
        institutions = tuple(InstitutionName(a) for a in dict.fromkeys(a for _, a in found))
    title = values.text(fields.get("TI"))
    year = values.year_of(fields.get("PY"))
    doi = values.doi(fields.get("DI"))
    return paper_record(
        raw,
        FORMAT,
        title=title,
        year=year,
        doi=doi,
        openalex_id=None,
        cited_by_count=values.count(fields.get("TC")) or 0,
        authors=authors,
        institutions=institutions,
        venue=values.text(fields.get("SO")),
        author_institutions=per_author,
        abstract=values.text(fields.get("AB")),
    )


def source(write: Any) -> Source[PaperRecord]:
    """The job over Web of Science tab-delimited files, writing through `write`."""
    return Source(name=f"records-{FORMAT}", read=read_file, parse=parse, write=write)
