"""Watchlists (实时跟踪): the caller's own and the shared ones, and the events of what they
watch (written by the derived step after each ingest, graph.write.event)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

import strawberry

from api.audit import actor
from api.context import Info
from api.errors import NotFound
from api.mutations.watch import resolve_entity
from api.types.connection import edge_connection, page_window
from api.types.watch import Event, EventConnection, EventEdge, Watchlist
from graph.read.watch import entity_events, visible_watchlists, watchlist_events, watchlists_by_id
from graph.reader import Tx
from schema import watch as model

WatchlistResult = Annotated[Watchlist | NotFound, strawberry.union("WatchlistResult")]
EventsResult = Annotated[EventConnection | NotFound, strawberry.union("EventsResult")]


async def visible(info: Info, watchlist_id: str) -> model.Watchlist | NotFound:
    """The list, when the caller may see it (a list they may not see is not found for them)."""
    found = await info.context.loader(watchlists_by_id).load(watchlist_id)
    who = actor(info)
    if found is None or not found.visible_to(who.name, who.admin):
        return NotFound(
            id=strawberry.ID(watchlist_id), message=f"no watchlist has the id {watchlist_id!r}"
        )
    return found


@strawberry.type
class WatchQuery:
    @strawberry.field(description="Your watchlists and the shared ones, newest first.")
    async def watchlists(self, info: Info) -> list[Watchlist]:
        who = actor(info)
        found = await info.context.reader(visible_watchlists, who.name, who.admin)
        return [Watchlist.from_model(w) for w in found]

    @strawberry.field(description="A watchlist you own, or a shared one.")
    async def watchlist(self, info: Info, id: strawberry.ID) -> WatchlistResult:
        found = await visible(info, str(id))
        return found if isinstance(found, NotFound) else Watchlist.from_model(found)

    @strawberry.field(
        description="Changes to the list's entities since each was put on it (and since "
        "`since`), newest first."
    )
    async def events(
        self,
        info: Info,
        watchlist: strawberry.ID,
        since: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> EventsResult:
        found = await visible(info, str(watchlist))
        if isinstance(found, NotFound):
            return found
        return await _events_page(info, watchlist_events, found.id, since, first, after)

    @strawberry.field(
        description="What changed about one scientist, team or institution after `since` "
        "(all of it without), newest first: a profile's 'since your last visit'. Changes are "
        "found for watched entities (see watchlists)."
    )
    async def entity_events(
        self,
        info: Info,
        entity: strawberry.ID,
        since: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> EventsResult:
        found = await resolve_entity(info, str(entity))
        if not isinstance(found, tuple):
            return NotFound(id=entity, message=found.message)
        return await _events_page(info, entity_events, found[1], since, first, after)


async def _events_page(
    info: Info,
    read: Callable[[Tx, str, datetime | None, int, int], Awaitable[tuple[int, list[model.Event]]]],
    key: str,
    since: datetime | None,
    first: int | None,
    after: str | None,
) -> EventConnection:
    """A page of the events `read` finds for `key` (a watchlist's or an entity's)."""
    offset, limit = page_window(first, after)
    total, page = await info.context.reader(read, key, since, offset, limit)
    return edge_connection(
        EventConnection,
        page,
        total,
        offset,
        lambda e, cursor: EventEdge(node=Event.from_model(e), cursor=cursor),
    )
