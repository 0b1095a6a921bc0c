"""Watchlists and events as the API reads them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from graph.nodes import by_ids_query
from graph.reader import Tx, fetch
from schema.labels import Label, Rel
from schema.watch import Event, Watchlist
from schema.webhook import Delivery

_PROJECTION = f"""l {{
  .*,
  created_at: toString(l.created_at),
  webhook_since: toString(l.webhook_since),
  webhook_secret: null,
  entity_ids: [(l)-[:{Rel.WATCHES}]->(x) | x.id]
}}"""
WATCHLISTS_BY_ID = by_ids_query(Label.WATCHLIST, "l", _PROJECTION)
# The lists a caller sees: their own and the shared ones (every list for an admin).
VISIBLE_WATCHLISTS = f"""
MATCH (l:{Label.WATCHLIST})
WHERE l.shared OR $admin OR l.owner = $name
WITH l ORDER BY l.created_at DESC, l.id
RETURN {_PROJECTION} AS l
"""
# The events of the list's entities since each was put on it (and since `$since`), newest
# first.
WATCHLIST_EVENTS = f"""
MATCH (:{Label.WATCHLIST} {{id: $id}})-[w:{Rel.WATCHES}]->(x)<-[:{Rel.CONCERNS}]-(e:{Label.EVENT})
WHERE e.at >= w.since AND ($since IS NULL OR e.at >= datetime($since))
WITH DISTINCT e ORDER BY e.at DESC, e.id DESC
WITH collect(e) AS found
RETURN size(found) AS total,
       [e IN found[$offset..$offset + $limit] | e {{.*, at: toString(e.at)}}] AS page
"""
# One entity's events since `$since` (all of them without), newest first: what changed about
# it since someone last looked (events are written for watched entities only).
ENTITY_EVENTS = f"""
MATCH (e:{Label.EVENT})-[:{Rel.CONCERNS}]->(x)
WHERE x.id = $id AND (x:{Label.SCIENTIST} OR x:{Label.TEAM} OR x:{Label.INSTITUTION})
  AND ($since IS NULL OR e.at > datetime($since))
WITH DISTINCT e ORDER BY e.at DESC, e.id DESC
WITH collect(e) AS found
RETURN size(found) AS total,
       [e IN found[$offset..$offset + $limit] | e {{.*, at: toString(e.at)}}] AS page
"""
_DELIVERY = "d {.*, at: toString(d.at)}"
# A list's delivery log (graph/write/webhook.py writes it), newest first.
DELIVERIES = f"""
MATCH (:{Label.WATCHLIST} {{id: $id}})-[:{Rel.SENT}]->(d:{Label.WEBHOOK_DELIVERY})
WITH d ORDER BY d.at DESC, d.id DESC
WITH collect(d) AS found
RETURN size(found) AS total, [d IN found[$offset..$offset + $limit] | {_DELIVERY}] AS page
"""


def watchlist_from_row(row: dict[str, Any]) -> Watchlist:
    return Watchlist.model_validate(
        {k: v for k, v in row.items() if k in Watchlist.model_fields}
        | {"entity_ids": tuple(sorted(row.get("entity_ids") or ()))}
    )


def event_from_row(row: dict[str, Any]) -> Event:
    return Event.model_validate(
        {k: v for k, v in row.items() if k in Event.model_fields and k != "facts"}
        | {"facts": json.loads(row.get("facts") or "{}")}
    )


async def watchlists_by_id(tx: Tx, ids: Sequence[str]) -> list[Watchlist | None]:
    rows = await fetch(tx, WATCHLISTS_BY_ID, ids=list(ids))
    found = {r["key"]: r["l"] for r in rows}
    return [None if found.get(i) is None else watchlist_from_row(found[i]) for i in ids]


async def visible_watchlists(tx: Tx, name: str, admin: bool) -> list[Watchlist]:
    rows = await fetch(tx, VISIBLE_WATCHLISTS, name=name, admin=admin)
    return [watchlist_from_row(r["l"]) for r in rows]


async def watchlist_events(
    tx: Tx, watchlist_id: str, since: datetime | None, offset: int, limit: int
) -> tuple[int, list[Event]]:
    rows = await fetch(
        tx,
        WATCHLIST_EVENTS,
        id=watchlist_id,
        since=None if since is None else since.isoformat(),
        offset=offset,
        limit=limit,
    )
    row = rows[0]
    return int(row["total"]), [event_from_row(e) for e in row["page"]]


async def entity_events(
    tx: Tx, entity_id: str, since: datetime | None, offset: int, limit: int
) -> tuple[int, list[Event]]:
    """One scientist's, team's or institution's events after `since`, newest first."""
    rows = await fetch(
        tx,
        ENTITY_EVENTS,
        id=entity_id,
        since=None if since is None else since.isoformat(),
        offset=offset,
        limit=limit,
    )
    row = rows[0]
    return int(row["total"]), [event_from_row(e) for e in row["page"]]


async def watchlist_deliveries(
    tx: Tx, watchlist_id: str, offset: int, limit: int
) -> tuple[int, list[Delivery]]:
    """The list's webhook delivery log, newest first: (total, the page)."""
    row = (await fetch(tx, DELIVERIES, id=watchlist_id, offset=offset, limit=limit))[0]
    page = [
        Delivery.model_validate({k: v for k, v in d.items() if k in Delivery.model_fields})
        for d in row["page"]
    ]
    return int(row["total"]), page
