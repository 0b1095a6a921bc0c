"""Watchlists in the graph: `(:Watchlist)-[:WATCHES {since}]->(scientist, team or
institution)`. The API's writes (async transaction functions, run through its one audit path);
ids and times come from the caller, so a retried transaction writes the same nodes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from schema.audit import Actor
from schema.labels import Label, Rel
from schema.watch import EntityKind, Watchlist

ENTITY_LABELS = {
    EntityKind.SCIENTIST: Label.SCIENTIST,
    EntityKind.TEAM: Label.TEAM,
    EntityKind.INSTITUTION: Label.INSTITUTION,
}


class WatchError(Exception):
    """Root of the expected failures of a watchlist write."""


class WatchlistNotFoundError(WatchError):
    def __init__(self, watchlist_id: str) -> None:
        super().__init__(f"no watchlist has the id {watchlist_id!r}")


class WatchForbiddenError(WatchError):
    pass


SAVE_WATCHLIST = f"""
MERGE (l:{Label.WATCHLIST} {{id: $id}})
ON CREATE SET l += $props, l.created_at = datetime($created_at)
"""
READ_WATCHLIST = f"""
MATCH (l:{Label.WATCHLIST} {{id: $id}})
RETURN l.owner AS owner, l.shared AS shared
"""


def watch_query(kind: EntityKind) -> str:
    return f"""
MATCH (l:{Label.WATCHLIST} {{id: $id}}), (x:{ENTITY_LABELS[kind]} {{id: $entity}})
MERGE (l)-[r:{Rel.WATCHES}]->(x)
ON CREATE SET r.since = datetime($at)
"""


UNWATCH = f"""
MATCH (l:{Label.WATCHLIST} {{id: $id}})-[r:{Rel.WATCHES}]->(x {{id: $entity}})
DELETE r
"""


async def create_watchlist(tx: AsyncManagedTransaction, watchlist: Watchlist) -> Watchlist:
    props = watchlist.model_dump(mode="json", exclude={"id", "created_at", "entity_ids"})
    await tx.run(
        SAVE_WATCHLIST,
        id=watchlist.id,
        props=props,
        created_at=watchlist.created_at.isoformat(),
    )
    return watchlist


async def editable(tx: AsyncManagedTransaction, watchlist_id: str, actor: Actor) -> None:
    result = await tx.run(READ_WATCHLIST, id=watchlist_id)
    row: dict[str, Any] | None = None
    record = await result.single()
    if record is not None:
        row = dict(record)
    if row is None:
        raise WatchlistNotFoundError(watchlist_id)
    if not (actor.admin or row["owner"] == actor.name):
        raise WatchForbiddenError(
            f"watchlist {watchlist_id} belongs to {row['owner']}: its owner (or an admin) "
            "changes it"
        )


async def watch(
    tx: AsyncManagedTransaction,
    *,
    watchlist_id: str,
    entity_id: str,
    kind: EntityKind,
    actor: Actor,
    at: datetime,
) -> None:
    """Add the entity (already resolved to our id) to the list; watching it again keeps the
    first `since`."""
    await editable(tx, watchlist_id, actor)
    await tx.run(watch_query(kind), id=watchlist_id, entity=entity_id, at=at.isoformat())


async def unwatch(
    tx: AsyncManagedTransaction, *, watchlist_id: str, entity_id: str, actor: Actor
) -> None:
    """Take the entity off the list (its events stay, for other lists and the history)."""
    await editable(tx, watchlist_id, actor)
    await tx.run(UNWATCH, id=watchlist_id, entity=entity_id)
