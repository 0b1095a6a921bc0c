"""`talentmap cases import`: an existing spreadsheet of recruitment cases (CSV or XLSX) into
the graph, through the job machinery every source shares (ingest/jobs.py): a row that cannot
be used is quarantined with its file, row and reason, and the rest are written.

Columns (a header row first; names as `talentmap cases export` writes them, in any order,
case-insensitive; unknown columns are ignored): `target_kind` (SCIENTIST, TEAM or
INSTITUTION), `target_id` (our id: A…, team-…, a ROR id; an OpenAlex URL is fine),
`district` (an id of the region profile), `programme` (COOPERATION, TALENT, ENTERPRISE)
are required; optional are `id` (the case's id; without one, the case is named by its target,
district and programme), `park`, `tier`, `owner` (default: the importer), `stage` (default
IDENTIFIED), `drop_reason` (needed for DROPPED), `priority`, `next_action`,
`next_action_due` (a date), `notes`, `links` (http(s) links separated by spaces),
`created_at` (default: the import's time), `landed_at` (needed for LANDED). A past due date
is kept: an old spreadsheet has them.

A case whose id is already in the graph is left as it is, so importing the same file again
writes nothing; each case written is audited as created by the importer.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.unit_of_work import Writer
from graph.write.case import import_cases, known_ids
from ingest.errors import InvalidInputError, RecordError
from ingest.jobs import RawRecord, Source
from schema.case import Case, CaseStage, TargetKind

REQUIRED = ("target_kind", "target_id", "district", "programme")
OPENALEX = "https://openalex.org/"


def _cell(value: Any) -> str:
    """A cell as text: dates and times as ISO text, numbers without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.time() == time(0) and value.tzinfo is None:
        return value.date().isoformat()  # a date cell
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _records(path: Path, rows: Iterator[list[Any]]) -> Iterator[RawRecord]:
    """Each row after the header as {column: text}, numbered as the spreadsheet numbers rows
    (the header is row 1); empty rows are passed over."""
    header = [_cell(c).lower() for c in next(rows, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInputError(f"{path}: row 1 has no column {', '.join(missing)}")
    for number, row in enumerate(rows, start=2):
        values = {name: _cell(v) for name, v in zip(header, row, strict=False) if name}
        if any(values.values()):
            yield RawRecord(path, number, json.dumps(values, ensure_ascii=False))


def read_sheet(path: Path) -> Iterator[RawRecord]:
    """The rows of a .csv (UTF-8, with or without a byte-order mark) or .xlsx (its first
    sheet) file."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            yield from _records(path, (list(r) for r in sheet.iter_rows(values_only=True)))
        finally:
            book.close()
        return
    if path.suffix.lower() != ".csv":
        raise InvalidInputError(f"{path}: a case spreadsheet is a .csv or .xlsx file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from _records(path, iter(csv.reader(handle)))


def case_id(values: dict[str, str]) -> str:
    """The row's `id`, or one made from its target, district and programme (the same row
    always gets the same id)."""
    if values.get("id"):
        return values["id"]
    key = "|".join(values[c].upper() for c in REQUIRED)
    return "case-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def parse_row(values: dict[str, str], *, importer: str, at: datetime) -> Case:
    """The case a row describes; RecordError naming the column for anything unusable."""
    for column in REQUIRED:
        if not values.get(column):
            raise RecordError(f"{column}: empty")
    text = {k: v for k, v in values.items() if v}
    target = text["target_id"].removeprefix(OPENALEX)
    stage = text.get("stage", "IDENTIFIED").upper()
    if stage == CaseStage.DROPPED and not text.get("drop_reason"):
        raise RecordError("drop_reason: a DROPPED case needs a reason")
    if stage == CaseStage.LANDED and not text.get("landed_at"):
        raise RecordError("landed_at: a LANDED case needs the date it landed")
    enums = ("target_kind", "programme", "tier", "priority")
    fields: dict[str, Any] = {
        **{k: text[k] for k in Case.model_fields if k in text},
        **{k: text[k].upper() for k in enums if k in text},
        "id": case_id(values),
        "target_id": target,
        "stage": stage,
        "owner": text.get("owner", importer),
        "links": tuple(text.get("links", "").split()),
        "created_at": text.get("created_at", at.isoformat()),
        "updated_at": at.isoformat(),
        "version": 1,
        "owner_key": None,
    }
    if stage != CaseStage.LANDED:
        fields.pop("landed_at", None)
    try:
        return Case.model_validate(fields)
    except ValidationError as e:
        first = e.errors()[0]
        where = str(first["loc"][0]) if first["loc"] else "row"
        raise RecordError(f"{where}: {first['msg']} ({values.get(where, '')!r})") from e


@dataclass
class ImportCounts:
    """What the import wrote: cases new to the graph, and cases already there (left as
    they are)."""

    created: int = 0
    existing: int = 0
    seen: dict[str, int] = field(default_factory=dict)  # case id -> its first row


def cases_source(
    writer: Writer, *, importer: str, at: datetime | None = None
) -> tuple[Source[tuple[Case, str]], ImportCounts]:
    """The import as a job source (ingest/jobs.py), and the counts it keeps as it writes.
    Each row's target and district are looked up as it is parsed, so an unknown one is
    quarantined with its row."""
    when = at or datetime.now(UTC)
    counts = ImportCounts()
    cache: dict[tuple[TargetKind | None, str], bool] = {}

    def known(kind: TargetKind | None, key: str) -> bool:
        if (kind, key) not in cache:
            cache[(kind, key)] = key in writer(known_ids, kind, [key])
        return cache[(kind, key)]

    def parse(raw: RawRecord) -> tuple[Case, str]:
        case = parse_row(json.loads(raw.text), importer=importer, at=when)
        if not known(case.target_kind, case.target_id):
            raise RecordError(
                f"target_id: no {case.target_kind.lower()} has the id {case.target_id!r}"
            )
        if not known(None, case.district):
            raise RecordError(f"district: no district has the id {case.district!r}")
        first = counts.seen.setdefault(case.id, raw.position)
        if first != raw.position:
            raise RecordError(f"id: row {first} has the same case ({case.id})")
        return case, f"{raw.path.name} row {raw.position}"

    def write(w: Writer, batch: list[tuple[Case, str]]) -> None:
        created = w(import_cases, batch, importer, when)
        counts.created += created
        counts.existing += len(batch) - created

    return Source(name="cases", read=read_sheet, parse=parse, write=write), counts
