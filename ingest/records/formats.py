"""The names-only record formats `talentmap ingest records --format` reads, and their files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ingest.errors import InvalidInputError
from ingest.jobs import Source
from ingest.records import csmetrics, ris, tabular, wos
from ingest.records.model import PaperRecord

# format -> (the Source over a write function, the file suffix a folder is walked for)
FORMATS: dict[str, tuple[Callable[[Any], Source[PaperRecord]], str]] = {
    csmetrics.FORMAT: (csmetrics.source, ".json"),
    ris.FORMAT: (ris.source, ".ris"),
    wos.FORMAT: (wos.source, ".txt"),
    "csv": (tabular.csv_source, ".csv"),
    "jsonl": (tabular.jsonl_source, ".jsonl"),
}
# The formats whose columns `--map` names.
MAPPED = {"csv": tabular.csv_source, "jsonl": tabular.jsonl_source}


def records_source(format_name: str, write: Any, column_map: str | None) -> Source[PaperRecord]:
    """The job of `format_name` writing through `write`; `column_map` (`--map`) only for the
    mapped formats (csv, jsonl)."""
    if format_name in MAPPED:
        return MAPPED[format_name](write, tabular.column_map(column_map))
    if column_map:
        raise InvalidInputError(f"--map is for the csv and jsonl formats, not {format_name}")
    return FORMATS[format_name][0](write)


def record_files(paths: Iterable[Path], format_name: str) -> list[Path]:
    """The files to read: each file given, and a folder's files of the format (sorted, so a
    folder is always read in the same order)."""
    if format_name not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise InvalidInputError(f"unknown records format {format_name!r} (known: {known})")
    suffix = FORMATS[format_name][1]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob(f"*{suffix}") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidInputError(f"{path}: no such file or folder")
    return files
