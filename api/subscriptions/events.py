"""`events(watchlist)` as a subscription (graphql-transport-ws): the events of a watchlist as
the derived step writes them. It polls the graph (each `POLL_SECONDS`, one indexed read) rather
than hearing from the ingest process, which may run on another machine: events are in the
graph, and nothing else needs to stay up for them to arrive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

import strawberry

from api.context import Info
from api.errors import NotFound, UserInputError
from api.queries.watch import visible
from api.types.watch import Event
from graph.read.watch import watchlist_events

POLL_SECONDS = 1.0
PAGE = 100


@strawberry.type
class EventSubscription:
    @strawberry.subscription(
        description="The list's events from now on, oldest first, as the derived step writes "
        "them after each ingest."
    )
    async def events(self, info: Info, watchlist: strawberry.ID) -> AsyncGenerator[Event, None]:
        found = await visible(info, str(watchlist))
        if isinstance(found, NotFound):
            raise UserInputError(found.message)
        since = datetime.now(UTC)
        seen: set[str] = set()
        while True:
            _, page = await info.context.reader(watchlist_events, found.id, since, 0, PAGE)
            for event in reversed(page):  # the page is newest first
                if event.id not in seen:
                    seen.add(event.id)
                    yield Event.from_model(event)
            await asyncio.sleep(POLL_SECONDS)
