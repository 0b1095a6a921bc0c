"""The names-only record formats `talentmap ingest records --format` reads, and their files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ingest.errors import InvalidInputError
from ingest.jobs import Source
from ingest.records import csmetrics
from ingest.records.model import PaperRecord

# format -> (the Source over a write function, the file suffix a folder is walked for)
FORMATS: dict[str, tuple[Callable[[Any], Source[PaperRecord]], str]] = {
    csmetrics.FORMAT: (csmetrics.source, ".json"),
}


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
