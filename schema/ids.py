"""Identifier formats: OpenAlex, ORCID and ROR, in the short and URL forms users paste.

Every parser returns the canonical short form or raises `InvalidIdError` naming the value.
"""

from __future__ import annotations

import re
from enum import StrEnum


class InvalidIdError(ValueError):
    """A value that is not an identifier of the expected kind."""


class OpenAlexKind(StrEnum):
    WORK = "W"
    AUTHOR = "A"
    INSTITUTION = "I"
    SOURCE = "S"
    TOPIC = "T"
    CONCEPT = "C"
    FUNDER = "F"
    PUBLISHER = "P"


_OPENALEX = re.compile(
    r"^(?:https?://(?:api\.)?openalex\.org/(?:(works|authors|institutions|sources|topics"
    r"|concepts|funders|publishers)/)?)?([WAISTCFP])(\d{1,12})$",
    re.IGNORECASE,
)
# The entity path of an API URL (`/authors/A…`) must agree with the id's letter.
_OPENALEX_PATHS = {
    "works": "W",
    "authors": "A",
    "institutions": "I",
    "sources": "S",
    "topics": "T",
    "concepts": "C",
    "funders": "F",
    "publishers": "P",
}
_TAXONOMY = re.compile(
    r"^(?:https?://openalex\.org/)?(domains|fields|subfields)/(\d{1,6})$", re.IGNORECASE
)
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", re.IGNORECASE)
_ROR = re.compile(r"^(?:https?://ror\.org/)?(0[a-hj-km-np-tv-z0-9]{6}\d{2})$", re.IGNORECASE)


# A lower-case, hyphen-separated name part: industry, segment and region ids are built of them.
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"


def matching(pattern: re.Pattern[str], value: str, expected: str) -> str:
    """`value`, stripped, if it matches `pattern` whole; else an error saying what was expected."""
    text = value.strip()
    if not pattern.fullmatch(text):
        raise InvalidIdError(f"{value!r} is not {expected}")
    return text


def openalex_id(value: str, kind: OpenAlexKind | None = None) -> str:
    """`W2741809807` from `W2741809807` or `https://openalex.org/W2741809807`."""
    match = _OPENALEX.match(value.strip())
    if not match:
        expected = f"{kind.value}<digits>" if kind else "a letter and digits"
        raise InvalidIdError(
            f"{value!r} is not an OpenAlex id (expected {expected}, "
            "optionally as https://openalex.org/...)"
        )
    path, prefix, digits = match.group(1), match.group(2).upper(), match.group(3)
    if path is not None and _OPENALEX_PATHS[path.lower()] != prefix:
        raise InvalidIdError(
            f"{value!r} is not an OpenAlex id: /{path.lower()}/ does not hold "
            f"{OpenAlexKind(prefix).name.lower()} ids ({prefix}<digits>)"
        )
    if kind is not None and prefix != kind.value:
        raise InvalidIdError(
            f"{value!r} is an OpenAlex {OpenAlexKind(prefix).name.lower()} id, "
            f"not a {kind.name.lower()} id ({kind.value}<digits>)"
        )
    return prefix + digits


def taxonomy_id(value: str) -> str:
    """`subfields/1702` from `https://openalex.org/subfields/1702` (domains, fields, too)."""
    match = _TAXONOMY.match(value.strip())
    if not match:
        raise InvalidIdError(f"{value!r} is not an OpenAlex domain, field or subfield id")
    return f"{match.group(1).lower()}/{match.group(2)}"


def orcid(value: str) -> str:
    """`0000-0002-1825-0097` from the bare or URL form; the checksum is verified."""
    match = _ORCID.match(value.strip())
    if not match:
        raise InvalidIdError(f"{value!r} is not an ORCID iD (expected 0000-0000-0000-000X)")
    digits = match.group(1).upper()
    total = 0
    for char in digits.replace("-", "")[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[-1] != expected:
        raise InvalidIdError(f"{value!r} is not a valid ORCID iD (checksum mismatch)")
    return digits


def ror_id(value: str) -> str:
    """`02mhbdp94` from `02mhbdp94` or `https://ror.org/02mhbdp94`."""
    match = _ROR.match(value.strip())
    if not match:
        raise InvalidIdError(
            f"{value!r} is not a ROR id (expected 0 and 8 characters, e.g. 02mhbdp94)"
        )
    return match.group(1).lower()
