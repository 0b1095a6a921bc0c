"""A paper as a names-only record holds it, whatever the format."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

RECORDS_SOURCE = "records"


def records_source(format_name: str) -> str:
    """The `source` of every fact a records format states: `records:<format>`."""
    return f"{RECORDS_SOURCE}:{format_name}"


@dataclass(frozen=True)
class InstitutionName:
    """An institution as the record names it, with how many of the paper's authors list it
    (None when the format does not say)."""

    name: str
    authors: int | None = None


@dataclass(frozen=True)
class PaperRecord:
    """One paper of a names-only record file.

    `key` is the Work's id: the OpenAlex work id when the record gives one (so the record and
    the OpenAlex work are one node), else `doi:<doi>`, else `rec-` and a hash of title, year
    and authors (stable: the same record always has the same key).
    """

    key: str
    format: str
    file: str  # the file's name, as the record's provenance
    position: int
    title: str | None
    year: int | None
    doi: str | None
    openalex_id: str | None
    cited_by_count: int
    authors: tuple[str, ...]
    institutions: tuple[InstitutionName, ...]
    venue: str | None = None

    @property
    def source(self) -> str:
        return records_source(self.format)


def record_key(
    openalex_id: str | None,
    doi: str | None,
    title: str | None,
    year: int | None,
    authors: tuple[str, ...],
) -> str:
    if openalex_id:
        return openalex_id
    if doi:
        return f"doi:{doi}"
    payload = "\n".join([(title or "").strip().lower(), str(year or ""), *authors])
    return "rec-" + hashlib.sha256(payload.encode()).hexdigest()[:16]
