"""Finding a node from any identifier a user pastes: our own id, OpenAlex short and URL forms,
ORCID for scientists, ROR short and URL forms for institutions.

`api/ids.py` parses the text into an `IdKey` (which label, which property, which canonical
value); `resolve_ids` looks a batch of keys up in one query per label and returns our own ids
(None where nothing matched), in key order. The identifiers of a scientist a curator merged
into another (a `MergedScientist`, graph.write.identity) find the one it was merged into.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TypeAlias, TypeVar

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


M = TypeVar("M")
Read: TypeAlias = Callable[[Tx, Sequence[str]], Awaitable[Sequence[M | None]]]
Found: TypeAlias = tuple[str | None, M | None]


@cache
def after_lookup(read: Read[M]) -> Callable[[Tx, Sequence[IdKey]], Awaitable[list[Found[M]]]]:
    """`read` (a batch read by our own ids) behind `resolve_ids`, in one unit of work: for
    each key, our id and its model (None where nothing matched). A request that looks an
    entity up by any identifier and reads it then waits for one round of queries, not two.
    One function per `read` (cached), so a request's DataLoader for it is found again."""

    async def lookup_then_read(tx: Tx, keys: Sequence[IdKey]) -> list[Found[M]]:
        ids = await resolve_ids(tx, keys)
        known = sorted({i for i in ids if i is not None})
        models = dict(zip(known, await read(tx, known), strict=True)) if known else {}
        return [(i, None if i is None else models.get(i)) for i in ids]

    lookup_then_read.__name__ = f"{getattr(read, '__name__', 'read')}_after_lookup"
    return lookup_then_read
