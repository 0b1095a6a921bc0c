"""OpenAlex entity files: which entity a file holds, and the job source for each entity.

`talentmap ingest openalex` detects the entity from the first record's id
(`https://openalex.org/W…` is a work) unless `--entity` says it. Every OpenAlex entity has a
source; publishers and concepts are only read and checked (`NOT_MODELLED`: the graph model has
no node for them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.unit_of_work import Writer
from graph.write.work import recorded_works, write_works_batch
from ingest.errors import InvalidInputError
from ingest.jobs import Source
from ingest.openalex.authors import OPENALEX_AUTHORS
from ingest.openalex.catalog import (
    NOT_MODELLED,
    OPENALEX_FUNDERS,
    OPENALEX_SOURCES,
    OPENALEX_TAXONOMY_LEVELS,
    OPENALEX_TOPICS,
)
from ingest.openalex.institutions import OPENALEX_INSTITUTIONS
from ingest.openalex.works import WorkRecord, parse_line
from ingest.readers import first_object, jsonl_records
from schema.base import DomainModel

ENTITY_BY_PREFIX = {
    "W": "works",
    "A": "authors",
    "I": "institutions",
    "T": "topics",
    "S": "sources",
    "F": "funders",
    "P": "publishers",
    "C": "concepts",
}


def detect_entity(path: Path) -> str:
    """The OpenAlex entity a JSONL file holds, from its first record's id."""
    record = first_object(path)
    raw_id = record.get("id") if record else None
    if not isinstance(raw_id, str):
        raise InvalidInputError(f"{path}: no OpenAlex record with an id; pass --entity")
    tail = raw_id.rstrip("/").rsplit("/", 2)
    if len(tail) == 3 and tail[1] in ("domains", "fields", "subfields"):
        return tail[1]
    prefix = tail[-1][:1].upper()
    if prefix not in ENTITY_BY_PREFIX:
        raise InvalidInputError(f"{path}: cannot tell the entity of id {raw_id!r}; pass --entity")
    return ENTITY_BY_PREFIX[prefix]


def _newest(nodes: list[DomainModel]) -> list[DomainModel]:
    """One per id: the newest view (ties: the later one), the same rule the graph applies
    across batches, so batch boundaries never change the result."""
    newest: dict[str, DomainModel] = {}
    for node in nodes:
        key = _key(node)
        kept = newest.get(key)
        if kept is None or _stamp(node) >= _stamp(kept):
            newest[key] = node
    return list(newest.values())


def _first(nodes: list[DomainModel]) -> list[DomainModel]:
    """One per id: the first seen (for nodes a work only creates when missing)."""
    first: dict[str, DomainModel] = {}
    for node in nodes:
        first.setdefault(_key(node), node)
    return list(first.values())


def _key(node: DomainModel) -> str:
    return str(getattr(node, "id"))  # noqa: B009 - every node model has an id; DomainModel does not declare it


def _stamp(node: DomainModel) -> str:
    return node.updated_at.isoformat() if node.updated_at else ""


def write_works(writer: Writer, batch: list[WorkRecord]) -> None:
    # A work listed twice in one batch: the later record wins, as it would across batches.
    records = list({r.work.id: r for r in batch}.values())
    # A record stored exactly as it is (same text, same mapping code) has nothing to change.
    stored = writer(recorded_works, [r.work.id for r in records])
    records = [r for r in records if not r.digest or stored.get(r.work.id) != r.digest]
    if not records:
        return
    writer(
        write_works_batch,
        works=[r.work for r in records],
        authorships=[a for r in records for a in r.authorships],
        scientists=_newest([s for r in records for s in r.scientists]),
        institutions=_newest([i for r in records for i in r.institutions]),
        taxonomy=_first([t for r in records for t in r.taxonomy]),
        sources=_first([r.source for r in records if r.source is not None]),
        funders=_first([f for r in records for f in r.funders]),
        topics=[(r.work.id, t) for r in records for t in r.topics],
        published_in=[(r.work.id, r.source.id) for r in records if r.source is not None],
        funding=[(r.work.id, f) for r in records for f in r.funding],
        digests={r.work.id: r.digest for r in records},
        recorded=[r.work.id for r in records if r.work.id in stored],
    )


WORKS = Source(name="openalex-works", read=jsonl_records, parse=parse_line, write=write_works)

SOURCES: dict[str, Source[Any]] = {
    "works": WORKS,
    "authors": OPENALEX_AUTHORS,
    "institutions": OPENALEX_INSTITUTIONS,
    "sources": OPENALEX_SOURCES,
    "funders": OPENALEX_FUNDERS,
    "topics": OPENALEX_TOPICS,
    **OPENALEX_TAXONOMY_LEVELS,  # domains, fields, subfields
    **NOT_MODELLED,  # publishers, concepts: read and checked, nothing stored
}
