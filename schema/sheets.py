"""Spreadsheets people open: rows as CSV text and as XLSX workbooks (openpyxl). No I/O: the
caller writes the text (as UTF-8 with a byte-order mark, so spreadsheets read the Chinese)
or the bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def to_csv(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    headers: Sequence[str] | None = None,
) -> str:
    """A header row (`headers`, or `columns` themselves), then each row's values in the order
    of `columns` (None as empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns if headers is None else headers)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    return out.getvalue()


def to_xlsx(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    sheet: str,
    title: str | None = None,
    headers: Sequence[str] | None = None,
) -> bytes:
    """A workbook of one sheet named `sheet`: the `title` row when given, the header row
    (`headers`, or `columns` themselves), then the rows."""
    from openpyxl import Workbook  # only the exports need it

    book = Workbook()
    page = book.active
    assert page is not None  # a new workbook has its sheet
    page.title = sheet
    if title is not None:
        page.append([title])
    page.append(list(columns if headers is None else headers))
    for row in rows:
        page.append([row.get(c) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
