"""Records in CSV (a header row, one paper per row) or JSON lines (one object per line), with
a column mapping that says which column holds which field (`--map title=Title,year=Year`, or
a YAML file of the same pairs). Fields: `title`, `year`, `doi`, `authors` (names in order),
`institutions` (the paper's institution names), `author_institutions` (each author's names,
in author order), `venue`, `openalex_id`, `cited_by_count`, `abstract`. A field not mapped is
read from the column of its own name. In CSV, list fields separate names with `;`, and
`author_institutions` separates authors with `;` and one author's names with `|`; in JSON
lines they are lists (of lists). With `author_institutions` the record says who is where;
without it, what the paper's names support is inferred.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from ingest.errors import InvalidInputError, RecordError
from ingest.jobs import RawRecord, Source
from ingest.records import values
from ingest.records.model import (
    InstitutionName,
    PaperRecord,
    paper_record,
    per_author_institutions,
)

FIELDS = (
    "title",
    "year",
    "doi",
    "authors",
    "institutions",
    "author_institutions",
    "venue",
    "openalex_id",
    "cited_by_count",
    "abstract",
)
LIST_SEPARATOR = ";"
NAME_SEPARATOR = "|"


def column_map(spec: str | None) -> dict[str, str]:
    """The field -> column mapping of `--map`: `field=Column,...`, or the path of a YAML file
    mapping fields to columns; every field not named reads the column of its own name. An
    unknown field is an error naming it."""
    pairs: dict[str, str] = {}
    if spec:
        path = Path(spec)
        if path.suffix in {".yaml", ".yml"}:
            if not path.is_file():
                raise InvalidInputError(f"{spec}: no such column map file")
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                raise InvalidInputError(f"{spec}: expected a mapping of field: column")
            pairs = {str(k): str(v) for k, v in loaded.items()}
        else:
            for item in spec.split(","):
                field, sep, column = item.partition("=")
                if not sep or not field.strip() or not column.strip():
                    raise InvalidInputError(f"--map: {item!r} is not field=Column")
                pairs[field.strip()] = column.strip()
    unknown = sorted(set(pairs) - set(FIELDS))
    if unknown:
        raise InvalidInputError(
            f"--map: unknown field(s) {', '.join(unknown)} (known: {', '.join(FIELDS)})"
        )
    return {field: pairs.get(field, field) for field in FIELDS}


def read_csv(path: Path) -> Iterator[RawRecord]:
    """Each row after the header as a JSON object (column -> value) at the line it starts on."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:  # reads the header: an empty file has no rows
            return
        line = reader.line_num + 1
        for row in reader:
            # A row with more cells than the header has them under the key None.
            yield RawRecord(path, line, json.dumps(row, ensure_ascii=False))
            line = reader.line_num + 1


def read_jsonl(path: Path) -> Iterator[RawRecord]:
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield RawRecord(path, number, line.rstrip("\n"))


def _row(raw: RawRecord) -> dict[str | None, Any]:
    try:
        row = json.loads(raw.text)
    except json.JSONDecodeError as e:
        raise RecordError(f"not valid JSON ({e.msg})") from e
    if not isinstance(row, dict):
        raise RecordError(f"expected an object, found {type(row).__name__}")
    if row.get(None) or row.get("null"):
        raise RecordError("the row has more cells than the header has columns")
    return row


def _per_author(value: Any, authors: tuple[str, ...]) -> tuple[tuple[str, ...], ...] | None:
    if value is None or value == "" or value == []:
        return None
    groups = value.split(LIST_SEPARATOR) if isinstance(value, str) else value
    if not isinstance(groups, list):
        raise RecordError("author_institutions is neither text nor a list")
    if len(groups) != len(authors):
        raise RecordError(
            f"author_institutions has {len(groups)} entries for {len(authors)} authors"
        )
    return tuple(values.names(g, NAME_SEPARATOR) for g in groups)


def parser(mapping: Mapping[str, str], format_name: str) -> Callable[[RawRecord], PaperRecord]:
    """The parse function of a format over `mapping` (field -> column)."""

    def parse(raw: RawRecord) -> PaperRecord:
        row = _row(raw)

        def get(field: str) -> Any:
            return row.get(mapping[field])

        authors = values.names(get("authors"), LIST_SEPARATOR)
        if not authors:
            raise RecordError(f"no authors in column {mapping['authors']!r}")
        per_author = _per_author(get("author_institutions"), authors)
        if per_author is not None:
            institutions = per_author_institutions(authors, per_author)
        else:
            names = values.names(get("institutions"), LIST_SEPARATOR)
            institutions = tuple(InstitutionName(n) for n in dict.fromkeys(names))
        work_id = values.work_id(get("openalex_id"))
        title = values.text(get("title"))
        year = values.year_of(get("year"))
        doi = values.doi(get("doi"))
        return paper_record(
            raw,
            format_name,
            title=title,
            year=year,
            doi=doi,
            openalex_id=work_id,
            cited_by_count=values.count(get("cited_by_count")) or 0,
            authors=authors,
            institutions=institutions,
            venue=values.text(get("venue")),
            author_institutions=per_author,
            abstract=values.text(get("abstract")),
        )

    return parse


def csv_source(write: Any, mapping: Mapping[str, str] | None = None) -> Source[PaperRecord]:
    """The job over CSV files with `mapping` (default: columns named as the fields)."""
    parse = parser(mapping or column_map(None), "csv")
    return Source(name="records-csv", read=read_csv, parse=parse, write=write)


def jsonl_source(write: Any, mapping: Mapping[str, str] | None = None) -> Source[PaperRecord]:
    """The job over JSON lines files with `mapping` (default: keys named as the fields)."""
    parse = parser(mapping or column_map(None), "jsonl")
    return Source(name="records-jsonl", read=read_jsonl, parse=parse, write=write)
