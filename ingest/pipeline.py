"""The OpenAlex works job: validate every line, quarantine what cannot be used, then write in
batches.

Validation runs over the whole input before anything is written, so bad input leaves the graph
as it was (unless the caller chose to skip invalid records). Each batch is one idempotent
transaction, so a re-run of the same input converges to the same graph.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar

from graph.repositories.ingest_run import finish_run, start_run
from graph.repositories.work import write_works_batch
from graph.unit_of_work import Writer
from ingest.errors import InvalidInputError, RecordError
from ingest.openalex import Line, WorkRecord, parse_line, read_lines


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class IngestReport:
    files: list[Path] = field(default_factory=list)
    records: int = 0
    written: int = 0
    skipped_authorships: int = 0
    problems: list[Problem] = field(default_factory=list)
    quarantine_file: Path | None = None
    run_id: str | None = None


def validate(paths: Sequence[Path]) -> tuple[int, list[Problem], list[Line]]:
    """Parse every line; return the count of usable records, the problems and the bad lines."""
    usable = 0
    problems: list[Problem] = []
    bad: list[Line] = []
    for path in paths:
        if not path.is_file():
            raise InvalidInputError(f"{path}: no such file")
        try:
            for line in read_lines(path):
                try:
                    parse_line(line)
                except RecordError as e:
                    problems.append(Problem(path, line.number, str(e)))
                    bad.append(line)
                else:
                    usable += 1
        except (OSError, UnicodeDecodeError, EOFError) as e:
            raise InvalidInputError(f"{path}: cannot be read ({e})") from e
    return usable, problems, bad


def quarantine(lines: Sequence[Line], problems: Sequence[Problem], folder: Path) -> Path:
    """Keep unusable lines, verbatim, with the reason, for a person to look at."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"openalex-works-{stamp}.jsonl"
    with target.open("w", encoding="utf-8") as out:
        for line, problem in zip(lines, problems, strict=True):
            entry = {
                "file": str(line.path),
                "line": line.number,
                "error": problem.message,
                "raw": line.text.rstrip("\n"),
            }
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return target


def usable_records(paths: Sequence[Path]) -> Iterator[WorkRecord]:
    for path in paths:
        for line in read_lines(path):
            try:
                yield parse_line(line)
            except RecordError:
                continue  # reported and quarantined by validate()


def batches(records: Iterator[WorkRecord], size: int) -> Iterator[list[WorkRecord]]:
    batch: list[WorkRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest_works(
    writer: Writer,
    paths: Sequence[Path],
    *,
    quarantine_dir: Path,
    batch_size: int,
    skip_invalid: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Load OpenAlex works files. Raises InvalidInputError, with nothing written, when a line
    cannot be used and `skip_invalid` is false; the bad lines are quarantined either way."""
    report = IngestReport(files=list(paths))
    usable, problems, bad = validate(paths)
    report.records = usable
    report.problems = problems
    if problems:
        report.quarantine_file = quarantine(bad, problems, quarantine_dir)
        if not skip_invalid:
            listed = "\n".join(f"  {p}" for p in problems[:20])
            more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
            raise InvalidInputError(
                f"{len(problems)} unusable record(s); nothing was written; "
                f"quarantined in {report.quarantine_file}:\n{listed}{more}"
            )
    run_id = writer(start_run, "openalex", [str(p) for p in paths])
    report.run_id = run_id
    for batch in batches(usable_records(paths), batch_size):
        works = [r.work for r in batch]
        writer(
            write_works_batch,
            works,
            [a for r in batch for a in r.authorships],
            _newest([s for r in batch for s in r.scientists]),
            _newest([i for r in batch for i in r.institutions]),
        )
        report.written += len(batch)
        report.skipped_authorships += sum(r.skipped_authorships for r in batch)
        if on_progress is not None:
            on_progress(report.written, usable)
    writer(finish_run, run_id, report.written, len(problems))
    return report


class _Versioned(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def updated_at(self) -> datetime | None: ...


K = TypeVar("K", bound=_Versioned)


def _newest(items: list[K]) -> list[K]:
    """One per id: the newest view (ties: the later one), the same rule the graph applies
    across batches, so batch boundaries never change the result."""
    newest: dict[str, K] = {}
    for item in items:
        kept = newest.get(item.id)
        if kept is None or _stamp(item) >= _stamp(kept):
            newest[item.id] = item
    return list(newest.values())


def _stamp(item: _Versioned) -> str:
    return item.updated_at.isoformat() if item.updated_at else ""
