"""Finding a node from any identifier a user pastes: our own id, OpenAlex short and URL forms,
ORCID for scientists, ROR short and URL forms for institutions.

`api/ids.py` parses the text into an `IdKey` (which label, which property, which canonical
value); `resolve_ids` looks a batch of keys up in one query per label and returns our own ids
(None where nothing matched), in key order. The identifiers of a scientist a curator merged
into another (a `MergedScientist`, graph.write.identity) find the one it was merged into.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from graph.reader import Tx, fetch
from schema.labels import Label


class IdProperty(StrEnum):
    """The node properties an identifier can be matched on (each is indexed)."""

    ID = "id"
    OPENALEX_ID = "openalex_id"
    ORCID = "orcid"
    ROR_ID = "ror_id"


@dataclass(frozen=True)
class IdKey:
    """A parsed identifier: match `value` on any of `properties` of a node with one of `labels`."""

    labels: tuple[Label, ...]
    properties: tuple[IdProperty, ...]
    value: str


def lookup_query(labels: tuple[Label, ...], properties: tuple[IdProperty, ...]) -> str:
    """One lookup per (label, property): each branch is an index seek."""
    branches = [
        f"MATCH (n:{label} {{{prop}: key}}) RETURN n.id AS found"
        for label in labels
        for prop in properties
    ]
    if Label.SCIENTIST in labels:
        branches += [
            f"MATCH (m:{Label.MERGED_SCIENTIST} {{{prop}: key}}) RETURN m.merged_into AS found"
            for prop in properties
        ]
    union = "\n  UNION\n  ".join(branches)
    return (
        "UNWIND $values AS key\n"
        f"CALL (key) {{\n  {union}\n}}\n"
        "WITH key, found ORDER BY found\n"
        "RETURN key, collect(found)[0] AS id"
    )


async def resolve_ids(tx: Tx, keys: Sequence[IdKey]) -> list[str | None]:
    groups: dict[tuple[tuple[Label, ...], tuple[IdProperty, ...]], set[str]] = {}
    for key in keys:
        groups.setdefault((key.labels, key.properties), set()).add(key.value)
    found: dict[tuple[tuple[Label, ...], tuple[IdProperty, ...], str], str | None] = {}
    for (labels, properties), values in groups.items():
        for row in await fetch(tx, lookup_query(labels, properties), values=sorted(values)):
            found[(labels, properties, row["key"])] = row["id"]
    return [found.get((k.labels, k.properties, k.value)) for k in keys]
