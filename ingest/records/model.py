"""A paper as a names-only record holds it, whatever the format."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ingest.jobs import RawRecord

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
    # Where the format says which author is at which institution (WoS C1 `[Author; Author]
    # Institution`): the institution names of each author, aligned with `authors`. None when
    # it does not say (CSMetrics counts, plain RIS AD, a csv without the column): then
    # `resolve.py` infers what the record supports and marks it inferred.
    author_institutions: tuple[tuple[str, ...], ...] | None = None
    abstract: str | None = None

    @property
    def source(self) -> str:
        return records_source(self.format)


def per_author_institutions(
    authors: tuple[str, ...], author_institutions: tuple[tuple[str, ...], ...]
) -> tuple[InstitutionName, ...]:
    """The record's institution names from per-author ones: each once, in first-seen order,
    with how many authors list it."""
    counts: dict[str, int] = {}
    for names in author_institutions[: len(authors)]:
        for name in dict.fromkeys(names):
            counts[name] = counts.get(name, 0) + 1
    return tuple(InstitutionName(name, n) for name, n in counts.items())


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


def paper_record(raw: RawRecord, format_name: str, **fields: Any) -> PaperRecord:
    """The paper a format's reader parsed from `raw`: its key from the fields (`record_key`),
    its provenance (format, file, position) from where it was read."""
    key = record_key(
        fields.get("openalex_id"),
        fields.get("doi"),
        fields.get("title"),
        fields.get("year"),
        fields["authors"],
    )
    return PaperRecord(
        key=key, format=format_name, file=raw.path.name, position=raw.position, **fields
    )
