"""Field values as record formats give them: text, years, DOIs, counts, name lists."""

from __future__ import annotations

import re
from typing import Any

from ingest.errors import RecordError
from schema.ids import InvalidIdError, OpenAlexKind, openalex_id


def text(value: Any) -> str | None:
    """Stripped text without a final full stop; None for anything else or nothing."""
    return value.strip().rstrip(".") or None if isinstance(value, str) else None


def year_of(value: Any) -> int | None:
    """A publication year from an int or text ("2023", "2023///", "2023-05-01")."""
    if isinstance(value, str):
        found = re.match(r"\s*(\d{4})", value)
        value = int(found.group(1)) if found else None
    return value if isinstance(value, int) and 1000 <= value <= 2100 else None


def count(value: Any) -> int | None:
    """A non-negative count from a number or digits."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return int(value)
    return None


def doi(value: Any) -> str | None:
    """A DOI in lower case without its URL or `doi:` prefix; None when it is not one."""
    if not isinstance(value, str):
        return None
    found = value.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        found = found.removeprefix(prefix)
    return found.strip() if found.startswith("10.") and "/" in found else None


def names(value: Any, separator: str | None = None) -> tuple[str, ...]:
    """Non-empty stripped names from a list, or from text split on `separator`."""
    if isinstance(value, str) and separator is not None:
        value = value.split(separator)
    if not isinstance(value, list | tuple):
        return ()
    return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())


def work_id(value: Any) -> str | None:
    """An OpenAlex work id (W…) from its short or URL form; RecordError when it is malformed."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return openalex_id(value.strip(), OpenAlexKind.WORK)
    except InvalidIdError as e:
        raise RecordError(str(e)) from e
