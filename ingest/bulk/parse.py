"""The parse stage of the bulk load: every record through the incremental path's own mapping
(`ingest.openalex.works.parse_line`, so the values, the digests and what is quarantined are
the same), on every core, into staging CSV files one chunk of records at a time.

The staging files are CSV with every string quoted and None as an empty field (Python's
QUOTE_NONNUMERIC), so DuckDB tells an empty string from no value."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

from graph.newest import DIGEST
from graph.write.work import node_rows
from ingest.bulk import tables as t
from ingest.bulk.columns import row
from ingest.errors import RecordError
from ingest.jobs import RawRecord
from ingest.openalex.works import WorkRecord, parse_line
from ingest.readers import jsonl_records
from schema.labels import Label

CHUNK = 4000  # records per task


@dataclass
class ChunkResult:
    records: int = 0
    works: int = 0
    authorships: int = 0
    problems: list[tuple[RawRecord, str]] = field(default_factory=list)


def _field(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


class _Staging:
    """One chunk's staging files, one per table, opened on first use."""

    def __init__(self, folder: Path, chunk: int) -> None:
        self.folder, self.chunk = folder, chunk
        self.handles: dict[str, IO[str]] = {}

    def add(self, table: str, values: Sequence[object]) -> None:
        handle = self.handles.get(table)
        if handle is None:
            (self.folder / table).mkdir(parents=True, exist_ok=True)
            handle = (self.folder / table / f"{self.chunk:06d}.csv").open(
                "w", encoding="utf-8", newline=""
            )
            self.handles[table] = handle
        handle.write(",".join(_field(v) for v in values) + "\n")

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def seq_of(file_index: int, position: int) -> int:
    return (file_index << 32) | position


class _Views:
    """The node views of one chunk, one per id: the one the graph keeps among them (the
    newest, ties the later, or the first; see tables.py), so each chunk stages each node once
    and the select stage has fewer rows to rank."""

    def __init__(self) -> None:
        self.kept: dict[str, dict[str, tuple[tuple[str, int], dict[str, Any]]]] = {}

    def add(self, seq: int, table: t.NodeTable, nodes: Sequence[Any]) -> None:
        kept = self.kept.setdefault(table.name, {})
        for node in nodes:
            if table.rule == t.FIRST and node.id in kept:
                continue
            node_row = node_rows([node], partial=True)[0]
            values = {"id": node_row["id"], **node_row["props"]}
            order = (values.get("updated_at") or "", seq) if table.rule == t.NEWEST else ("", seq)
            seen = kept.get(node_row["id"])
            if seen is None or (table.rule == t.NEWEST and order >= seen[0]):
                kept[node_row["id"]] = (order, values)

    def stage(self, stage: _Staging) -> None:
        for table in t.NODE_TABLES:
            for (stamp, seq), values in self.kept.get(table.name, {}).values():
                helpers: list[object] = [seq, stamp] if table.rule == t.NEWEST else [seq]
                stage.add(table.name, [*helpers, *row(values, table.columns)])


def stage_record(stage: _Staging, views: _Views, seq: int, record: WorkRecord) -> None:
    """The rows of one parsed work, as graph/write/work.py would write them; all or none (a
    value the files cannot hold raises RecordError before anything is staged)."""
    work_row = node_rows([record.work], partial=False)[0]
    work = {"id": work_row["id"], **work_row["props"], DIGEST: record.digest or None}
    rows: list[tuple[str, list[object]]] = [(t.WORKS.name, [seq, *row(work, t.WORKS.columns)])]
    by_institution: dict[str, int] = {}
    for authorship in record.authorships:
        values = authorship.model_dump(mode="json")
        rows.append((t.AUTHORED.name, [seq, *row(values, t.AUTHORED.columns)]))
        for iid in authorship.institution_ids:
            by_institution[iid] = by_institution.get(iid, 0) + 1
    for iid, authors in by_institution.items():
        rows.append((t.BY_INSTITUTION.name, [seq, record.work.id, iid, str(authors)]))
    for link in record.topics:
        values = {"work_id": record.work.id, **link.model_dump()}
        rows.append((t.ABOUT.name, [seq, *row(values, t.ABOUT.columns)]))
    for fund in record.funding:
        values = {"work_id": record.work.id, "funder_id": fund.funder_id}
        values["award_ids"] = list(fund.award_ids)
        rows.append((t.FUNDED_BY.name, [seq, *row(values, t.FUNDED_BY.columns)]))
    if record.source is not None:
        rows.append((t.PUBLISHED_IN.name, [seq, record.work.id, record.source.id]))
    rows += [(t.CITES.name, [seq, record.work.id, cited]) for cited in work["referenced_works"]]
    for table, fields in rows:
        stage.add(table, fields)
    views.add(seq, t.SCIENTISTS, record.scientists)
    views.add(seq, t.INSTITUTIONS, record.institutions)
    for node in record.taxonomy:
        views.add(seq, t.TAXONOMY[Label(type(node).__name__)], [node])
    views.add(seq, t.SOURCES, [record.source] if record.source is not None else [])
    views.add(seq, t.FUNDERS, record.funders)


def parse_chunk(folder: Path, chunk: int, records: list[tuple[int, RawRecord]]) -> ChunkResult:
    """Parse one chunk of (file number, record) into its staging files."""
    result = ChunkResult(records=len(records))
    stage = _Staging(folder, chunk)
    views = _Views()
    try:
        for file_index, raw in records:
            try:
                parsed = parse_line(raw)
                stage_record(stage, views, seq_of(file_index, raw.position), parsed)
            except RecordError as e:
                result.problems.append((raw, str(e)))
                continue
            result.works += 1
            result.authorships += len(parsed.authorships)
        views.stage(stage)
    finally:
        stage.close()
    return result


def _chunks(paths: Sequence[Path]) -> Iterator[list[tuple[int, RawRecord]]]:
    records = ((i, raw) for i, path in enumerate(paths) for raw in jsonl_records(path))
    while chunk := list(islice(records, CHUNK)):
        yield chunk


def parse_all(
    paths: Sequence[Path], folder: Path, workers: int | None = None
) -> Iterator[ChunkResult]:
    """Parse every record of `paths` into staging files under `folder`, on `workers` processes
    (default: every core); the chunks' results in input order."""
    workers = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending = []
        for number, chunk in enumerate(_chunks(paths)):
            pending.append(pool.submit(parse_chunk, folder, number, chunk))
            # A bounded queue: the reader stays at most two chunks per worker ahead.
            while len(pending) > 2 * workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()
