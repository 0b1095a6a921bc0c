"""Gold affiliation sets as published, and micro precision / recall / F1 of the matcher.

Formats (detected from the extension, then the header):

- ROR's CSV: `affiliation,ror_id` (UTF-8 with a BOM), `NP` for no match, one row per id:
  rows of the same string are one item.
- ROR's API JSON: `[{"affiliation": ..., "ror_ids": [...]}]`, an empty list for no match.
- S2AFF's CSV: `original_affiliation,original_labels_correct,labels,split`, `labels` a Python
  set literal of ROR URLs (`set()` or empty for none).

Ids are kept in our short form (`02mhbdp94`).
"""

from __future__ import annotations

import ast
import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import InvalidInputError
from ingest.eval.metrics import Counts
from schema.ids import InvalidIdError, ror_id


@dataclass
class GoldItem:
    affiliation: str
    ror_ids: set[str] = field(default_factory=set)
    split: str | None = None  # S2AFF's train/val/test
    line: int = 0


def _id(path: Path, where: str, value: str) -> str:
    try:
        return ror_id(value)
    except InvalidIdError as e:
        raise InvalidInputError(f"{path}, {where}: {e}") from e


def read_gold(path: Path) -> list[GoldItem]:
    """The items of a gold file, one per distinct affiliation string, in file order."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInputError(f"{path}: cannot read ({e})") from e
    if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
        return _read_json(path, text)
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InvalidInputError(f"{path}, line 1: empty file")
    header = [h.strip() for h in rows[0]]
    if header[:2] == ["affiliation", "ror_id"]:
        return _read_ror_csv(path, rows[1:])
    if header[:3] == ["original_affiliation", "original_labels_correct", "labels"]:
        return _read_s2aff(path, rows[1:], header)
    raise InvalidInputError(f"{path}, line 1: unknown gold format (header {header})")


def _read_json(path: Path, text: str) -> list[GoldItem]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInputError(f"{path}, line {e.lineno}: not valid JSON ({e.msg})") from e
    if not isinstance(data, list):
        raise InvalidInputError(f"{path}: expected a JSON array of {{affiliation, ror_ids}}")
    items: dict[str, GoldItem] = {}
    for number, row in enumerate(data, 1):
        if (
            not isinstance(row, dict)
            or not isinstance(row.get("affiliation"), str)
            or not isinstance(row.get("ror_ids"), list)
        ):
            raise InvalidInputError(f"{path}, item {number}: expected {{affiliation, ror_ids}}")
        affiliation = row["affiliation"].strip()
        item = items.setdefault(affiliation, GoldItem(affiliation, line=number))
        item.ror_ids.update(_id(path, f"item {number}", str(x)) for x in row["ror_ids"])
    return list(items.values())


def _read_ror_csv(path: Path, rows: Iterable[list[str]]) -> list[GoldItem]:
    items: dict[str, GoldItem] = {}
    for line, row in enumerate(rows, 2):
        if not row:
            continue
        if len(row) != 2:
            raise InvalidInputError(f"{path}, row {line}: expected 2 columns, got {len(row)}")
        affiliation, value = row[0].strip(), row[1].strip()
        item = items.setdefault(affiliation, GoldItem(affiliation, line=line))
        if value != "NP":  # a few cells hold several ids, separated by semicolons
            item.ror_ids.update(_id(path, f"row {line}", x) for x in value.split(";") if x.strip())
    return list(items.values())


def _read_s2aff(path: Path, rows: Iterable[list[str]], header: list[str]) -> list[GoldItem]:
    items: dict[str, GoldItem] = {}
    for line, row in enumerate(rows, 2):
        if not row:
            continue
        if len(row) != len(header):
            raise InvalidInputError(
                f"{path}, row {line}: expected {len(header)} columns, got {len(row)}"
            )
        values = dict(zip(header, row, strict=True))
        raw = values["labels"].strip()
        try:
            labels = ast.literal_eval(raw) if raw and raw != "set()" else set()
        except (ValueError, SyntaxError) as e:
            raise InvalidInputError(f"{path}, row {line}: labels {raw!r} is not a set") from e
        if not isinstance(labels, set | list | tuple):
            raise InvalidInputError(f"{path}, row {line}: labels {raw!r} is not a set")
        affiliation = values["original_affiliation"].strip()
        item = items.setdefault(
            affiliation, GoldItem(affiliation, split=values.get("split") or None, line=line)
        )
        # S2AFF names a few institutions ROR lacks by name: kept as such (never in a registry)
        item.ror_ids.update(
            _id(path, f"row {line}", str(x)) if "ror.org/" in str(x) else f"name:{x}"
            for x in labels
        )
    return list(items.values())


@dataclass
class Scores:
    counts: Counts
    items: int  # scored
    skipped: int  # gold ids not in the registry
    no_match: int  # scored items with no gold id


def evaluate(
    items: Iterable[GoldItem],
    predict: Callable[[str], Iterable[str]],
    known: Callable[[str], bool],
) -> Scores:
    """Micro counts: a predicted id is a TP when among the item's gold ids, else a FP; each
    gold id not predicted is a FN. Items with a gold id the registry lacks are skipped."""
    counts, scored, skipped, empty = Counts(), 0, 0, 0
    for item in items:
        if not all(known(x) for x in item.ror_ids):
            skipped += 1
            continue
        scored += 1
        empty += not item.ror_ids
        predicted = set(predict(item.affiliation))
        counts.tp += len(predicted & item.ror_ids)
        counts.fp += len(predicted - item.ror_ids)
        counts.fn += len(item.ror_ids - predicted)
    return Scores(counts, scored, skipped, empty)
