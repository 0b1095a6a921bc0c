"""Readers of the formats sources publish, yielding `RawRecord`s for the job runner."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from ingest.errors import RecordError
from ingest.jobs import RawRecord
from schema.ids import InvalidIdError


def open_text(path: Path) -> IO[str]:
    """A text file, gzip-compressed when its name ends in .gz."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def jsonl_records(path: Path) -> Iterator[RawRecord]:
    """Non-blank lines of a `.jsonl` or `.jsonl.gz` file, numbered from 1."""
    with open_text(path) as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield RawRecord(path, number, text)


def json_object(record: RawRecord) -> dict[str, Any]:
    """The record's JSON object, or a RecordError saying why it is not one."""
    try:
        value = json.loads(record.text)
    except json.JSONDecodeError as e:
        raise RecordError(f"not valid JSON ({e.msg} at column {e.colno})") from e
    if not isinstance(value, dict):
        raise RecordError(f"expected a JSON object, found {type(value).__name__}")
    return value


def record_id(record: dict[str, Any], parse: Callable[[str], str]) -> tuple[str, str]:
    """The record's `id` as written and as `parse` reads it, or a RecordError saying why there
    is none."""
    raw_id = record.get("id")
    if not isinstance(raw_id, str):
        raise RecordError("the record has no string 'id'")
    try:
        return raw_id, parse(raw_id)
    except InvalidIdError as e:
        raise RecordError(str(e)) from e


def first_object(path: Path) -> dict[str, Any] | None:
    """The first parsable JSON object of a JSONL file (for detecting what it holds)."""
    for record in jsonl_records(path):
        try:
            return json_object(record)
        except RecordError:
            continue
    return None
