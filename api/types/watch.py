"""Watchlists and the events of what they watch."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from api.context import Info
from api.types.connection import Connection, PageInfo, build_connection, page_window
from graph.read.institution import institutions_by_id
from graph.read.scientist import scientists_by_id
from graph.read.team import teams_by_id
from graph.read.watch import watchlist_deliveries
from schema import watch as model
from schema import webhook as hook

if TYPE_CHECKING:
    from api.types.institution import Institution
    from api.types.scientist import Scientist
    from api.types.team import Team

strawberry.enum(model.EntityKind, description="A scientist, a team or an institution.")
strawberry.enum(model.EventKind, description="What changed about a watched entity.")
EntityKind = model.EntityKind
EventKind = model.EventKind

TrackedEntity = Annotated[
    Annotated["Scientist", strawberry.lazy("api.types.scientist")]
    | Annotated["Team", strawberry.lazy("api.types.team")]
    | Annotated["Institution", strawberry.lazy("api.types.institution")],
    strawberry.union("TrackedEntity"),
]


async def load_entity(info: Info, kind: model.EntityKind, key: str) -> TrackedEntity | None:
    """The scientist, team or institution `key` of `kind`, through the request's loaders."""
    from api.types.institution import Institution
    from api.types.scientist import Scientist
    from api.types.team import Team

    if kind is model.EntityKind.SCIENTIST:
        found = await info.context.loader(scientists_by_id).load(key)
        return None if found is None else Scientist.from_model(found)
    if kind is model.EntityKind.TEAM:
        team = await info.context.loader(teams_by_id).load(key)
        return None if team is None else Team.from_model(team)
    institution = await info.context.loader(institutions_by_id).load(key)
    return None if institution is None else Institution.from_model(institution)


@strawberry.type(description="A change to a watched entity, found by the derived step.")
class Event:
    id: strawberry.ID
    kind: EventKind
    entity_id: strawberry.ID
    entity_kind: EntityKind
    at: datetime = strawberry.field(description="When the derived step found it.")
    summary: str = strawberry.field(description="The change in words.")
    facts: JSON = strawberry.field(description="The ids, names and years it rests on.")

    @strawberry.field(description="The scientist, team or institution it is about.")
    async def entity(self, info: Info) -> TrackedEntity | None:
        return await load_entity(info, self.entity_kind, str(self.entity_id))

    @classmethod
    def from_model(cls, m: model.Event) -> Event:
        return cls(
            id=strawberry.ID(m.id),
            kind=m.kind,
            entity_id=strawberry.ID(m.entity_id),
            entity_kind=m.entity_kind,
            at=m.at,
            summary=m.summary,
            facts=cast(JSON, m.facts),
        )


@strawberry.type
class EventEdge:
    node: Event
    cursor: str


@strawberry.type
class EventConnection:
    total_count: int
    edges: list[EventEdge]
    page_info: PageInfo


@strawberry.type(
    description="One attempt to deliver an event to a watchlist's webhook: the receiver's "
    "answer, or why there was none."
)
class WebhookDelivery:
    id: strawberry.ID
    event_id: strawberry.ID
    attempt: int = strawberry.field(description="1 for the first try, then each retry.")
    url: str
    at: datetime
    ok: bool | None = strawberry.field(description="Null while the attempt is under way.")
    status: int | None = strawberry.field(description="The receiver's HTTP status.")
    error: str | None
    ms: float | None = strawberry.field(description="Milliseconds until the answer.")

    @classmethod
    def from_model(cls, m: hook.Delivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(m.id),
            event_id=strawberry.ID(m.event_id),
            attempt=m.attempt,
            url=m.url,
            at=m.at,
            ok=m.ok,
            status=m.status,
            error=m.error,
            ms=m.ms,
        )


@strawberry.type(description="Where a watchlist's events are delivered, and from when.")
class Webhook:
    url: str
    since: datetime = strawberry.field(description="Events found before this are not sent.")


@strawberry.type(description="Named scientists, teams and institutions someone follows.")
class Watchlist:
    id: strawberry.ID
    name: str
    shared: bool = strawberry.field(description="Seen by every key; changed by its owner.")
    owner: str = strawberry.field(description="The API key name that made it.")
    created_at: datetime
    entity_ids: list[strawberry.ID]
    webhook: Webhook | None = strawberry.field(
        description="Where its events are delivered as signed JSON (the secret is shown "
        "only by setWebhook)."
    )

    @strawberry.field(description="The webhook's delivery log, newest first.")
    async def deliveries(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WebhookDelivery]:
        offset, limit = page_window(first, after)
        total, page = await info.context.reader(watchlist_deliveries, str(self.id), offset, limit)
        return build_connection([WebhookDelivery.from_model(d) for d in page], total, offset)

    @classmethod
    def from_model(cls, m: model.Watchlist) -> Watchlist:
        hooked = m.webhook_url is not None and m.webhook_since is not None
        return cls(
            id=strawberry.ID(m.id),
            name=m.name,
            shared=m.shared,
            owner=m.owner,
            created_at=m.created_at,
            entity_ids=[strawberry.ID(e) for e in m.entity_ids],
            webhook=Webhook(url=m.webhook_url or "", since=m.webhook_since or m.created_at)
            if hooked
            else None,
        )

    @strawberry.field(
        description="The watched scientists, teams and institutions, in entityIds order (those "
        "still in the graph)."
    )
    async def entities(self, info: Info) -> list[TrackedEntity]:
        found = await asyncio.gather(
            *(load_entity(info, kind_of(str(e)), str(e)) for e in self.entity_ids)
        )
        return [f for f in found if f is not None]


def kind_of(entity_id: str) -> model.EntityKind:
    """What a watched id names: our scientist ids are OpenAlex author ids (A…), team ids start
    with team-, the rest are institutions."""
    if re.fullmatch(r"A\d+", entity_id):
        return model.EntityKind.SCIENTIST
    if entity_id.startswith("team-"):
        return model.EntityKind.TEAM
    return model.EntityKind.INSTITUTION


@strawberry.type(
    description="The webhook just set, with its secret: shown this once. The receiver checks "
    "the header X-TalentMap-Signature: sha256=<HMAC-SHA256 of the body under the secret, hex>."
)
class WebhookSet:
    watchlist: Watchlist
    url: str
    secret: str
