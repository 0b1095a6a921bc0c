"""Relay-style cursor connections: `edges { node cursor }`, `pageInfo`, `totalCount`."""

from __future__ import annotations

import base64
import binascii
from typing import Generic, TypeVar

import strawberry

from api.errors import UserInputError

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
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


def build_connection(nodes: list[T], total: int, offset: int) -> Connection[T]:
    edges = [Edge(node=node, cursor=encode_cursor(offset + i)) for i, node in enumerate(nodes)]
    return Connection(
        total_count=total,
        edges=edges,
        page_info=PageInfo(
            has_next_page=offset + len(nodes) < total,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
