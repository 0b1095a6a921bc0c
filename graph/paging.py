"""One page of a ranked list, read in the same query as the list's size.

SKIP/LIMIT cannot take per-row values, so a batch of pages (one per owner, each with its own
window) is read as each owner's ordered list, sliced in Cypher: `PAGE_SLICE` turns the list
`items` into `total` and the `page` that `PageKey` asks for. The lists read this way are an
entity's ties (a person's co-authors, an institution's people), thousands at most.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

PAGE_SLICE = (
    "page.id AS id, page.offset AS offset, page.limit AS limit, size(items) AS total, "
    "items[page.offset..page.offset + page.limit] AS page"
)


@dataclass(frozen=True)
class PageKey:
    """One page of a list that belongs to `id`: `limit` items after the first `offset`."""

    id: str
    offset: int
    limit: int


@dataclass(frozen=True)
class Page(Generic[T]):
    """`items` of a list of `total`, from the `PageKey`'s offset on."""

    total: int
    items: tuple[T, ...]


def page_params(pages: Sequence[PageKey]) -> list[dict[str, Any]]:
    return [{"id": p.id, "offset": p.offset, "limit": p.limit} for p in pages]


def pages_in_order(
    pages: Sequence[PageKey],
    rows: list[dict[str, Any]],
    item: Callable[[dict[str, Any]], T | None],
) -> list[Page[T]]:
    """The rows of a `PAGE_SLICE` query as one `Page` per key, in key order; `item` turns a
    row of the list into its value (None drops it)."""
    by_key = {PageKey(r["id"], r["offset"], r["limit"]): r for r in rows}
    result: list[Page[T]] = []
    for key in pages:
        row = by_key.get(key)
        if row is None:
            result.append(Page(0, ()))
            continue
        values = (item(entry) for entry in row["page"] or [])
        result.append(Page(int(row["total"]), tuple(v for v in values if v is not None)))
    return result
