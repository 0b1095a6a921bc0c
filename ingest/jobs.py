"""The one way every ingest job runs: read raw records, parse, quarantine what cannot be used,
write in batches, checkpoint, record the run.

A `Source` says how to read, parse and write one kind of input; `run_job` does the rest:

- **Quarantine and go on**: a record that cannot be parsed is written, with file, position,
  reason and raw text, to a JSONL file under the quarantine folder; the job continues and the
  report counts it. With `strict`, every record is parsed first and nothing is written if any
  is unusable.
- **Batches**: one idempotent transaction per batch (the source's `write`), so a retry or a
  re-run converges to the same graph.
- **Write-behind**: a batch is written on a worker thread while the next one is parsed; one
  batch at most is in flight and batches commit in order.
- **Resumable**: after each batch the run's checkpoint (file and position) is stored on its
  `IngestRun` node. A run of the same inputs (same paths, sizes and modification times) after
  an interrupted one skips what the interrupted run had committed; redoing the last batch is
  harmless because writes are idempotent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Generic, TypeVar

from graph.unit_of_work import Writer
from graph.write import ingest_run
from ingest.errors import InvalidInputError, RecordError

R = TypeVar("R")


@dataclass(frozen=True)
class RawRecord:
    """One record as read: where it is (1-based line, or item number in a JSON array) and its
    raw text, kept verbatim for the quarantine."""

    path: Path
    position: int
    text: str


@dataclass(frozen=True)
class Source(Generic[R]):
    name: str
    read: Callable[[Path], Iterator[RawRecord]]
    parse: Callable[[RawRecord], R]
    write: Callable[[Writer, list[R]], None]
    # False for inputs that are read and checked but have no place in the graph model.
    stores: bool = True


@dataclass(frozen=True)
class Problem:
    path: Path
    position: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.position}: {self.message}"


@dataclass
class JobReport:
    source: str
    files: list[Path]
    run_id: str = ""
    read: int = 0
    written: int = 0
    skipped: int = 0  # committed by an interrupted earlier run, not redone
    problems: list[Problem] = field(default_factory=list)
    quarantine_file: Path | None = None
    resumed_from: str | None = None
    checkpoint: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def quarantined(self) -> int:
        return len(self.problems)


class Quarantine:
    """Unusable records, kept verbatim with the reason, opened on the first one."""

    def __init__(self, folder: Path, source: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = folder / f"{source}-{stamp}.jsonl"
        self._handle: IO[str] | None = None

    def add(self, record: RawRecord, reason: str) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8")
        entry = {
            "file": str(record.path),
            "line": record.position,
            "error": reason,
            "raw": record.text.rstrip("\n"),
        }
        self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> Path | None:
        if self._handle is None:
            return None
        self._handle.close()
        return self.path


def fingerprint(paths: Sequence[Path]) -> str:
    """Identifies an input set: the same files, unchanged, give the same fingerprint."""
    parts = []
    for path in paths:
        stat = path.stat()
        parts.append(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}")
    return "\n".join(parts)


def run_job(
    writer: Writer,
    source: Source[R],
    paths: Sequence[Path],
    *,
    quarantine_dir: Path,
    batch_size: int,
    strict: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> JobReport:
    """Run one job over `paths`; raises InvalidInputError for a missing file, or (strict) for
    any unusable record, before anything is written."""
    for path in paths:
        if not path.is_file():
            raise InvalidInputError(f"{path}: no such file")
    started = time.monotonic()
    report = JobReport(source=source.name, files=list(paths))
    quarantine = Quarantine(quarantine_dir, source.name)
    if strict:
        _check_all(source, paths, report, quarantine)
    inputs = fingerprint(paths)
    resumed = writer(ingest_run.find_interrupted, source.name, inputs)
    if resumed is not None:
        report.resumed_from = resumed.run_id
        report.checkpoint = dict(resumed.checkpoint)
    report.run_id = writer(
        ingest_run.start_run, source.name, [str(p) for p in paths], inputs, resumed
    )
    behind = _WriteBehind()
    try:
        # A batch runs on across files (many small files, such as one per venue and year,
        # would otherwise each be a batch of a few records); `marks` holds how far each file
        # the batch reaches into is read, its checkpoints once the batch commits.
        batch: list[R] = []
        marks: dict[str, int] = {}
        for path in paths:
            done_up_to = report.checkpoint.get(str(path), 0)
            for raw in _read(source, path):
                if raw.position <= done_up_to:
                    report.skipped += 1
                    continue
                report.read += 1
                try:
                    batch.append(source.parse(raw))
                except RecordError as e:
                    report.problems.append(Problem(raw.path, raw.position, str(e)))
                    quarantine.add(raw, str(e))
                marks[str(path)] = raw.position
                if len(batch) >= batch_size:
                    behind.submit(_commit, writer, source, batch, report, marks, on_progress)
                    batch, marks = [], {}
        if batch or marks:
            behind.submit(_commit, writer, source, batch, report, marks, on_progress)
        behind.wait()
    finally:
        behind.close()
        report.quarantine_file = quarantine.close()
    report.seconds = time.monotonic() - started
    writer(
        ingest_run.finish_run,
        report.run_id,
        read=report.read,
        written=report.written,
        quarantined=report.quarantined,
        seconds=report.seconds,
    )
    return report


def _read(source: Source[R], path: Path) -> Iterator[RawRecord]:
    try:
        yield from source.read(path)
    except (OSError, UnicodeDecodeError, EOFError) as e:
        raise InvalidInputError(f"{path}: cannot be read ({e})") from e


def _commit(
    writer: Writer,
    source: Source[R],
    batch: list[R],
    report: JobReport,
    marks: dict[str, int],
    on_progress: Callable[[int], None] | None,
) -> None:
    if batch:
        source.write(writer, batch)
        report.written += len(batch)
    report.checkpoint.update(marks)
    writer(ingest_run.checkpoint, report.run_id, report.checkpoint)
    if on_progress is not None:
        on_progress(report.read)


class _WriteBehind:
    """Writes one batch on a worker thread while the next is read and parsed (the database
    works while Python parses). At most one batch is in flight and batches commit in order, so
    a checkpoint still means everything before it is committed; a failed write is raised at
    the next submit or wait."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write")
        self._pending: Future[None] | None = None

    def submit(self, fn: Callable[..., None], *args: object) -> None:
        self.wait()
        self._pending = self._pool.submit(fn, *args)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Let a write in flight finish (what it commits stays consistent), then stop."""
        self._pool.shutdown(wait=True)


def _check_all(
    source: Source[R], paths: Sequence[Path], report: JobReport, quarantine: Quarantine
) -> None:
    problems: list[Problem] = []
    for path in paths:
        for raw in _read(source, path):
            try:
                source.parse(raw)
            except RecordError as e:
                problems.append(Problem(raw.path, raw.position, str(e)))
                quarantine.add(raw, str(e))
    if problems:
        report.problems = problems
        where = quarantine.close()
        listed = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise InvalidInputError(
            f"{len(problems)} unusable record(s); nothing was written (--strict); "
            f"quarantined in {where}:\n{listed}{more}"
        )
