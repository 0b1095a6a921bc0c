"""Relay-style cursor connections: `edges { node cursor }`, `pageInfo`, `totalCount`."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import strawberry

from api.errors import UserInputError
from graph.paging import Page, PageKey

if TYPE_CHECKING:  # api.context imports api.limits, which imports this module
    from api.context import Batch, Info

T = TypeVar("T")
C = TypeVar("C")  # a connection type
E = TypeVar("E")  # an edge type
R = TypeVar("R")  # a row of a page, made into an edge

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Fields whose pages may be larger: the map draws its 500 institutions from one request, not
# five pages in a row that each recompute the ranking.
PAGE_MAXIMUM: dict[str, int] = {"talentMap": 500}
_PREFIX = "offset:"


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    total_count: int
    edges: list[Edge[T]]
    page_info: PageInfo


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        offset = int(text.removeprefix(_PREFIX))
    except (ValueError, binascii.Error, UnicodeDecodeError) as e:
        raise UserInputError(f"invalid cursor {cursor!r}") from e
    if offset < 0:
        raise UserInputError(f"invalid cursor {cursor!r}")
    return offset


def page_window(
    first: int | None,
    after: str | None,
    *,
    default: int = DEFAULT_PAGE_SIZE,
    maximum: int = MAX_PAGE_SIZE,
) -> tuple[int, int]:
    """(offset, limit) for `first` (else `default`, at most `maximum`) items after the cursor
    `after`."""
    limit = default if first is None else first
    if not 0 <= limit <= maximum:
        raise UserInputError(f"first must be between 0 and {maximum}, got {limit}")
    offset = 0 if after is None else decode_cursor(after) + 1
    return offset, limit


def edge_page_info(cursors: list[str], offset: int, total: int) -> PageInfo:
    """The PageInfo of the page with these cursors, from `offset` on in a list of `total`."""
    return PageInfo(
        has_next_page=offset + len(cursors) < total,
        has_previous_page=offset > 0,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


def edge_connection(
    connection: Callable[..., C],
    rows: Sequence[R],
    total: int,
    offset: int,
    edge: Callable[[R, str], E],
    **fields: Any,
) -> C:
    """A connection with its own edge type (edges carrying data): `edge(row, cursor)` makes
    the edge of each row of the page; `fields` are the connection's fields beyond
    totalCount, edges and pageInfo."""
    cursors = [encode_cursor(offset + i) for i in range(len(rows))]
    edges = [edge(row, cursor) for row, cursor in zip(rows, cursors, strict=True)]
    page_info = edge_page_info(cursors, offset, total)
    return connection(total_count=total, edges=edges, page_info=page_info, **fields)


async def owner_connection(
    info: Info,
    batch: Batch[PageKey, Page[R]],
    owner: str,
    first: int | None,
    after: str | None,
    connection: Callable[..., C],
    edge: Callable[[R, str], E],
) -> C:
    """The connection over the page of `owner`'s list (read by `batch`) that `first` and
    `after` ask for."""
    offset, limit = page_window(first, after)
    page = await info.context.loader(batch).load(PageKey(owner, offset, limit))
    return edge_connection(connection, page.items, page.total, offset, edge)


def build_connection(nodes: list[T], total: int, offset: int) -> Connection[T]:
    return edge_connection(
        Connection, nodes, total, offset, lambda node, cursor: Edge(node=node, cursor=cursor)
    )
