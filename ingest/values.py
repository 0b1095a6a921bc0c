"""Reading values out of published JSON records, which drift between versions: each helper
returns the value in the shape we store, or None (or empty) when the record has none."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from schema.ids import InvalidIdError, ror_id


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def strings(value: Any) -> tuple[str, ...]:
    """The non-blank strings of a list, stripped, without repeats."""
    items = value if isinstance(value, list) else []
    return tuple(dict.fromkeys(s.strip() for s in items if isinstance(s, str) and s.strip()))


def text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def ror(value: Any) -> str | None:
    """The ROR id, repairing the doubled prefix some records carry
    ("https://ror.org/https://ror.org/01ppj9r51"); None when there is no usable one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return ror_id(value.rsplit("/", 1)[-1])
    except InvalidIdError:
        return None


def timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def day(value: Any) -> date | None:
    """The date of an ISO date or timestamp string."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def short_error(error: Exception) -> str:
    """A validation error as one line: `field: message; ...`."""
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
        )
    return str(error)


def count(*values: Any) -> int | None:
    """The first value that is a count (a non-negative integer)."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None


def number(value: Any) -> float | None:
    """A finite, non-negative number (an int becomes a float), or None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) and number >= 0:
            return number
    return None
