"""Push lists as the API and the CLI read them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from graph.nodes import by_ids_query
from graph.reader import Tx, fetch
from schema.labels import Label
from schema.push import PushList

PUSH_PROJECTION = """p {
  .*,
  pushed_at: toString(p.pushed_at),
  as_of: toString(p.as_of)
}"""
PUSH_LISTS_BY_ID = by_ids_query(Label.PUSH_LIST, "p", PUSH_PROJECTION)
DISTRICT_PUSH_LISTS = f"""
MATCH (p:{Label.PUSH_LIST} {{district: $district}})
WITH p ORDER BY p.pushed_at DESC, p.segment, p.version DESC
WITH collect(p) AS found
RETURN size(found) AS total, [p IN found[$offset..$offset + $limit] | {PUSH_PROJECTION}] AS page
"""


def push_list_from_row(row: dict[str, Any]) -> PushList:
    values = {k: v for k, v in row.items() if k in PushList.model_fields and k != "entries"}
    return PushList.model_validate(values | {"entries": json.loads(row.get("entries") or "[]")})


async def push_lists_by_id(tx: Tx, ids: Sequence[str]) -> list[PushList | None]:
    rows = await fetch(tx, PUSH_LISTS_BY_ID, ids=list(ids))
    found = {r["key"]: r["p"] for r in rows}
    return [None if found.get(i) is None else push_list_from_row(found[i]) for i in ids]


async def district_push_lists(
    tx: Tx, district: str, offset: int, limit: int
) -> tuple[int, list[PushList]]:
    """The district's push lists, newest first: (total, the page)."""
    row = (await fetch(tx, DISTRICT_PUSH_LISTS, district=district, offset=offset, limit=limit))[0]
    return int(row["total"]), [push_list_from_row(p) for p in row["page"]]
