"""Watchlists: create one, watch and unwatch scientists, teams and institutions. Anyone with a
key keeps lists (the owner is the key); a list's owner, or an admin, changes it. Audited
(api/audit.py) like every people-write."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry
from pydantic import ValidationError

from api.audit import actor, audited_write
from api.context import Info
from api.errors import Forbidden, InvalidInput, NotFound
from api.ids import IdKind, resolve_id
from api.types.watch import Watchlist, WebhookSet
from graph.read.watch import watchlists_by_id
from graph.write.watch import (
    WatchForbiddenError,
    WatchlistNotFoundError,
    create_watchlist,
    unwatch,
    watch,
)
from graph.write.webhook import set_webhook
from schema import watch as model
from schema import webhook as hook

CreateWatchlistResult = Annotated[
    Watchlist | InvalidInput, strawberry.union("CreateWatchlistResult")
]
SetWebhookResult = Annotated[
    WebhookSet | Watchlist | NotFound | InvalidInput | Forbidden,
    strawberry.union("SetWebhookResult"),
]
WatchResult = Annotated[
    Watchlist | NotFound | InvalidInput | Forbidden, strawberry.union("WatchResult")
]

_KINDS = (
    (model.EntityKind.SCIENTIST, IdKind.SCIENTIST),
    (model.EntityKind.TEAM, IdKind.TEAM),
    (model.EntityKind.INSTITUTION, IdKind.INSTITUTION),
)


async def resolve_entity(info: Info, raw: str) -> tuple[model.EntityKind, str] | InvalidInput:
    """The kind and our own id of the scientist, team or institution `raw` names (any of its
    identifiers)."""
    for kind, id_kind in _KINDS:
        found = await resolve_id(info, id_kind, raw)
        if isinstance(found, str):
            return kind, found
    return InvalidInput(
        field="entity", message=f"no scientist, team or institution has the id {raw!r}"
    )


async def _after(info: Info, watchlist_id: str) -> Watchlist:
    found = (await info.context.reader(watchlists_by_id, [watchlist_id]))[0]
    assert found is not None  # the write just checked it
    return Watchlist.from_model(found)


async def _change_list(
    info: Info,
    action: str,
    watchlist: strawberry.ID,
    entity: str,
    work: Callable[..., Awaitable[None]],
    summary: str | None = None,
    **kwargs: Any,
) -> Watchlist | NotFound | Forbidden:
    """Run the audited write `work` on the list as the caller (its owner, or an admin), and
    answer the list as it is then."""
    try:
        await audited_write(
            info,
            action,
            entity,
            work,
            summary=summary,
            watchlist_id=str(watchlist),
            actor=actor(info),
            **kwargs,
        )
    except WatchlistNotFoundError as e:
        return NotFound(id=watchlist, message=str(e))
    except WatchForbiddenError as e:
        return Forbidden(message=str(e))
    return await _after(info, str(watchlist))


@strawberry.type
class WatchMutation:
    @strawberry.mutation(description="A new watchlist of yours; `shared` shows it to every key.")
    async def create_watchlist(
        self, info: Info, name: str, shared: bool = False
    ) -> CreateWatchlistResult:
        who = actor(info)
        try:
            made = model.Watchlist(
                id=model.new_watchlist_id(),
                name=name.strip(),
                shared=shared,
                owner=who.name,
                owner_key=who.key_id,
                created_at=datetime.now(UTC),
            )
        except ValidationError as e:
            return InvalidInput(field="name", message=f"name: {e.errors()[0]['msg']}")
        await audited_write(info, "createWatchlist", made.id, create_watchlist, made)
        return Watchlist.from_model(made)

    @strawberry.mutation(description="Follow a scientist, team or institution (any of its ids).")
    async def watch(
        self, info: Info, watchlist: strawberry.ID, entity: strawberry.ID
    ) -> WatchResult:
        found = await resolve_entity(info, str(entity))
        if isinstance(found, InvalidInput):
            return found
        kind, entity_id = found
        return await _change_list(
            info,
            "watch",
            watchlist,
            f"{watchlist} {entity_id}",
            watch,
            entity_id=entity_id,
            kind=kind,
            at=datetime.now(UTC),
        )

    @strawberry.mutation(description="Stop following an entity (its events stay).")
    async def unwatch(
        self, info: Info, watchlist: strawberry.ID, entity: strawberry.ID
    ) -> WatchResult:
        found = await resolve_entity(info, str(entity))
        if isinstance(found, InvalidInput):
            return found
        _, entity_id = found
        return await _change_list(
            info, "unwatch", watchlist, f"{watchlist} {entity_id}", unwatch, entity_id=entity_id
        )

    @strawberry.mutation(
        description="Deliver the list's events from now on to `url` as signed JSON (the list's "
        "owner, or an admin). Answers the new secret, shown this once; setting the webhook "
        "again makes a new secret; an empty `url` stops deliveries (answers the Watchlist)."
    )
    async def set_webhook(self, info: Info, watchlist: strawberry.ID, url: str) -> SetWebhookResult:
        target: str | None = None
        secret: str | None = None
        if url.strip():
            try:
                target = hook.check_url(url)
            except ValueError as e:
                return InvalidInput(field="url", message=str(e))
            secret = hook.new_webhook_secret()
        after = await _change_list(
            info,
            "setWebhook",
            watchlist,
            str(watchlist),
            set_webhook,
            url=target,
            secret=secret,
            at=datetime.now(UTC),
            summary=target or "removed",
        )
        if target is None or secret is None or not isinstance(after, Watchlist):
            return after
        return WebhookSet(watchlist=after, url=target, secret=secret)
